using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Resources from the Kubernetes API server: one <see cref="ResourceReflector"/> per kind the
/// plan reads (list, then watch from the listed resourceVersion, relist on 410 Gone). The first
/// snapshot is yielded once every kind has been listed; after that, each change to any cache
/// yields a new snapshot of all of them, in the same form as the manifest-directory source, so
/// the reconcile loop (and its rule that an invalid configuration never replaces a valid one)
/// is the same for both.
/// </summary>
internal sealed partial class KubernetesApiSource : IResourceSource
{
    private readonly KubernetesApiOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<KubernetesApiClient> _createClient;

    public KubernetesApiSource(KubernetesApiOptions options, TimeProvider time, ILogger logger)
        : this(options, time, logger, () => new KubernetesApiClient(options))
    {
    }

    // For testing.
    internal KubernetesApiSource(KubernetesApiOptions options, TimeProvider time, ILogger logger, Func<KubernetesApiClient> createClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Namespace);
        _options = options;
        _time = time;
        _logger = logger;
        _createClient = createClient;
        Description = options.Describe();
    }

    /// <summary>The kinds listed and watched (every kind the plan reads, by default).</summary>
    public IReadOnlyList<KubernetesResourceKind> Kinds { get; init; } = KubernetesResourceKind.MetalLbSpeaker;

    /// <summary>How long the server is asked to keep each watch open.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first retry delay after an error (doubling up to <see cref="MaxBackoff"/>).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public string Description { get; }

    /// <summary>The reflectors of the current <see cref="WatchAsync"/>, for tests and diagnostics.</summary>
    internal IReadOnlyList<ResourceReflector> Reflectors { get; private set; } = [];

    public async IAsyncEnumerable<ResourceSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var client = _createClient();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reflectors = Kinds.Select(kind => new ResourceReflector(kind, _options.Namespace, client, _time, _logger, () => signals.Writer.TryWrite(true))
        {
            WatchTimeout = WatchTimeout,
            InitialBackoff = InitialBackoff,
            MaxBackoff = MaxBackoff,
        }).ToArray();
        Reflectors = reflectors;
        var running = reflectors.Select(r => Task.Run(() => r.RunAsync(stop.Token), CancellationToken.None)).ToArray();
        try
        {
            ResourceSnapshot? last = null;
            while (true)
            {
                await signals.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!reflectors.All(r => r.Synced))
                {
                    continue; // The first snapshot waits for every kind: a partial one would withdraw routes.
                }
                var next = Build(reflectors);
                if (last is null || next.Fingerprint != last.Fingerprint)
                {
                    if (last is null)
                    {
                        LogSynced(_logger, Description, next.Documents.Count);
                    }
                    last = next;
                    yield return next;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private ResourceSnapshot Build(IReadOnlyList<ResourceReflector> reflectors)
    {
        var documents = new List<ManifestDocument>();
        foreach (var reflector in reflectors)
        {
            foreach (var (key, text) in reflector.Objects())
            {
                documents.Add(new ManifestDocument(reflector.Kind.Kind + "/" + key, text));
            }
        }
        return new ResourceSnapshot(Description, documents, []);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed every kind from {Server}: {Objects} objects")]
    private static partial void LogSynced(ILogger logger, string server, int objects);
}
