using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Controller;

/// <summary>
/// The controller's writes through KubernetesClient against the fake API server: a Service write is conditional on
/// the resourceVersion it was planned from, so an address chosen from a Service that has changed since is refused.
/// </summary>
public sealed class KubernetesClusterWriterTests : IDisposable
{
    private readonly FakeApiServer _server = new();
    private readonly k8s.Kubernetes _client;
    private readonly KubernetesApiClient _apiClient;
    private readonly ControllerMetrics _metrics = new();
    private readonly KubernetesClusterWriter _writer;

    public KubernetesClusterWriterTests()
    {
        ApiObjects.Seed(_server);
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url.ToString() });
        _apiClient = new KubernetesApiClient(new KubernetesApiOptions { Server = _server.Url, Namespace = "metallb-system" });
        _writer = new KubernetesClusterWriter(_client, new ManualTimeProvider(), "controller-0");
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _apiClient.Dispose();
        _client.Dispose();
        _server.Dispose();
    }

    private static ServiceRef Web => new("default", "web", "u-web");

    private string VersionOfWeb() => _server.Get("v1", "services", "default", "web")!["metadata"]!["resourceVersion"]!.GetValue<string>();

    [Fact]
    public async Task A_Service_write_planned_from_an_older_version_is_refused_with_409_and_changes_nothing()
    {
        var observed = VersionOfWeb();
        _server.Put(ApiObjects.Service("web", loadBalancerIp: "198.51.100.9")); // a user's edit after the controller read it

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            _writer.WriteAsync(new SetServiceIngress(Web, ["198.51.100.1"]) { ResourceVersion = observed }, default));
        Assert.Equal(409, refused.StatusCode);
        Assert.Contains("PATCH services/status default/web", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<KubernetesApiException>(() => _writer.WriteAsync(new SetAllocatedPool(Web, "pool") { ResourceVersion = observed }, default));
        Assert.Empty(_server.Ingress("default", "web"));

        var current = VersionOfWeb();
        var after = await _writer.WriteAsync(new SetServiceIngress(Web, ["198.51.100.9"]) { ResourceVersion = current }, default);
        Assert.Equal(["198.51.100.9"], _server.Ingress("default", "web"));
        Assert.Equal(VersionOfWeb(), after);
        Assert.NotEqual(current, after);
    }

    [Fact]
    public async Task Reading_a_Services_version_gives_the_servers_current_one_and_null_for_a_missing_Service()
    {
        Assert.Equal(VersionOfWeb(), await _writer.ReadServiceVersionAsync(Web, default));
        _server.Put(ApiObjects.Service("web", loadBalancerIp: "198.51.100.9"));
        Assert.Equal(VersionOfWeb(), await _writer.ReadServiceVersionAsync(Web, default));
        Assert.Null(await _writer.ReadServiceVersionAsync(new ServiceRef("default", "gone", null), default));
    }

    [Fact]
    public async Task A_write_without_a_version_is_unconditional()
    {
        _server.Put(ApiObjects.Service("web", loadBalancerIp: "198.51.100.9"));
        await _writer.WriteAsync(new SetServiceIngress(Web, ["198.51.100.9"]), default);
        await _writer.WriteAsync(new SetAllocatedPool(Web, "pool"), default);
        Assert.Equal(["198.51.100.9"], _server.Ingress("default", "web"));
    }

    [Fact]
    public async Task A_pass_from_a_stale_snapshot_writes_nothing_for_the_changed_Service_and_the_next_pass_writes_status_then_annotation()
    {
        // Found by tests/BgpKit.Simulation (seeds 52, 2612): a replica whose watch lagged wrote an address chosen from a
        // Service spec that had already changed. Now the write is refused, no Event claims it, and the pass asks for a retry.
        var leadership = new AlwaysLeading();
        var controller = new ClusterController("metallb-system", leadership, _writer, new ManualTimeProvider(), NullLogger.Instance, _metrics);
        controller.Observe(Snapshot());
        _server.Put(ApiObjects.Service("web", loadBalancerIp: "198.51.100.9"));

        Assert.False(await controller.PassAsync(default));
        Assert.Empty(_server.Ingress("default", "web"));
        Assert.Empty((await _client.CoreV1.ListNamespacedEventAsync("default")).Items);

        controller.Observe(Snapshot());
        Assert.True(await controller.PassAsync(default));
        Assert.Equal(["198.51.100.9"], _server.Ingress("default", "web"));
        // The annotation, written second, was conditioned on the version the status write produced, not the one observed.
        Assert.Equal("pool", _server.Get("v1", "services", "default", "web")!["metadata"]!["annotations"]!["metallb.io/ip-allocated-from-pool"]!.GetValue<string>());
        Assert.Equal("IPAllocated", Assert.Single((await _client.CoreV1.ListNamespacedEventAsync("default")).Items).Reason);
    }

    /// <summary>What the controller's API source yields now: the store's objects normalized as its reflectors do (Service versions kept).</summary>
    private ResourceSnapshot Snapshot()
    {
        var documents = new List<ManifestDocument>();
        foreach (var kind in KubernetesResourceKind.MetalLbController.Where(k => k.Kind is "IPAddressPool" or "Service"))
        {
            var reflector = new ResourceReflector(kind, "metallb-system", _apiClient, TimeProvider.System, NullLogger.Instance, () => { });
            var plural = kind.Plural;
            var ns = kind.Kind == "Service" ? "default" : "metallb-system";
            var name = kind.Kind == "Service" ? "web" : "pool";
            var obj = (JsonObject)_server.Get(kind.ApiVersion, plural, ns, name)!;
            documents.Add(new ManifestDocument($"{kind.Kind}/{ns}/{name}", reflector.Normalize(obj)));
        }
        return new ResourceSnapshot("test", documents, []);
    }

    private sealed class AlwaysLeading : ILeadership
    {
        public string Identity => "controller-0";

        public string? Leader => Identity;

        public bool MayWrite => true;

        public event Action? Changed
        {
            add { }
            remove { }
        }

        public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
