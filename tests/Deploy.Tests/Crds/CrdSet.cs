using System.Text.Json.Nodes;

namespace BgpKit.Deploy.Tests.Crds;

/// <summary>The CustomResourceDefinitions of deploy/bgpkit.yaml, one <see cref="CrdSchema"/> per served version.</summary>
public static class CrdSet
{
    private static readonly Lazy<List<CrdSchema>> LazyAll = new(() =>
        Manifests.OfKind("CustomResourceDefinition").SelectMany(crd =>
        {
            var spec = crd["spec"]!;
            var group = spec["group"]!.GetValue<string>();
            var kind = spec["names"]!["kind"]!.GetValue<string>();
            return spec["versions"]!.AsArray().Where(v => v!["served"]!.GetValue<bool>()).Select(v =>
                new CrdSchema(group, v!["name"]!.GetValue<string>(), kind, (JsonObject)v["schema"]!["openAPIV3Schema"]!));
        }).ToList());

    public static IReadOnlyList<CrdSchema> All => LazyAll.Value;

    /// <summary>The schema for the document's apiVersion and kind, or null when no CRD of ours serves it.</summary>
    public static CrdSchema? For(JsonObject document)
    {
        var apiVersion = document["apiVersion"]?.GetValue<string>();
        var kind = document["kind"]?.GetValue<string>();
        return All.FirstOrDefault(s => s.ApiVersion == apiVersion && s.Kind == kind);
    }

    public static CrdSchema Get(string apiVersion, string kind) => All.Single(s => s.ApiVersion == apiVersion && s.Kind == kind);
}
