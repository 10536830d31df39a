using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace BgpKit.Deploy.Tests.Crds;

/// <summary>
/// One served version of a CRD as a JSON Schema (2020-12, evaluated by JsonSchema.Net), judging a
/// document the way the API server does before admission webhooks run, with kubectl's default strict
/// field validation: unknown fields are refused (Kubernetes prunes them; kubectl 1.27+ asks it to refuse),
/// and so are wrong types, values outside an enum or a range, and missing required fields.
/// <c>metadata</c> is judged as ObjectMeta (labels and annotations are string maps). CEL rules
/// (<c>x-kubernetes-validations</c>) are not evaluated.
/// </summary>
public sealed class CrdSchema
{
    private static int s_count;

    private readonly JsonSchema _schema;

    public CrdSchema(string group, string version, string kind, JsonObject openApiV3Schema)
    {
        (Group, Version, Kind, OpenApi) = (group, version, kind, openApiV3Schema);
        var root = Translate(openApiV3Schema);
        root["properties"]!["metadata"] = ObjectMeta();
        JsonSchemaDocument = root;
        var id = Interlocked.Increment(ref s_count);
        _schema = JsonSchema.FromText(root.ToJsonString(), baseUri: new Uri($"https://bgpkit.test/crd/{group}/{version}/{kind}/{id}"));
    }

    public string Group { get; }

    public string Version { get; }

    public string Kind { get; }

    public string ApiVersion => $"{Group}/{Version}";

    /// <summary>The CRD's own schema.</summary>
    public JsonObject OpenApi { get; }

    /// <summary>The translated JSON Schema.</summary>
    public JsonObject JsonSchemaDocument { get; }

    /// <summary>Why the server would refuse <paramref name="document"/>, one line per problem ("spec.x: ..."); empty when it accepts it.</summary>
    public IReadOnlyList<string> Validate(JsonObject document)
    {
        using var json = JsonDocument.Parse(document.ToJsonString());
        var results = _schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }
        var problems = new List<string>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } errors)
            {
                continue;
            }
            var location = Segments(detail.InstanceLocation.ToString());
            var evaluationPath = detail.EvaluationPath.ToString();
            foreach (var (keyword, message) in errors)
            {
                problems.Add($"{Dotted(location)}: {Explain(keyword, message, location, evaluationPath, document)}");
            }
        }
        return problems.Distinct().ToList();
    }

    private string Explain(string keyword, string message, string[] location, string evaluationPath, JsonObject document)
    {
        if (evaluationPath.Contains("/additionalProperties", StringComparison.Ordinal) && location.Length > 0)
        {
            var field = location[^1];
            var known = (SchemaAt(location[..^1])?["properties"] as JsonObject)?.Select(p => p.Key).ToList() ?? [];
            // A different case, a dropped plural "s", a typo: the closest known name within two edits.
            var near = known.Select(k => (Name: k, Distance: Distance(k.ToLowerInvariant(), field.ToLowerInvariant())))
                .Where(k => k.Distance <= 2).OrderBy(k => k.Distance).Select(k => k.Name).FirstOrDefault();
            return $"unknown field \"{field}\"" + (near is null
                ? known.Count == 0 ? "" : $" (known fields: {string.Join(", ", known)})"
                : $"; did you mean \"{near}\"?");
        }
        var value = ValueAt(document, location);
        var schema = SchemaAt(location);
        return keyword switch
        {
            "enum" when schema?["enum"] is JsonArray values => $"{Show(value)} is not one of {string.Join(", ", values.Select(v => v?.ToJsonString()))}",
            "type" when schema?["type"] is { } type => $"{Show(value)} is {JsonKind(value)}, must be {type.ToJsonString().Trim('"')}",
            "minimum" or "maximum" when schema is not null => $"{Show(value)} is out of range [{schema["minimum"]?.ToJsonString() ?? "-inf"}, {schema["maximum"]?.ToJsonString() ?? "inf"}]",
            _ => message,
        };
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private JsonObject? SchemaAt(string[] location)
    {
        JsonNode? node = JsonSchemaDocument;
        foreach (var segment in location)
        {
            node = node?["properties"]?[segment] ?? node?["items"] ?? (node?["additionalProperties"] as JsonObject);
        }
        return node as JsonObject;
    }

    private static JsonNode? ValueAt(JsonNode? node, string[] location)
    {
        foreach (var segment in location)
        {
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }
        return node;
    }

    private static string Show(JsonNode? value) => value?.ToJsonString() ?? "null";

    private static string JsonKind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        },
    };

    private static string[] Segments(string pointer) =>
        pointer.Length == 0 ? [] : pointer.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static string Dotted(string[] segments)
    {
        var text = "";
        foreach (var s in segments)
        {
            text += int.TryParse(s, out _) ? $"[{s}]" : text.Length == 0 ? s : "." + s;
        }
        return text.Length == 0 ? "(object)" : text;
    }

    /// <summary>The Kubernetes OpenAPI v3 subset of a structural schema, as JSON Schema 2020-12.</summary>
    private static JsonObject Translate(JsonObject k8s)
    {
        var s = new JsonObject();
        bool preserve = k8s["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        if (k8s["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            s["type"] = new JsonArray("integer", "string");
        }
        else if (k8s["type"] is { } type)
        {
            s["type"] = k8s["nullable"]?.GetValue<bool>() == true ? new JsonArray(type.DeepClone(), "null") : type.DeepClone();
        }
        foreach (var keyword in new[] { "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "multipleOf", "required", "format" })
        {
            if (k8s[keyword] is { } value)
            {
                s[keyword] = value.DeepClone();
            }
        }
        // OpenAPI v3.0's boolean exclusive bounds are numbers in 2020-12.
        if (k8s["exclusiveMinimum"]?.GetValue<bool>() == true)
        {
            s["exclusiveMinimum"] = s["minimum"]!.DeepClone();
            s.Remove("minimum");
        }
        if (k8s["exclusiveMaximum"]?.GetValue<bool>() == true)
        {
            s["exclusiveMaximum"] = s["maximum"]!.DeepClone();
            s.Remove("maximum");
        }
        if (k8s["properties"] is JsonObject properties)
        {
            s["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Translate((JsonObject)p.Value!))));
        }
        if (k8s["additionalProperties"] is JsonObject additional)
        {
            s["additionalProperties"] = Translate(additional);
        }
        else if (k8s["additionalProperties"] is JsonValue allowed)
        {
            s["additionalProperties"] = allowed.DeepClone();
        }
        else if (!preserve && (k8s["type"]?.GetValue<string>() == "object" || k8s["properties"] is not null))
        {
            s["additionalProperties"] = false;
        }
        if (k8s["items"] is JsonObject items)
        {
            s["items"] = Translate(items);
        }
        foreach (var junctor in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (k8s[junctor] is JsonArray branches)
            {
                s[junctor] = new JsonArray(branches.Select(b => (JsonNode?)TranslateValidationOnly((JsonObject)b!)).ToArray());
            }
        }
        if (k8s["not"] is JsonObject not)
        {
            s["not"] = TranslateValidationOnly(not);
        }
        return s;
    }

    // Inside allOf/anyOf/oneOf/not a structural schema only adds value validations: an object there must
    // not close the object (the outer schema decides what fields exist).
    private static JsonObject TranslateValidationOnly(JsonObject k8s)
    {
        var s = Translate(k8s);
        s.Remove("additionalProperties");
        return s;
    }

    private static JsonObject ObjectMeta()
    {
        static JsonObject Str() => new() { ["type"] = "string" };
        static JsonObject StringMap() => new() { ["type"] = "object", ["additionalProperties"] = Str() };
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["name"] = Str(),
                ["generateName"] = Str(),
                ["namespace"] = Str(),
                ["labels"] = StringMap(),
                ["annotations"] = StringMap(),
                ["finalizers"] = new JsonObject { ["type"] = "array", ["items"] = Str() },
                ["ownerReferences"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" } },
                // Written by the server; present in objects read back with kubectl get -o yaml.
                ["uid"] = Str(),
                ["resourceVersion"] = Str(),
                ["generation"] = new JsonObject { ["type"] = "integer" },
                ["creationTimestamp"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
                ["deletionTimestamp"] = Str(),
                ["deletionGracePeriodSeconds"] = new JsonObject { ["type"] = "integer" },
                ["managedFields"] = new JsonObject { ["type"] = "array" },
                ["selfLink"] = Str(),
            },
            ["additionalProperties"] = false,
        };
    }
}
