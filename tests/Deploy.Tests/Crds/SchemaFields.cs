using System.Text.Json.Nodes;

namespace BgpKit.Deploy.Tests.Crds;

/// <summary>Walks a CRD's OpenAPI schema field by field, with paths as UpstreamFields writes them (list items drop their index).</summary>
public static class SchemaFields
{
    /// <summary>Every field below <paramref name="schema"/> as (path, schema), parents before children; label selectors are one field.</summary>
    public static IEnumerable<(string Path, JsonObject Schema)> Walk(JsonObject schema, string prefix)
    {
        foreach (var (name, child) in Properties(schema))
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return (path, child);
            if (IsLabelSelector(child))
            {
                continue;
            }
            foreach (var inner in Walk(Element(child), path))
            {
                yield return inner;
            }
        }
    }

    /// <summary>The schema of a list's items, else the schema itself.</summary>
    public static JsonObject Element(JsonObject schema) => schema["items"] as JsonObject ?? schema;

    public static IEnumerable<(string Name, JsonObject Schema)> Properties(JsonObject schema) =>
        (Element(schema)["properties"] as JsonObject ?? []).Select(p => (p.Key, (JsonObject)p.Value!));

    /// <summary>A metav1.LabelSelector (matchLabels, matchExpressions), read whole by MetalLb.Model.</summary>
    public static bool IsLabelSelector(JsonObject schema)
    {
        var names = Properties(schema).Select(p => p.Name).ToHashSet();
        return names.SetEquals(["matchLabels", "matchExpressions"]);
    }

    /// <summary>A schema default as UpstreamFields writes defaults: 179, true, [], [unicast], a string as is.</summary>
    public static string? Default(JsonObject schema) => schema["default"] switch
    {
        null => null,
        JsonArray a => "[" + string.Join(",", a.Select(v => v is JsonValue value && value.TryGetValue<string>(out var s) ? s : v?.ToJsonString())) + "]",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonNode n => n.ToJsonString(),
    };
}
