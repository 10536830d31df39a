using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Manifests from files and directories (<c>--config PATH...</c>). Watches them with a
/// <see cref="FileSystemWatcher"/> and, because watchers miss events (network file systems,
/// ConfigMap volumes that swap a symlink, inotify limits), also rescans periodically. Bursts of
/// events (an editor's save, a ConfigMap update) are debounced into one read.
/// </summary>
internal sealed partial class ManifestDirectorySource : IResourceSource
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    // After this many back-to-back debounce rounds a read happens anyway, so a file that is
    // rewritten continuously cannot starve the speaker of configuration.
    private const int MaxDebounceRounds = 8;

    private readonly IReadOnlyList<string> _paths;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ManifestDirectorySource(IEnumerable<string> paths, TimeProvider time, ILogger logger)
    {
        _paths = paths.Select(Path.GetFullPath).ToArray();
        if (_paths.Count == 0)
        {
            throw new ArgumentException("at least one manifest path is needed", nameof(paths));
        }
        _time = time;
        _logger = logger;
    }

    /// <summary>How often the paths are re-read even without a watcher event.</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the source waits after an event for the burst to end.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(300);

    public string Description => string.Join(", ", _paths);

    public async IAsyncEnumerable<ResourceSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var watchers = CreateWatchers(() => signals.Writer.TryWrite(true));
        using var rescan = _time.CreateTimer(_ => signals.Writer.TryWrite(true), null, RescanInterval, RescanInterval);
        try
        {
            var last = Read();
            yield return last;
            while (true)
            {
                await signals.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                for (var round = 0; round < MaxDebounceRounds; round++)
                {
                    await Task.Delay(Debounce, _time, cancellationToken).ConfigureAwait(false);
                    if (!signals.Reader.TryRead(out _))
                    {
                        break;
                    }
                }
                var next = Read();
                if (next.Fingerprint != last.Fingerprint)
                {
                    LogChanged(_logger, next.Documents.Count, next.Failures.Count);
                    last = next;
                    yield return next;
                }
            }
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                watcher.Dispose();
            }
        }
    }

    /// <summary>Reads every manifest under the paths now, in a stable order.</summary>
    internal ResourceSnapshot Read()
    {
        var documents = new List<ManifestDocument>();
        var failures = new List<ReadFailure>();
        foreach (var path in _paths)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    foreach (var file in ManifestFiles(path))
                    {
                        documents.Add(new ManifestDocument(file, File.ReadAllText(file)));
                    }
                }
                else if (File.Exists(path))
                {
                    documents.Add(new ManifestDocument(path, File.ReadAllText(path)));
                }
                else
                {
                    failures.Add(new ReadFailure(path, "no such file or directory"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add(new ReadFailure(path, e.Message));
            }
        }
        return new ResourceSnapshot(Description, documents, failures);
    }

    /// <summary>
    /// YAML and JSON files below <paramref name="directory"/>, ordinal order. Names that start with a dot
    /// are skipped: editors' swap files, and the <c>..data</c> and timestamped folders of a
    /// ConfigMap volume, which would otherwise be read twice beside the symlinks that point into them.
    /// </summary>
    internal static IEnumerable<string> ManifestFiles(string directory)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        var files = Directory.EnumerateFiles(directory, "*", options)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase));
        var below = Directory.EnumerateDirectories(directory, "*", options)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .SelectMany(ManifestFiles);
        return files.Concat(below).Order(StringComparer.Ordinal);
    }

    private List<FileSystemWatcher> CreateWatchers(Action signal)
    {
        var watchers = new List<FileSystemWatcher>();
        foreach (var path in _paths)
        {
            var isDirectory = Directory.Exists(path);
            var directory = isDirectory ? path : Path.GetDirectoryName(path);
            if (directory is null || !Directory.Exists(directory))
            {
                continue; // The periodic rescan notices when it appears.
            }
            try
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    IncludeSubdirectories = isDirectory,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                };
                if (!isDirectory)
                {
                    watcher.Filter = Path.GetFileName(path);
                }
                watcher.Changed += (_, _) => signal();
                watcher.Created += (_, _) => signal();
                watcher.Deleted += (_, _) => signal();
                watcher.Renamed += (_, _) => signal();
                watcher.Error += (_, e) =>
                {
                    LogWatcherError(_logger, e.GetException().Message);
                    signal();
                };
                watcher.EnableRaisingEvents = true;
                watchers.Add(watcher);
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
            {
                LogWatcherError(_logger, e.Message);
            }
        }
        return watchers;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Manifests changed: {Documents} files read, {Failures} unreadable")]
    private static partial void LogChanged(ILogger logger, int documents, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher: {Reason}; relying on the periodic rescan")]
    private static partial void LogWatcherError(ILogger logger, string reason);
}
