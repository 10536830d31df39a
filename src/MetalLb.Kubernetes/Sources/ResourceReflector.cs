using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Keeps one kind's objects in step with the API server, as client-go's reflector does: LIST, then
/// WATCH from the listed resourceVersion, applying ADDED/MODIFIED/DELETED to a cache keyed by
/// namespace/name and remembering the version of every event and bookmark. A watch the server ends
/// (it does so every few minutes) resumes at once from the last version seen; 410 Gone (an HTTP
/// status or an ERROR event) means that version is compacted away, so it LISTs again and the new
/// list replaces the cache whole. Network and server errors retry after a capped exponential backoff.
/// </summary>
internal sealed partial class ResourceReflector
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly KubernetesResourceKind _kind;
    private readonly string _path;
    private readonly KubernetesApiClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _changed;
    private readonly object _gate = new();
    private SortedDictionary<string, string> _objects = new(StringComparer.Ordinal);
    private volatile bool _synced;

    public ResourceReflector(KubernetesResourceKind kind, string metallbNamespace, KubernetesApiClient client, TimeProvider time, ILogger logger, Action changed)
    {
        _kind = kind;
        _path = kind.CollectionPath(metallbNamespace);
        _client = client;
        _time = time;
        _logger = logger;
        _changed = changed;
    }

    /// <summary>How long the server is asked to keep a watch open (it closes it then; we resume).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first retry delay after an error; it doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public KubernetesResourceKind Kind => _kind;

    /// <summary>True once the first LIST has filled the cache.</summary>
    public bool Synced => _synced;

    /// <summary>The last resourceVersion seen (list, event or bookmark); null before the first LIST or after 410 Gone.</summary>
    public string? ResourceVersion { get; private set; }

    /// <summary>The cached objects as normalized JSON, by namespace/name in ordinal order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Objects()
    {
        lock (_gate)
        {
            return _objects.ToArray();
        }
    }

    /// <summary>Lists and watches until cancelled; never throws anything but cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            var delivered = false;
            var listed = false;
            var started = _time.GetTimestamp();
            try
            {
                if (ResourceVersion is null)
                {
                    var list = await _client.ListAsync(_path, cancellationToken).ConfigureAwait(false);
                    Replace(list.Items);
                    ResourceVersion = list.ResourceVersion;
                    LogListed(_logger, _kind.Kind, list.Items.Count, list.ResourceVersion);
                    backoff = InitialBackoff;
                    listed = true;
                }
                // A watch that hangs without the server closing it (a silent network partition) is
                // given up a little after the server should have ended it.
                using var deadline = new CancellationTokenSource(WatchTimeout + TimeSpan.FromSeconds(30), _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                await foreach (var e in _client.WatchAsync(_path, ResourceVersion, WatchTimeout, linked.Token).ConfigureAwait(false))
                {
                    Apply(e);
                    delivered = true;
                    backoff = InitialBackoff;
                }
                // The server ended the watch: resume from the last version at once, unless it ended
                // it straight away with nothing to say (then pace the retries).
                if (!delivered && _time.GetElapsedTime(started) < InitialBackoff)
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                    backoff = Next(backoff);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubernetesApiException e) when (e.IsGone && ResourceVersion is not null)
            {
                LogGone(_logger, _kind.Kind, ResourceVersion);
                ResourceVersion = null;
                if (listed && !delivered)
                {
                    // Gone straight after a LIST: a server in trouble; do not hammer it with lists.
                    try
                    {
                        await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    backoff = Next(backoff);
                }
            }
            catch (KubernetesApiException e) when (e.StatusCode == 404 && _kind.Optional && ResourceVersion is null && !cancellationToken.IsCancellationRequested)
            {
                // The CRD is not installed: nothing of this kind exists. Say so once, then look again now and then.
                if (!_synced)
                {
                    LogNotInstalled(_logger, _kind.Kind, _path);
                }
                Replace([]);
                try
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = Next(backoff);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Network and server errors, an object we cannot read, or the watch deadline
                // (an OperationCanceledException that is not our caller's): a kind must never
                // stop following the server, so every one of them is retried.
                LogRetry(_logger, _kind.Kind, e.Message, (long)backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = Next(backoff);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // An answer that arrived as the caller stopped (a 401 read just before the cancellation, say): the
                // caller asked to stop, so stop. Letting it escape broke "never throws anything but cancellation"
                // and failed KubeconfigTlsTests under load.
                return;
            }
        }
    }

    private TimeSpan Next(TimeSpan backoff) => backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;

    private void Apply(WatchEvent e)
    {
        switch (e.Type)
        {
            case "ADDED" or "MODIFIED":
                Upsert(e.Object);
                break;
            case "DELETED":
                Remove(e.Object);
                break;
            case "BOOKMARK":
                break;
            case "ERROR":
                // The object is a metav1.Status; code 410 (reason Expired or Gone) means LIST again.
                var code = e.Object["code"] is JsonValue value && value.TryGetValue<int>(out var c) ? c : 0;
                var message = e.Object["message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : "no message";
                throw new KubernetesApiException(code, $"WATCH {_path}: ERROR event {code.ToString(CultureInfo.InvariantCulture)}: {message}");
            default:
                LogUnknownEvent(_logger, _kind.Kind, e.Type);
                return;
        }
        if (e.ResourceVersion is { Length: > 0 } version)
        {
            ResourceVersion = version;
        }
    }

    private void Replace(IReadOnlyList<JsonObject> items)
    {
        var next = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            next[Key(item)] = Normalize(item);
        }
        bool changed;
        lock (_gate)
        {
            changed = !_synced || !_objects.SequenceEqual(next);
            _objects = next;
            _synced = true;
        }
        if (changed)
        {
            _changed();
        }
    }

    private void Upsert(JsonObject item)
    {
        var key = Key(item);
        var text = Normalize(item);
        lock (_gate)
        {
            if (_objects.TryGetValue(key, out var old) && old == text)
            {
                return; // A status or metadata change that the plan does not read.
            }
            _objects[key] = text;
        }
        _changed();
    }

    private void Remove(JsonObject item)
    {
        bool removed;
        lock (_gate)
        {
            removed = _objects.Remove(Key(item));
        }
        if (removed)
        {
            _changed();
        }
    }

    private static string Key(JsonObject item)
    {
        var meta = item["metadata"] as JsonObject;
        var ns = meta?["namespace"]?.GetValue<string>();
        var name = meta?["name"]?.GetValue<string>() ?? "";
        return string.IsNullOrEmpty(ns) ? name : ns + "/" + name;
    }

    /// <summary>
    /// The object as the manifest reader should see it: apiVersion and kind set (LIST items of
    /// built-in kinds carry neither), metadata cut to name, namespace, uid, labels and annotations, and
    /// status dropped except a Service's load-balancer ingress and a pool's counts. What the plan does not read
    /// (resourceVersion, managedFields, a Node's heartbeats) then never makes a new snapshot; resourceVersion is kept
    /// only for a kind whose writes are conditional on it (<see cref="KubernetesResourceKind.KeepsResourceVersion"/>).
    /// </summary>
    internal string Normalize(JsonObject item)
    {
        var result = new JsonObject { ["apiVersion"] = _kind.ApiVersion, ["kind"] = _kind.Kind };
        var metadata = new JsonObject();
        if (item["metadata"] is JsonObject meta)
        {
            // uid: Events name it (kubectl describe finds them by it), owner references need it; it never changes.
            foreach (var field in (ReadOnlySpan<string>)["name", "namespace", "uid", "labels", "annotations"])
            {
                if (meta[field] is { } value)
                {
                    metadata[field] = value.DeepClone();
                }
            }
            if (_kind.KeepsResourceVersion && meta["resourceVersion"] is { } version)
            {
                metadata["resourceVersion"] = version.DeepClone();
            }
            // kubectl's copy of the whole object; the plan never reads it.
            (metadata["annotations"] as JsonObject)?.Remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        result["metadata"] = metadata;
        if (_kind.Kind is "Node" or "Namespace")
        {
            return result.ToJsonString(Indented);
        }
        foreach (var (key, value) in item)
        {
            if (key is not ("apiVersion" or "kind" or "metadata" or "status"))
            {
                result[key] = value?.DeepClone();
            }
        }
        if (_kind.Kind == "Service" && (item["status"] as JsonObject)?["loadBalancer"] is { } loadBalancer)
        {
            result["status"] = new JsonObject { ["loadBalancer"] = loadBalancer.DeepClone() };
        }
        // The controller writes a pool's status and must see what it holds, or it would write it again on every change.
        if (_kind.Kind == "IPAddressPool" && item["status"] is JsonObject poolStatus)
        {
            result["status"] = poolStatus.DeepClone();
        }
        return result.ToJsonString(Indented);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Kind}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string kind, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} is not served at {Path} (404: its CRD is not installed); planning without it and looking again later")]
    private static partial void LogNotInstalled(ILogger logger, string kind, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Kind} from resourceVersion {ResourceVersion} is gone (410); listing again")]
    private static partial void LogGone(ILogger logger, string kind, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Kind} from the API server failed: {Reason}; retrying in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string kind, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of {Kind}: ignoring an event of unknown type {Type}")]
    private static partial void LogUnknownEvent(ILogger logger, string kind, string type);
}
