using System.Text.Json.Nodes;
using BgpKit.Deploy.Tests.Crds;
using YamlDotNet.Core;

namespace BgpKit.Deploy.Tests.Seeds;

/// <summary>
/// What `kubectl apply` of a YAML text meets before any admission webhook: YAML parsing, then for each
/// object of the groups our CRDs serve, the CRD's schema (an unserved kind of those groups is refused as the
/// server refuses it). Objects of other groups (Secrets, Services, the MetalLB operator's own kinds ...) are not judged here.
/// </summary>
public static class SchemaJudge
{
    private static readonly string[] Groups = ["metallb.io", "frrk8s.metallb.io"];

    public static IReadOnlyList<string> Problems(string yaml)
    {
        List<JsonNode> documents;
        try
        {
            documents = YamlJson.Documents(yaml);
        }
        catch (YamlException e)
        {
            return [$"not valid YAML at line {e.Start.Line}: {e.Message}"];
        }
        var problems = new List<string>();
        foreach (var node in documents)
        {
            if (node is not JsonObject document)
            {
                problems.Add($"not an object: {node.ToJsonString()}");
                continue;
            }
            var apiVersion = document["apiVersion"]?.ToString() ?? "";
            var kind = document["kind"]?.ToString() ?? "";
            var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
            if (!Groups.Contains(group))
            {
                continue;
            }
            var name = document["metadata"]?["name"]?.ToString() ?? "";
            if (CrdSet.For(document) is not { } schema)
            {
                problems.Add($"{kind} \"{name}\": no kind \"{kind}\" is served in version \"{apiVersion}\"");
                continue;
            }
            problems.AddRange(schema.Validate(document).Select(p => $"{kind} \"{name}\": {p}"));
        }
        return problems;
    }
}
