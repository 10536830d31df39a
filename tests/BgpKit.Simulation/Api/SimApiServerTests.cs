using System.Globalization;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.Simulation.Roles;
using BgpKit.TestSupport;

namespace BgpKit.Simulation.Api;

/// <summary>The simulated API server's patch preconditions, which must match the real server's (and FakeApiServer's).</summary>
public sealed class SimApiServerTests
{
    private const string Key = "Service/default/web";
    private readonly SimApiServer _server = new(new ManualTimeProvider());

    public SimApiServerTests() => _server.Apply(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["type"] = "LoadBalancer" },
    });

    private string Version => _server.VersionOf(Key).ToString(CultureInfo.InvariantCulture);

    private static Action<JsonObject> Ingress(string ip) => status => status["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = ip }) };

    private string? StoredIngress => (string?)_server.Get(Key)!["status"]?["loadBalancer"]?["ingress"]?[0]?["ip"];

    [Fact]
    public void A_patch_carrying_a_stale_resourceVersion_gets_409_status_subresource_included_and_changes_nothing()
    {
        var observed = Version;
        _server.PatchAnnotation(Key, "example.com/edit", "1"); // someone else's write

        Assert.Equal(409, Assert.Throws<KubernetesApiException>(() => _server.PatchStatus(Key, Ingress("192.0.2.1"), observed)).StatusCode);
        Assert.Equal(409, Assert.Throws<KubernetesApiException>(() => _server.PatchAnnotation(Key, ObservedCluster.AllocatedFromPool, "pool", observed)).StatusCode);
        Assert.Null(StoredIngress);

        _server.PatchStatus(Key, Ingress("192.0.2.1"), Version);
        Assert.Equal("192.0.2.1", StoredIngress);
    }

    [Fact]
    public void A_patch_without_a_resourceVersion_is_unconditional()
    {
        _server.PatchAnnotation(Key, "example.com/edit", "1");
        _server.PatchStatus(Key, Ingress("192.0.2.2"));
        _server.PatchAnnotation(Key, ObservedCluster.AllocatedFromPool, "pool", "");
        Assert.Equal("192.0.2.2", StoredIngress);
    }

    [Fact]
    public async Task The_writer_shows_the_invariants_only_writes_the_server_accepts_and_returns_the_new_version()
    {
        var writer = new SimClusterWriter(_server, _ => null);
        var shown = new List<ClusterWrite>();
        writer.Written += shown.Add;
        var service = new ServiceRef("default", "web", null);
        var observed = Version;
        _server.PatchAnnotation(Key, "example.com/edit", "1");

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => writer.WriteAsync(new SetServiceIngress(service, ["192.0.2.1"]) { ResourceVersion = observed }, default));
        Assert.Equal(409, refused.StatusCode);
        Assert.Empty(shown);

        var accepted = await writer.WriteAsync(new SetServiceIngress(service, ["192.0.2.1"]) { ResourceVersion = Version }, default);
        Assert.Equal(Version, accepted);
        Assert.Single(shown);
    }
}
