using System.Globalization;
using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>GET one object, create, replace, delete, and the garbage collection of dependents.</summary>
public sealed partial class FakeApiServer
{
    private const string Modified = "the object has been modified; please apply your changes to the latest version and try again";

    private Reply Read(ResourcePath path)
    {
        lock (_gate)
        {
            return Objects(path.Collection).TryGetValue(path.Key, out var obj) ? new Reply(200, obj.DeepClone()) : NotFound(path);
        }
    }

    private static Reply NotFound(ResourcePath path) =>
        Failure(404, "NotFound", $"{path.Qualified} \"{path.Name}\" not found", path);

    private Reply Create(ResourcePath path, JsonNode? body)
    {
        if (body is not JsonObject obj || obj["metadata"] is not (JsonObject or null))
        {
            return Failure(400, "BadRequest", "the body of the request was not a JSON object");
        }
        var resource = Describe(path);
        obj["apiVersion"] ??= path.ApiVersion;
        if (obj["kind"] is null && resource is { Custom: false, Kind.Length: > 0 })
        {
            // Typed endpoints decode with the resource's kind as the default, so typed clients
            // (KubernetesClient's LeaseLock, its event calls) may leave apiVersion and kind out.
            obj["kind"] = resource.Kind;
        }
        if (obj["kind"]?.GetValue<string>() is not { Length: > 0 } kind)
        {
            return Failure(400, "BadRequest", "Object 'Kind' is missing in the request body");
        }
        var metadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = metadata;
        if (metadata["namespace"]?.GetValue<string>() is { } given && path.Namespace is { } ns && given != ns)
        {
            return Failure(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        }
        if (path.Namespace is not null)
        {
            metadata["namespace"] = path.Namespace;
        }
        lock (_gate)
        {
            if (metadata["name"]?.GetValue<string>() is not { Length: > 0 } name)
            {
                if (metadata["generateName"]?.GetValue<string>() is not { Length: > 0 } prefix)
                {
                    return Failure(422, "Invalid", $"{kind}.{path.Group} \"\" is invalid: metadata.name: Required value: name or generateName is required", path, "");
                }
                // The real server appends five characters from an alphabet without vowels or look-alikes.
                const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
                do
                {
                    name = prefix + string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
                }
                while (Objects(path.Collection).ContainsKey(path.Namespace is null ? name : path.Namespace + "/" + name));
                metadata["name"] = name;
            }
            var at = path with { Name = name };
            if (Objects(at.Collection).ContainsKey(at.Key))
            {
                return Failure(409, "AlreadyExists", $"{at.Qualified} \"{name}\" already exists", at);
            }
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Timestamp();
            metadata.Remove("deletionTimestamp");
            if (resource.HasStatus)
            {
                // The status subresource owns status: create keeps none of it (custom resources) or
                // starts from the kind's initial status (Service, Pod, Namespace); Nodes keep theirs.
                if (!resource.KeepsStatusOnCreate)
                {
                    obj.Remove("status");
                    if (resource.StatusOnCreate is { } initial)
                    {
                        obj["status"] = initial.DeepClone();
                    }
                }
                metadata["generation"] = 1L;
            }
            ApplyDefaults(obj);
            var version = ++_version;
            metadata["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            Objects(at.Collection)[at.Key] = obj;
            Record(new Change(version, at.Collection, at.Namespace, "ADDED", obj.ToJsonString()));
            return new Reply(201, obj.DeepClone());
        }
    }

    private Reply Replace(ResourcePath path, JsonNode? body)
    {
        if (body is not JsonObject obj || obj["metadata"] is not JsonObject metadata)
        {
            return Failure(400, "BadRequest", "the body of the request was not a JSON object with metadata");
        }
        if (metadata["name"]?.GetValue<string>() is { } name && name != path.Name)
        {
            return Failure(400, "BadRequest", $"the name of the object ({name}) does not match the name on the URL ({path.Name})");
        }
        lock (_gate)
        {
            if (!Objects(path.Collection).TryGetValue(path.Key, out var stored))
            {
                return NotFound(path);
            }
            return Commit(path, stored, obj);
        }
    }

    /// <summary>
    /// Writes <paramref name="proposed"/> over <paramref name="stored"/> as an update does: a
    /// resourceVersion in it is a precondition; the server owns uid, creationTimestamp and
    /// generation; the status subresource decides whether status or everything else may change;
    /// a write that changes nothing is not a write (no new version, no event).
    /// </summary>
    private Reply Commit(ResourcePath path, JsonObject stored, JsonObject proposed)
    {
        var resource = Describe(path);
        var metadata = proposed["metadata"] as JsonObject ?? [];
        proposed["metadata"] = metadata;
        var storedMetadata = (JsonObject)stored["metadata"]!;
        if (metadata["resourceVersion"]?.GetValue<string>() is { Length: > 0 } expected && expected != storedMetadata["resourceVersion"]!.GetValue<string>())
        {
            return Failure(409, "Conflict", $"Operation cannot be fulfilled on {path.Qualified} \"{path.Name}\": {Modified}", path);
        }
        JsonObject next;
        if (path.Subresource == "status")
        {
            if (!resource.HasStatus)
            {
                return Failure(404, "NotFound", "the server could not find the requested resource");
            }
            // The status subresource ignores everything but status, metadata included.
            next = (JsonObject)stored.DeepClone();
            next["status"] = proposed["status"]?.DeepClone();
            if (next["status"] is null)
            {
                next.Remove("status");
            }
        }
        else
        {
            next = (JsonObject)proposed.DeepClone();
            next["apiVersion"] = stored["apiVersion"]!.DeepClone();
            next["kind"] = stored["kind"]!.DeepClone();
            if (resource.HasStatus)
            {
                next.Remove("status");
                if (stored["status"] is { } status)
                {
                    next["status"] = status.DeepClone();
                }
            }
            var nextMetadata = (JsonObject)next["metadata"]!;
            foreach (var owned in new[] { "name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds" })
            {
                nextMetadata.Remove(owned);
                if (storedMetadata[owned] is { } value)
                {
                    nextMetadata[owned] = value.DeepClone();
                }
            }
            ApplyDefaults(next);
            if (storedMetadata["generation"] is not null && !JsonNode.DeepEquals(WithoutMetadataAndStatus(stored), WithoutMetadataAndStatus(next)))
            {
                nextMetadata["generation"] = long.Parse(storedMetadata["generation"]!.ToJsonString(), CultureInfo.InvariantCulture) + 1;
            }
        }
        ((JsonObject)next["metadata"]!)["resourceVersion"] = storedMetadata["resourceVersion"]!.DeepClone();
        if (JsonNode.DeepEquals(stored, next))
        {
            return new Reply(200, stored.DeepClone());
        }
        if (next["metadata"]!["deletionTimestamp"] is not null && next["metadata"]!["finalizers"] is not JsonArray { Count: > 0 })
        {
            // The last finalizer is gone from an object being deleted: now it goes.
            Objects(path.Collection)[path.Key] = next;
            return new Reply(200, Erase(path.Collection, path.Key, collect: true));
        }
        var version = ++_version;
        ((JsonObject)next["metadata"]!)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
        Objects(path.Collection)[path.Key] = next;
        Record(new Change(version, path.Collection, path.Namespace, "MODIFIED", next.ToJsonString()));
        return new Reply(200, next.DeepClone());
    }

    private static JsonObject WithoutMetadataAndStatus(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    /// <summary>
    /// DELETE: preconditions in the DeleteOptions are checked; an object with finalizers only gets
    /// a deletionTimestamp; otherwise it goes, and (unless propagationPolicy is Orphan) so do its
    /// dependents, as the garbage collector removes them in the background.
    /// </summary>
    private Reply Remove(ResourcePath path, JsonObject? options)
    {
        var resource = Describe(path);
        lock (_gate)
        {
            if (!Objects(path.Collection).TryGetValue(path.Key, out var stored))
            {
                return NotFound(path);
            }
            var metadata = (JsonObject)stored["metadata"]!;
            if (options?["preconditions"] is JsonObject preconditions
                && (preconditions["resourceVersion"]?.GetValue<string>() is { } expected && expected != metadata["resourceVersion"]!.GetValue<string>()
                    || preconditions["uid"]?.GetValue<string>() is { } uid && uid != metadata["uid"]?.GetValue<string>()))
            {
                return Failure(409, "Conflict", $"Operation cannot be fulfilled on {path.Qualified} \"{path.Name}\": the ResourceVersion or UID in the precondition does not match", path);
            }
            JsonObject last;
            if (metadata["finalizers"] is JsonArray { Count: > 0 })
            {
                if (metadata["deletionTimestamp"] is null)
                {
                    var next = (JsonObject)stored.DeepClone();
                    next["metadata"]!["deletionTimestamp"] = Timestamp();
                    next["metadata"]!["deletionGracePeriodSeconds"] = 0L;
                    var version = ++_version;
                    next["metadata"]!["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
                    Objects(path.Collection)[path.Key] = next;
                    Record(new Change(version, path.Collection, path.Namespace, "MODIFIED", next.ToJsonString()));
                    stored = next;
                }
                return new Reply(200, stored.DeepClone());
            }
            var orphan = options?["propagationPolicy"]?.GetValue<string>() == "Orphan" || options?["orphanDependents"]?.GetValue<bool>() == true;
            last = Erase(path.Collection, path.Key, collect: !orphan);
            if (orphan)
            {
                Orphan(metadata["uid"]!.GetValue<string>());
            }
            if (resource.ReturnsDeletedObject)
            {
                return new Reply(200, last);
            }
            var details = new JsonObject { ["name"] = path.Name, ["kind"] = path.Plural, ["uid"] = metadata["uid"]?.DeepClone() };
            if (path.Group.Length > 0)
            {
                details["group"] = path.Group;
            }
            return new Reply(200, new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = details,
            });
        }
    }

    /// <summary>Removes an object at a new version (DELETED event) and, with <paramref name="collect"/>, its dependents after it.</summary>
    private JsonObject Erase(string collection, string key, bool collect)
    {
        var obj = Objects(collection)[key];
        Objects(collection).Remove(key);
        var version = ++_version;
        obj["metadata"]!["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
        Record(new Change(version, collection, Namespace(obj), "DELETED", obj.ToJsonString()));
        if (collect && obj["metadata"]!["uid"]?.GetValue<string>() is { } uid)
        {
            Collect(uid);
        }
        return (JsonObject)obj.DeepClone();
    }

    /// <summary>
    /// The garbage collector's pass for a deleted owner: a dependent that names no other live
    /// owner is deleted (and its own dependents after it); one that still has another owner only
    /// loses the reference.
    /// </summary>
    private void Collect(string ownerUid)
    {
        foreach (var (collection, key, dependent) in Dependents(ownerUid))
        {
            var references = (JsonArray)dependent["metadata"]!["ownerReferences"]!;
            var others = references.Where(r => r?["uid"]?.GetValue<string>() != ownerUid).ToArray();
            if (others.Any(r => r?["uid"]?.GetValue<string>() is { } uid && Exists(uid)))
            {
                DropReference(collection, key, dependent, ownerUid);
            }
            else if (Objects(collection).ContainsKey(key))
            {
                Erase(collection, key, collect: true);
            }
        }
    }

    /// <summary>Orphan propagation: the dependents stay and lose their reference to the owner.</summary>
    private void Orphan(string ownerUid)
    {
        foreach (var (collection, key, dependent) in Dependents(ownerUid))
        {
            DropReference(collection, key, dependent, ownerUid);
        }
    }

    private List<(string Collection, string Key, JsonObject Object)> Dependents(string ownerUid) =>
        [.. _collections.SelectMany(c => c.Value.Select(o => (Collection: c.Key, o.Key, Object: o.Value)))
            .Where(o => o.Object["metadata"]?["ownerReferences"] is JsonArray references && references.Any(r => r?["uid"]?.GetValue<string>() == ownerUid))];

    private bool Exists(string uid) =>
        _collections.Values.Any(c => c.Values.Any(o => o["metadata"]?["uid"]?.GetValue<string>() == uid));

    private void DropReference(string collection, string key, JsonObject dependent, string ownerUid)
    {
        var next = (JsonObject)dependent.DeepClone();
        var references = (JsonArray)next["metadata"]!["ownerReferences"]!;
        foreach (var reference in references.Where(r => r?["uid"]?.GetValue<string>() == ownerUid).ToArray())
        {
            references.Remove(reference);
        }
        if (references.Count == 0)
        {
            ((JsonObject)next["metadata"]!).Remove("ownerReferences");
        }
        var version = ++_version;
        next["metadata"]!["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
        Objects(collection)[key] = next;
        Record(new Change(version, collection, Namespace(next), "MODIFIED", next.ToJsonString()));
    }

    private string Timestamp() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
