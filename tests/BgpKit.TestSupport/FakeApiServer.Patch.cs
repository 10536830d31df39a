using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// PATCH in the three forms clients send: JSON merge patch (RFC 7386), strategic merge patch
/// (built-in kinds only, as on the real server), and JSON patch (RFC 6902). The patched object
/// then goes through the same update rules as a PUT.
/// </summary>
public sealed partial class FakeApiServer
{
    /// <summary>
    /// Lists of objects that a strategic merge patch merges by a key (the patchMergeKey of the Go
    /// types); every other list is replaced, as status.loadBalancer.ingress is by the real server.
    /// </summary>
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["conditions"] = "type",
        ["ports"] = "port",
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["ownerReferences"] = "uid",
        ["taints"] = "key",
        ["addresses"] = "type",
    };

    private Reply Patch(ResourcePath path, string? contentType, JsonNode? patch)
    {
        var media = contentType?.Split(';')[0].Trim();
        var resource = Describe(path);
        Func<JsonObject, JsonNode?, JsonObject?>? apply = media switch
        {
            "application/merge-patch+json" => (target, p) => MergePatch(target, p) as JsonObject,
            "application/strategic-merge-patch+json" when !resource.Custom => (target, p) => StrategicMerge(target, p) as JsonObject,
            "application/json-patch+json" => JsonPatch,
            _ => null,
        };
        if (apply is null)
        {
            var accepted = resource.Custom
                ? "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                : "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json";
            return Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {accepted}");
        }
        lock (_gate)
        {
            if (!Objects(path.Collection).TryGetValue(path.Key, out var stored))
            {
                return NotFound(path);
            }
            JsonObject? patched;
            try
            {
                patched = apply((JsonObject)stored.DeepClone(), patch);
            }
            catch (InvalidOperationException e)
            {
                return Failure(422, "Invalid", e.Message, path);
            }
            if (patched is null)
            {
                return Failure(400, "BadRequest", "the patch did not produce an object");
            }
            if (patched["metadata"]?["resourceVersion"]?.GetValue<string>() == stored["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                // Only a resourceVersion the patch itself sets is a precondition.
                var sent = (patch as JsonObject)?["metadata"]?["resourceVersion"];
                if (sent is null)
                {
                    ((JsonObject)patched["metadata"]!).Remove("resourceVersion");
                }
            }
            return Commit(path, stored, patched);
        }
    }

    /// <summary>RFC 7386: objects merge key by key, null removes, anything else replaces.</summary>
    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject changes)
        {
            return patch?.DeepClone();
        }
        var result = target as JsonObject ?? [];
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = MergePatch(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }
        return result;
    }

    /// <summary>
    /// Strategic merge patch as far as our clients and kubectl apply use it: maps merge as in a
    /// merge patch; lists named in <see cref="MergeKeys"/> merge item by item (<c>$patch: delete</c>
    /// removes one); <c>$patch: replace</c> replaces a map; the <c>$setElementOrder/</c> and
    /// <c>$retainKeys</c> directives kubectl adds are honoured only as far as not failing, and
    /// <c>$deleteFromPrimitiveList/</c> removes values from a list of scalars.
    /// </summary>
    private static JsonNode? StrategicMerge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject changes)
        {
            return patch?.DeepClone();
        }
        if (changes["$patch"]?.GetValue<string>() == "replace")
        {
            var replaced = (JsonObject)changes.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }
        var result = target as JsonObject ?? [];
        foreach (var (key, value) in changes)
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal) || key is "$retainKeys" or "$patch")
            {
                continue;
            }
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var listName = key["$deleteFromPrimitiveList/".Length..];
                if (result[listName] is JsonArray values && value is JsonArray gone)
                {
                    foreach (var item in values.Where(v => gone.Any(g => JsonNode.DeepEquals(g, v))).ToArray())
                    {
                        values.Remove(item);
                    }
                }
                continue;
            }
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonArray items && MergeKeys.TryGetValue(key, out var mergeKey) && items.All(i => i is JsonObject o && o.ContainsKey(mergeKey)))
            {
                result[key] = MergeList(result[key] as JsonArray ?? [], items, mergeKey);
            }
            else
            {
                result[key] = StrategicMerge(result[key]?.DeepClone(), value);
            }
        }
        return result;
    }

    private static JsonArray MergeList(JsonArray current, JsonArray changes, string mergeKey)
    {
        var merged = (JsonArray)current.DeepClone();
        foreach (var change in changes.Cast<JsonObject>())
        {
            var key = change[mergeKey];
            var existing = merged.FirstOrDefault(i => JsonNode.DeepEquals(i?[mergeKey], key));
            if (change["$patch"]?.GetValue<string>() == "delete")
            {
                if (existing is not null)
                {
                    merged.Remove(existing);
                }
                continue;
            }
            if (existing is null)
            {
                merged.Add(change.DeepClone());
            }
            else
            {
                var index = merged.IndexOf(existing);
                merged[index] = StrategicMerge(existing.DeepClone(), change);
            }
        }
        return merged;
    }

    /// <summary>RFC 6902: add, remove, replace, move, copy, test on JSON pointers (RFC 6901).</summary>
    private static JsonObject? JsonPatch(JsonObject target, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw new InvalidOperationException("a JSON patch must be an array of operations");
        }
        JsonNode root = target;
        foreach (var operation in operations)
        {
            var op = operation?["op"]?.GetValue<string>();
            var path = operation?["path"]?.GetValue<string>() ?? throw new InvalidOperationException("a JSON patch operation needs a path");
            var value = operation?["value"];
            switch (op)
            {
                case "add":
                    Add(root, path, value?.DeepClone());
                    break;
                case "remove":
                    Take(root, path);
                    break;
                case "replace":
                    Take(root, path);
                    Add(root, path, value?.DeepClone());
                    break;
                case "move":
                    Add(root, path, Take(root, operation!["from"]!.GetValue<string>()));
                    break;
                case "copy":
                    Add(root, path, Find(root, operation!["from"]!.GetValue<string>())?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Find(root, path), value))
                    {
                        throw new InvalidOperationException($"the test operation at {path} failed");
                    }
                    break;
                default:
                    throw new InvalidOperationException($"unknown JSON patch operation \"{op}\"");
            }
        }
        return root as JsonObject;
    }

    private static string[] Pointer(string path) =>
        path.Length == 0 ? [] : [.. path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static JsonNode? Find(JsonNode root, string path)
    {
        var node = root;
        foreach (var token in Pointer(path))
        {
            node = node switch
            {
                JsonObject o when o.ContainsKey(token) => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new InvalidOperationException($"the path {path} does not exist"),
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    private static (JsonNode Parent, string Token) Parent(JsonNode root, string path)
    {
        var tokens = Pointer(path);
        if (tokens.Length == 0)
        {
            throw new InvalidOperationException("a JSON patch may not replace the whole object");
        }
        var parentPath = path[..path.LastIndexOf('/')];
        var parent = Find(root, parentPath) ?? throw new InvalidOperationException($"the path {parentPath} does not exist");
        return (parent, tokens[^1]);
    }

    private static void Add(JsonNode root, string path, JsonNode? value)
    {
        var (parent, token) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o:
                o[token] = value;
                break;
            case JsonArray a when token == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(token, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new InvalidOperationException($"cannot add at {path}");
        }
    }

    private static JsonNode? Take(JsonNode root, string path)
    {
        var (parent, token) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(token):
                var value = o[token];
                o.Remove(token);
                return value;
            case JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default:
                throw new InvalidOperationException($"the path {path} does not exist");
        }
    }
}
