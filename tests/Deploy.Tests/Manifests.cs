using System.Text.Json.Nodes;
using BgpKit.TestSupport;

namespace BgpKit.Deploy.Tests;

/// <summary>deploy/ and its committed render, deploy/bgpkit.yaml, read once.</summary>
public static class Manifests
{
    public static string DeployDirectory => Path.Combine(SharedData.RepoRoot, "deploy");

    public static string RenderPath => Path.Combine(DeployDirectory, "bgpkit.yaml");

    private static readonly Lazy<List<JsonObject>> LazyRendered = new(() => YamlJson.Objects(File.ReadAllText(RenderPath)));

    /// <summary>Every object of deploy/bgpkit.yaml.</summary>
    public static IReadOnlyList<JsonObject> Rendered => LazyRendered.Value;

    public static IEnumerable<JsonObject> OfKind(string kind) => Rendered.Where(o => Kind(o) == kind);

    public static JsonObject Single(string kind, string name) => Rendered.Single(o => Kind(o) == kind && Name(o) == name);

    public static string Kind(JsonNode o) => o["kind"]?.GetValue<string>() ?? "";

    public static string Name(JsonNode o) => o["metadata"]?["name"]?.GetValue<string>() ?? "";
}
