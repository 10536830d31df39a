using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;
using k8s;

namespace BgpKit.MetalLb.Kubernetes.Tests;

/// <summary>
/// Two controller replicas in one process against the fake API server, through the real client,
/// lease and writer: what the leader writes, that the follower writes nothing, and that a released
/// Lease hands over at once with no address moving.
/// </summary>
public sealed class ControllerHostTests : IDisposable
{
    private static readonly LeaderElectionTiming Fast = new()
    {
        LeaseDuration = TimeSpan.FromSeconds(3),
        RenewDeadline = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(500),
    };

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly FakeApiServer _server = new();
    private readonly k8s.Kubernetes _client;

    public ControllerHostTests()
    {
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url.ToString() });
        _server.Put(ApiObjects.Pool("198.51.100.0/30"));
        _server.Put(ApiObjects.Advertisement);
        _server.Put(ApiObjects.Service("web"));
        _server.Put(ApiObjects.Service("refused", loadBalancerIp: "203.0.113.99"));
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private ControllerHost Host(string identity) => new(new ControllerHostOptions
    {
        KubernetesApi = new KubernetesApiOptions { Server = _server.Url },
        Identity = identity,
        LeaderElection = Fast,
        MetricsEndPoint = null,
    });

    [Fact]
    public async Task The_leader_writes_status_annotation_events_pool_status_and_its_configuration_state()
    {
        await using var host = Host("controller-a");
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(stop.Token);
        try
        {
            await Poll.UntilAsync(() => _server.Ingress("default", "web").Length == 1, "the web service's address", Bound);
            Assert.Equal(["198.51.100.1"], _server.Ingress("default", "web")); // avoidBuggyIPs skips .0
            var web = await _client.CoreV1.ReadNamespacedServiceAsync("web", "default");
            Assert.Equal("pool", web.Metadata.Annotations["metallb.io/ip-allocated-from-pool"]);

            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("bgpkit-controller", "metallb-system");
            Assert.Equal("controller-a", lease.Spec.HolderIdentity);
            Assert.Equal(3, lease.Spec.LeaseDurationSeconds);

            await Poll.UntilAsync(() => Events().Any(e => e.Reason == "AllocationFailed"), "the AllocationFailed event", Bound);
            var events = Events();
            var allocated = Assert.Single(events, e => e.Reason == "IPAllocated");
            Assert.Equal(("Normal", "web", "Assigned IP [\"198.51.100.1\"]"), (allocated.Type, allocated.InvolvedObject.Name, allocated.Message));
            Assert.Equal(web.Metadata.Uid, allocated.InvolvedObject.Uid);
            var failed = Assert.Single(events, e => e.Reason == "AllocationFailed");
            Assert.Equal(("Warning", "refused"), (failed.Type, failed.InvolvedObject.Name));
            Assert.Contains("203.0.113.99", failed.Message, StringComparison.Ordinal);
            Assert.Empty(_server.Ingress("default", "refused"));

            await Poll.UntilAsync(() => PoolStatus()?["assignedIPv4"]?.GetValue<long>() == 1, "the pool's status", Bound);
            Assert.Equal(2, PoolStatus()!["availableIPv4"]!.GetValue<long>()); // .1, .2, .3 usable; one taken

            var state = (JsonObject)JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
                await _client.CustomObjects.GetNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "configurationstates", "controller")))!;
            Assert.Equal("Valid", state["status"]!["result"]!.GetValue<string>());
            Assert.Equal("controller", state["metadata"]!["labels"]!["metallb.io/component-type"]!.GetValue<string>());

            // A resync (any change) writes nothing new: no second event for the stuck Service.
            var writes = Writes();
            var passes = host.Status().Writes;
            _server.Put("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"team":"a"}}}""");
            // Wait for the pass over the snapshot that holds the new Namespace, not for a stretch of time.
            await Poll.UntilAsync(() => host.LastPassed?.Documents.Any(d => d.Origin == "Namespace/team-a") == true,
                "a pass over the snapshot with the new Namespace", Bound);
            Assert.Equal(writes, Writes());
            Assert.Equal(passes, host.Status().Writes);
            Assert.Single(Events(), e => e.Reason == "AllocationFailed");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task A_released_lease_hands_over_at_once_and_no_address_moves()
    {
        await using var a = Host("controller-a");
        await using var b = Host("controller-b");
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunAsync(stopA.Token);
        await Poll.UntilAsync(() => _server.Ingress("default", "web").Length == 1, "the first leader's write", Bound);
        var runB = b.RunAsync(stopB.Token);
        try
        {
            await Poll.UntilAsync(() => b.Status().Leader == "controller-a", "the follower seeing the leader", Bound);
            Assert.False(b.Status().Leading);

            await stopA.CancelAsync();
            await runA;
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("bgpkit-controller", "metallb-system");
            Assert.Equal("", lease.Spec.HolderIdentity);
            await Poll.UntilAsync(() => b.Status().Leading, "the follower taking over", TimeSpan.FromSeconds(10));

            _server.Put(ApiObjects.Service("web2"));
            await Poll.UntilAsync(() => _server.Ingress("default", "web2").Length == 1, "the new leader's write", Bound);
            Assert.Equal(["198.51.100.1"], _server.Ingress("default", "web"));
            Assert.Equal(["198.51.100.2"], _server.Ingress("default", "web2"));
            Assert.Equal("controller-b", (await _client.CoordinationV1.ReadNamespacedLeaseAsync("bgpkit-controller", "metallb-system")).Spec.HolderIdentity);
        }
        finally
        {
            await stopB.CancelAsync();
            await runB;
        }
    }

    private List<k8s.Models.Corev1Event> Events() =>
        _client.CoreV1.ListNamespacedEvent("default").Items.ToList();

    private JsonObject? PoolStatus() => _server.Get("metallb.io/v1beta1", "ipaddresspools", "metallb-system", "pool")?["status"] as JsonObject;

    private string[] Writes() => _server.Requests.Where(r => !r.StartsWith("GET", StringComparison.Ordinal) && !r.Contains("/leases", StringComparison.Ordinal)).ToArray();
}
