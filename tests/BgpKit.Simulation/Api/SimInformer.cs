using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes;
using BgpKit.MetalLb.Kubernetes.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.Simulation.Api;

/// <summary>
/// What KubernetesApiSource does for one process, on the simulation's clock: LIST, then WATCH from the listed
/// version, a cache of normalized objects (the real <see cref="ResourceReflector.Normalize"/>), relist on 410,
/// capped exponential backoff on 500, and a snapshot in the source's form (kinds in the source's order, objects
/// by key) only when the cache changed. One stream over every kind the role reads, so the process sees a real
/// store state at every step (per-kind watches can interleave; that is left to the reflector's own tests).
/// </summary>
internal sealed class SimInformer
{
    private static readonly KubernetesApiClient Client = new(new KubernetesApiOptions { Server = new Uri("http://sim.invalid"), Namespace = Cluster.MetalLbNamespace });

    private readonly SimApiServer _server;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<KubernetesResourceKind> _kinds;
    private readonly Dictionary<string, (KubernetesResourceKind Kind, ResourceReflector Reflector)> _normalizers;
    private readonly HashSet<string> _kindNames;
    /// <summary>Normalized texts by kind, then by key: a snapshot lists them kind by kind in the source's order.</summary>
    private readonly Dictionary<string, SortedDictionary<string, string>> _cache = new(StringComparer.Ordinal);
    private readonly SharedTexts _texts;
    private long? _version;
    private long _retryAt;
    private TimeSpan _backoff = TimeSpan.FromSeconds(1);
    private string? _lastFingerprint;
    private bool _dirty;

    public SimInformer(SimApiServer server, TimeProvider time, IReadOnlyList<KubernetesResourceKind> kinds, SharedTexts texts)
    {
        _server = server;
        _texts = texts;
        _time = time;
        _kinds = kinds;
        _kindNames = kinds.Select(k => k.Kind).ToHashSet(StringComparer.Ordinal);
        _normalizers = kinds.ToDictionary(k => k.Kind, k => (k, new ResourceReflector(k, Cluster.MetalLbNamespace, Client, time, NullLogger.Instance, () => { })), StringComparer.Ordinal);
    }

    /// <summary>How late this process's watch delivers events (a slow watch); zero normally.</summary>
    public TimeSpan Delay { get; set; }

    public bool Synced { get; private set; }

    /// <summary>The invariants' own view: never refused, never late (it is no process of the cluster).</summary>
    public bool Privileged { get; init; }

    /// <summary>The store version the cache holds (that of the last snapshot returned).</summary>
    public long Version => _version ?? 0;

    public int Relists { get; private set; }

    /// <summary>Ends the watch; the next tick resumes from the last version seen (a server timeout or a dropped connection).</summary>
    public void RestartWatch() => _retryAt = _time.GetTimestamp();

    /// <summary>Reads what the server has for us; returns a new snapshot when the cache changed, else null.</summary>
    public ResourceSnapshot? Tick(Action<string> trace)
    {
        var now = _time.GetTimestamp();
        if (now < _retryAt)
        {
            return null;
        }
        try
        {
            if (_version is null)
            {
                var (items, version) = _server.List(_kindNames, Privileged);
                foreach (var texts in _cache.Values)
                {
                    texts.Clear();
                }
                foreach (var (key, obj) in items)
                {
                    CacheOf(key)[key] = Normalize(obj);
                }
                _version = version;
                Synced = true;
                Relists++;
                _dirty = true;
            }
            else
            {
                var visibleAt = now - (long)(Delay.TotalSeconds * _time.TimestampFrequency);
                foreach (var e in _server.Watch(_version.Value, _kindNames, visibleAt, Privileged))
                {
                    if (e.Object is null)
                    {
                        CacheOf(e.Key).Remove(e.Key);
                    }
                    else
                    {
                        CacheOf(e.Key)[e.Key] = Normalize(e.Object);
                    }
                    _version = e.Version;
                    _dirty = true;
                }
            }
            _backoff = TimeSpan.FromSeconds(1);
        }
        catch (KubernetesApiException e) when (e.IsGone)
        {
            trace("410 Gone: relist");
            _version = null;
            return Tick(trace);
        }
        catch (KubernetesApiException e)
        {
            trace($"{e.StatusCode}: retry in {_backoff.TotalSeconds}s");
            _retryAt = now + (long)(_backoff.TotalSeconds * _time.TimestampFrequency);
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            return null;
        }
        if (!Synced || !_dirty)
        {
            return null;
        }
        _dirty = false;
        var snapshot = Snapshot();
        if (snapshot.Fingerprint == _lastFingerprint)
        {
            return null;
        }
        _lastFingerprint = snapshot.Fingerprint;
        return snapshot;
    }

    private string Normalize(JsonObject obj)
    {
        var (kind, reflector) = _normalizers[(string)obj["kind"]!];
        return _texts.Normalize(obj, kind, reflector);
    }

    private SortedDictionary<string, string> CacheOf(string key)
    {
        var kind = SimApiServer.KindOf(key);
        if (!_cache.TryGetValue(kind, out var texts))
        {
            texts = new SortedDictionary<string, string>(StringComparer.Ordinal);
            _cache[kind] = texts;
        }
        return texts;
    }

    private ResourceSnapshot Snapshot()
    {
        var documents = new List<ManifestDocument>(_cache.Values.Sum(t => t.Count));
        foreach (var kind in _kinds)
        {
            if (!_cache.TryGetValue(kind.Kind, out var texts))
            {
                continue;
            }
            var scope = kind.Scope == KubernetesScope.MetalLbNamespace ? kind.Kind + "/" + Cluster.MetalLbNamespace + "/" : null;
            foreach (var (key, text) in texts)
            {
                if (scope is null || key.StartsWith(scope, StringComparison.Ordinal))
                {
                    documents.Add(new ManifestDocument(key, text));
                }
            }
        }
        return new ResourceSnapshot("sim", documents, []);
    }
}
