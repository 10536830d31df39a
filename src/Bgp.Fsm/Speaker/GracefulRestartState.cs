using System.Globalization;
using System.Text.Json;
using BgpKit.Bgp.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// What the restarting side of Graceful Restart (RFC 4724) keeps across a restart of the process: how many times it
/// started, when it last started, and the families that had forwarding state. Its presence at start is what makes
/// the start a restart (<see cref="GracefulRestartOptions.Restarting"/>).
/// </summary>
/// <param name="RestartCount">Starts recorded before this one (0 for the first start).</param>
/// <param name="LastStart">When the process last started.</param>
/// <param name="ForwardingStateFamilies">Families whose forwarding state the process kept.</param>
public sealed record GracefulRestartState(int RestartCount, DateTimeOffset LastStart, IReadOnlyList<AfiSafi> ForwardingStateFamilies)
{
    /// <summary>The state to record at a start that follows <paramref name="previous"/> (null: a cold start).</summary>
    public static GracefulRestartState Next(GracefulRestartState? previous, DateTimeOffset now, IReadOnlyList<AfiSafi> forwardingStateFamilies) =>
        new(previous is null ? 0 : previous.RestartCount + 1, now, forwardingStateFamilies);
}

/// <summary>Where a <see cref="GracefulRestartState"/> lives between runs; embedders may keep it anywhere.</summary>
public interface IGracefulRestartStateStore
{
    /// <summary>The recorded state, or null when there is none or it cannot be read (a cold start).</summary>
    GracefulRestartState? Load();

    /// <summary>Records <paramref name="state"/> so that a crash at any moment leaves the old or the new one, never a mix.</summary>
    void Save(GracefulRestartState state);
}

/// <summary>
/// A <see cref="IGracefulRestartStateStore"/> in one small JSON file, replaced atomically (written to a temporary
/// file in the same directory, flushed, then renamed over the old one):
/// <code>
/// {"version":1,"restartCount":2,"lastStart":"2026-12-07T04:00:00.000+00:00","forwardingStateFamilies":[{"afi":1,"safi":1}]}
/// </code>
/// A missing file or directory, or a file that is not this format, reads as no state (logged, never thrown): the
/// process starts cold and the next <see cref="Save"/> writes a good file.
/// </summary>
public sealed partial class GracefulRestartStateFile : IGracefulRestartStateStore
{
    private const int Version = 1;
    private readonly ILogger _log;

    /// <summary>A store at <paramref name="path"/>; its directory is created on the first save.</summary>
    public GracefulRestartStateFile(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public GracefulRestartState? Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            LogMissing(_log, Path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(_log, Path, e.Message);
            return null;
        }
        if (TryParse(bytes, out var state, out var problem))
        {
            return state;
        }
        LogUnreadable(_log, Path, problem);
        return null;
    }

    /// <inheritdoc/>
    public void Save(GracefulRestartState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using (var json = new Utf8JsonWriter(file))
                {
                    Write(json, state);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void Write(Utf8JsonWriter json, GracefulRestartState state)
    {
        json.WriteStartObject();
        json.WriteNumber("version", Version);
        json.WriteNumber("restartCount", state.RestartCount);
        json.WriteString("lastStart", state.LastStart.ToString("O", CultureInfo.InvariantCulture));
        json.WriteStartArray("forwardingStateFamilies");
        foreach (var family in state.ForwardingStateFamilies)
        {
            json.WriteStartObject();
            json.WriteNumber("afi", (ushort)family.Afi);
            json.WriteNumber("safi", (byte)family.Safi);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    internal static bool TryParse(ReadOnlySpan<byte> bytes, out GracefulRestartState? state, out string problem)
    {
        state = null;
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "not a JSON object";
                return false;
            }
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version)
            {
                problem = $"field version: expected {Version}";
                return false;
            }
            if (!root.TryGetProperty("restartCount", out var count) || count.ValueKind != JsonValueKind.Number || !count.TryGetInt32(out var restarts) || restarts < 0)
            {
                problem = "field restartCount: expected a number from 0";
                return false;
            }
            if (!root.TryGetProperty("lastStart", out var start) || start.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParseExact(start.GetString(), "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var lastStart))
            {
                problem = "field lastStart: expected an ISO 8601 round-trip time";
                return false;
            }
            if (!root.TryGetProperty("forwardingStateFamilies", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problem = "field forwardingStateFamilies: expected an array";
                return false;
            }
            var families = new List<AfiSafi>();
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("afi", out var afi) || !afi.TryGetUInt16(out var afiValue)
                    || !item.TryGetProperty("safi", out var safi) || !safi.TryGetByte(out var safiValue))
                {
                    problem = "field forwardingStateFamilies: expected {\"afi\":N,\"safi\":N} items";
                    return false;
                }
                families.Add(new AfiSafi((Afi)afiValue, (Safi)safiValue));
            }
            state = new GracefulRestartState(restarts, lastStart, families);
            problem = string.Empty;
            return true;
        }
        catch (JsonException e)
        {
            problem = "not JSON: " + e.Message;
            return false;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            // A field of the wrong JSON kind or a number out of range.
            problem = e.Message;
            return false;
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "graceful restart state {Path} not found: cold start")]
    private static partial void LogMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "graceful restart state {Path} unreadable ({Problem}): cold start, the file is rewritten")]
    private static partial void LogUnreadable(ILogger logger, string path, string problem);
}
