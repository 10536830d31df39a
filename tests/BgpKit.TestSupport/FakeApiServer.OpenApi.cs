using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// The least of OpenAPI v3 that kubectl needs before it writes: create and apply validate on the
/// server (fieldValidation) only once the group-version document shows a PATCH operation for the
/// kind that takes that parameter; without it kubectl wants the whole v2 schema to validate itself.
/// </summary>
public sealed partial class FakeApiServer
{
    private JsonNode? OpenApi(string[] segments, FakeApiResource[] resources)
    {
        switch (segments)
        {
            case ["openapi", "v3"]:
                var paths = new JsonObject();
                foreach (var apiVersion in resources.Select(r => r.ApiVersion).Distinct(StringComparer.Ordinal))
                {
                    var prefix = apiVersion.Contains('/', StringComparison.Ordinal) ? "apis/" : "api/";
                    paths[prefix + apiVersion] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{prefix}{apiVersion}?hash=fake" };
                }
                return new JsonObject { ["paths"] = paths };
            case ["openapi", "v3", "api", var version]:
                return GroupVersionDocument("", version, resources);
            case ["openapi", "v3", "apis", var group, var version]:
                return GroupVersionDocument(group, version, resources);
            default:
                return null;
        }
    }

    private static JsonObject? GroupVersionDocument(string group, string version, FakeApiResource[] all)
    {
        var served = all.Where(r => r.Group == group && r.Version == version).ToArray();
        if (served.Length == 0)
        {
            return null;
        }
        var paths = new JsonObject();
        foreach (var resource in served)
        {
            var root = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var scope = resource.Namespaced ? "/namespaces/{namespace}" : "";
            paths[$"{root}{scope}/{resource.Plural}/{{name}}"] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = resource.Kind },
                    ["parameters"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "fieldValidation",
                        ["in"] = "query",
                        ["schema"] = new JsonObject { ["type"] = "string" },
                    }),
                },
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0-fake" },
            ["paths"] = paths,
        };
    }
}
