using System.Globalization;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.Simulation.Api;

/// <summary>
/// The API server as an in-memory store, with the semantics the controller and speakers rely on and nothing
/// else: one resourceVersion counter for every object, optimistic concurrency (an update naming an older
/// resourceVersion gets 409, and so does a patch that carries one), the status subresource (a spec write keeps the status, a status write keeps the
/// spec), a watch as the ordered log of changes after a version, compaction (a watch from before it gets 410
/// Gone and the client lists again), and injectable failures (500 on reads and writes). No HTTP: every call
/// returns at once, so the simulation stays single-threaded and a seed replays byte for byte.
/// FakeApiServer (tests/BgpKit.TestSupport) holds the same rules behind HTTP for the client tests.
/// </summary>
internal sealed class SimApiServer
{
    private readonly SortedDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _log = [];
    private readonly TimeProvider _time;
    private long _version = 100;
    private long _compactedThrough;
    private long _uids;

    public SimApiServer(TimeProvider time) => _time = time;

    /// <summary>Reads and writes fail with 500 while this is in the future (an API server restart, an etcd hiccup).</summary>
    public long UnavailableUntil { get; set; }

    /// <summary>The current resourceVersion (the last change's).</summary>
    public long Version => _version;

    /// <summary>Bumped on every change; invariants recompute what they derive from the store only when it moves.</summary>
    public long Changes { get; private set; }

    public IEnumerable<KeyValuePair<string, StoredObject>> Objects => _objects;

    public JsonObject? Get(string key) => _objects.TryGetValue(key, out var o) ? (JsonObject)o.Object.DeepClone() : null;

    /// <summary>A consistent LIST of the given kinds and the version to watch from.</summary>
    public (IReadOnlyList<(string Key, JsonObject Object)> Items, long Version) List(IReadOnlySet<string> kinds, bool privileged = false)
    {
        if (!privileged)
        {
            ThrowIfUnavailable("LIST");
        }
        var items = _objects.Where(p => kinds.Contains(KindOf(p.Key))).Select(p => (p.Key, (JsonObject)p.Value.Object.DeepClone())).ToList();
        return (items, _version);
    }

    /// <summary>The changes after <paramref name="since"/> that happened at or before <paramref name="visibleAt"/> (a slow watch sees them late).</summary>
    /// <exception cref="KubernetesApiException">410 when <paramref name="since"/> was compacted away; 500 while unavailable.</exception>
    public IReadOnlyList<WatchEvent> Watch(long since, IReadOnlySet<string> kinds, long visibleAt, bool privileged = false)
    {
        if (!privileged)
        {
            ThrowIfUnavailable("WATCH");
        }
        if (since < _compactedThrough)
        {
            throw new KubernetesApiException(410, $"too old resource version: {since} ({_compactedThrough})");
        }
        var result = new List<WatchEvent>();
        // The log is in version order: find the first event after `since`.
        var lo = 0;
        var hi = _log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_log[mid].Version <= since)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        for (var i = lo; i < _log.Count && _log[i].At <= visibleAt; i++)
        {
            if (kinds.Contains(KindOf(_log[i].Key)))
            {
                result.Add(_log[i]);
            }
        }
        return result;
    }

    /// <summary>Forgets the history: every watch from an older version gets 410 and lists again.</summary>
    public void Compact()
    {
        _compactedThrough = _version;
        _log.Clear();
    }

    /// <summary>Creates or replaces an object's spec and metadata as a user does (kubectl apply); its status stays.</summary>
    public void Apply(JsonObject obj)
    {
        var key = KeyOf(obj);
        obj = (JsonObject)obj.DeepClone();
        var meta = (JsonObject)obj["metadata"]!;
        if (_objects.TryGetValue(key, out var old))
        {
            meta["uid"] = old.Object["metadata"]!["uid"]!.DeepClone();
            if (old.Object["status"] is { } status)
            {
                obj["status"] = status.DeepClone();
            }
            else
            {
                obj.Remove("status");
            }
            if (JsonNode.DeepEquals(Strip(old.Object), Strip(obj)))
            {
                return; // No change, no new version, as the server does.
            }
        }
        else
        {
            meta["uid"] = "uid-" + (++_uids).ToString(CultureInfo.InvariantCulture);
            obj.Remove("status");
        }
        Store(key, obj);
    }

    public void Delete(string key)
    {
        if (_objects.Remove(key))
        {
            Record(key, null);
        }
    }

    /// <summary>An update with optimistic concurrency: 409 when <paramref name="expectedVersion"/> is not the object's version.</summary>
    public void Update(JsonObject obj, long expectedVersion)
    {
        ThrowIfUnavailable("PUT");
        var key = KeyOf(obj);
        if (!_objects.TryGetValue(key, out var old))
        {
            throw new KubernetesApiException(404, $"{key} not found");
        }
        if (old.Version != expectedVersion)
        {
            throw new KubernetesApiException(409, $"Operation cannot be fulfilled on {key}: the object has been modified");
        }
        obj = (JsonObject)obj.DeepClone();
        obj["metadata"]!["uid"] = old.Object["metadata"]!["uid"]!.DeepClone();
        Store(key, obj);
    }

    /// <summary>Creates an object; 409 when it exists.</summary>
    public void Create(JsonObject obj)
    {
        ThrowIfUnavailable("POST");
        var key = KeyOf(obj);
        if (_objects.ContainsKey(key))
        {
            throw new KubernetesApiException(409, $"{key} already exists");
        }
        obj = (JsonObject)obj.DeepClone();
        obj["metadata"]!["uid"] = "uid-" + (++_uids).ToString(CultureInfo.InvariantCulture);
        Store(key, obj);
    }

    /// <summary>
    /// What the server checks before it applies a patch: 500 while unavailable, 404 for a missing object, and 409 when
    /// the patch carries a <c>metadata.resourceVersion</c> (<paramref name="resourceVersion"/>) that is not the
    /// object's: a patch that sets it makes it a precondition, on the status subresource too; one that does not is
    /// applied to whatever the object holds now.
    /// </summary>
    public StoredObject Admit(string what, string key, string? resourceVersion)
    {
        ThrowIfUnavailable(what);
        if (!_objects.TryGetValue(key, out var old))
        {
            throw new KubernetesApiException(404, $"{key} not found");
        }
        if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != old.Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new KubernetesApiException(409, $"Operation cannot be fulfilled on {key}: the object has been modified; please apply your changes to the latest version and try again");
        }
        return old;
    }

    /// <summary>The status subresource: replaces <c>status</c> only (a merge patch of the whole status, as the controller sends).</summary>
    public void PatchStatus(string key, Action<JsonObject> patch, string? resourceVersion = null)
    {
        var old = Admit("PATCH status", key, resourceVersion);
        var obj = (JsonObject)old.Object.DeepClone();
        var status = obj["status"] as JsonObject ?? new JsonObject();
        obj["status"] = status;
        patch(status);
        if (!JsonNode.DeepEquals(old.Object, obj))
        {
            Store(key, obj);
        }
    }

    /// <summary>A merge patch of metadata.annotations: a null value removes the key.</summary>
    public void PatchAnnotation(string key, string annotation, string? value, string? resourceVersion = null)
    {
        var old = Admit("PATCH", key, resourceVersion);
        var obj = (JsonObject)old.Object.DeepClone();
        var meta = (JsonObject)obj["metadata"]!;
        var annotations = meta["annotations"] as JsonObject ?? new JsonObject();
        meta["annotations"] = annotations;
        if (value is null)
        {
            annotations.Remove(annotation);
        }
        else
        {
            annotations[annotation] = value;
        }
        if (!JsonNode.DeepEquals(old.Object, obj))
        {
            Store(key, obj);
        }
    }

    public long VersionOf(string key) => _objects.TryGetValue(key, out var o) ? o.Version : 0;

    public static string KindOf(string key) => key[..key.IndexOf('/', StringComparison.Ordinal)];

    /// <summary><c>Kind/namespace/name</c>, or <c>Kind/name</c> for a cluster-scoped object: the origin the API source gives documents.</summary>
    public static string KeyOf(JsonObject obj)
    {
        var kind = (string)obj["kind"]!;
        var meta = obj["metadata"]!;
        var ns = (string?)meta["namespace"];
        var name = (string)meta["name"]!;
        return string.IsNullOrEmpty(ns) ? $"{kind}/{name}" : $"{kind}/{ns}/{name}";
    }

    private void Store(string key, JsonObject obj)
    {
        _version++;
        obj["metadata"]!["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture);
        _objects[key] = new StoredObject(obj, _version);
        Record(key, obj);
    }

    private void Record(string key, JsonObject? obj)
    {
        if (obj is null)
        {
            _version++;
        }
        Changes++;
        _log.Add(new WatchEvent(_version, _time.GetTimestamp(), key, obj is null ? null : (JsonObject)obj.DeepClone()));
    }

    private void ThrowIfUnavailable(string what)
    {
        if (_time.GetTimestamp() < UnavailableUntil)
        {
            throw new KubernetesApiException(500, $"{what}: etcdserver: request timed out");
        }
    }

    private static JsonObject Strip(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("resourceVersion");
        return copy;
    }
}

/// <summary>One object as stored, with the version of its last change.</summary>
internal sealed record StoredObject(JsonObject Object, long Version);

/// <summary>A watch event: ADDED/MODIFIED carry the object, DELETED carries null.</summary>
internal sealed record WatchEvent(long Version, long At, string Key, JsonObject? Object);
