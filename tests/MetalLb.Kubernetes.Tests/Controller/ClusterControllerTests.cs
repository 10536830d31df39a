using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static BgpKit.MetalLb.Kubernetes.Tests.Controller.ClusterObjects;

namespace BgpKit.MetalLb.Kubernetes.Tests.Controller;

public sealed class ClusterControllerTests : IDisposable
{
    private readonly ManualLeadership _leadership = new();
    private readonly RecordingWriter _writer = new();
    private readonly ControllerMetrics _metrics = new();
    private readonly ClusterController _controller;

    public ClusterControllerTests()
    {
        _controller = new ClusterController("metallb-system", _leadership, _writer, new ManualTimeProvider(), NullLogger.Instance, _metrics);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task A_follower_writes_nothing_and_writes_everything_once_it_leads()
    {
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("web")));
        Assert.True(await _controller.PassAsync(default));
        Assert.Empty(_writer.Writes);
        _leadership.Leading = true;
        Assert.True(await _controller.PassAsync(default));
        Assert.Equal(["SetConfigurationState", "SetServiceIngress", "SetAllocatedPool", "IPAllocated", "SetPoolStatus"], _writer.Names());
        Assert.Equal(new PoolCounts(1, 0, 3, 0), _writer.Writes.OfType<SetPoolStatus>().Single().Counts);
        Assert.Contains("metallb_allocator_addresses_in_use_total{pool=\"pool\"} 1", Metrics(), StringComparison.Ordinal);
        Assert.Contains("metallb_allocator_addresses_total{pool=\"pool\"} 4", Metrics(), StringComparison.Ordinal);
        Assert.True(_writer.Writes.OfType<SetConfigurationState>().Single().Valid);
    }

    [Fact]
    public async Task Once_the_cluster_shows_the_writes_a_resync_writes_nothing()
    {
        _leadership.Leading = true;
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("web")));
        await _controller.PassAsync(default);
        _writer.Writes.Clear();
        _controller.Observe(Snapshot(Pool("pool", new PoolCounts(1, 0, 3, 0), "192.0.2.0/30"), Service("web", ingress: "192.0.2.0", pool: "pool")));
        await _controller.PassAsync(default);
        await _controller.PassAsync(default);
        Assert.Empty(_writer.Writes);
    }

    [Fact]
    public async Task A_stuck_service_gets_one_AllocationFailed_event_across_resyncs()
    {
        _leadership.Leading = true;
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("web", requested: "203.0.113.1")));
        for (var i = 0; i < 4; i++)
        {
            await _controller.PassAsync(default);
        }
        Assert.Single(_writer.Writes.OfType<ServiceEvent>(), e => e.Reason == "AllocationFailed");
    }

    [Fact]
    public async Task An_invalid_configuration_writes_only_its_ConfigurationState_and_keeps_the_last_valid_one()
    {
        _leadership.Leading = true;
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("web", ingress: "192.0.2.0", pool: "pool")));
        await _controller.PassAsync(default);
        _writer.Writes.Clear();
        // A second pool overlapping the first: invalid; and a new Service that must not be allocated meanwhile.
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Pool("overlap", "192.0.2.0/29"), Service("web", ingress: "192.0.2.0", pool: "pool"), Service("new")));
        await _controller.PassAsync(default);
        var state = Assert.IsType<SetConfigurationState>(Assert.Single(_writer.Writes));
        Assert.False(state.Valid);
        Assert.Contains("overlap", state.ErrorSummary, StringComparison.Ordinal);
        Assert.Equal(["192.0.2.0"], _controller.Allocation!.Service("default", "web")!.Addresses.Select(a => a.ToString()));
        Assert.Contains("metallb_k8s_client_config_stale_bool 1", Metrics(), StringComparison.Ordinal);
        _writer.Writes.Clear();
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("web", ingress: "192.0.2.0", pool: "pool"), Service("new")));
        await _controller.PassAsync(default);
        Assert.True(_writer.Writes.OfType<SetConfigurationState>().Single().Valid);
        Assert.Equal(["192.0.2.1"], _writer.Writes.OfType<SetServiceIngress>().Single().Addresses);
        Assert.Contains("metallb_k8s_client_config_stale_bool 0", Metrics(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_write_makes_the_pass_ask_for_a_retry_and_the_retry_writes_it()
    {
        _leadership.Leading = true;
        _writer.Refuse = w => w is SetServiceIngress;
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("web")));
        Assert.False(await _controller.PassAsync(default));
        _writer.Refuse = null;
        Assert.True(await _controller.PassAsync(default));
        Assert.Single(_writer.Writes.OfType<SetServiceIngress>());
    }

    [Fact]
    public async Task An_address_whose_release_failed_is_not_given_to_another_Service_in_the_same_pass()
    {
        // Found by tests/BgpKit.Simulation: "b" gives 192.0.2.0 up for the address it requests, and that write fails;
        // "a" must not take 192.0.2.0 while "b" still holds it. The retry writes both, release first.
        _leadership.Leading = true;
        _writer.Refuse = w => w is SetServiceIngress { Service.Name: "b" };
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("a"), Service("b", ingress: "192.0.2.0", pool: "pool", requested: "192.0.2.3")));
        Assert.False(await _controller.PassAsync(default));
        Assert.DoesNotContain(_writer.Writes.OfType<SetServiceIngress>(), w => w.Addresses.Contains("192.0.2.0"));
        _writer.Refuse = null;
        Assert.True(await _controller.PassAsync(default));
        Assert.Equal(["b", "a"], _writer.Writes.OfType<SetServiceIngress>().Select(w => w.Service.Name));
    }

    [Fact]
    public async Task Service_writes_are_conditional_and_the_annotation_on_the_version_the_status_write_produced()
    {
        // Status and annotation are two writes to one object: the first moves its resourceVersion, so the second is
        // conditioned on what the first returned (anyone else's write in between still makes it fail).
        _leadership.Leading = true;
        _writer.Versions["web"] = "8";
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("web", resourceVersion: "7")));
        Assert.True(await _controller.PassAsync(default));
        Assert.Equal("7", _writer.Writes.OfType<SetServiceIngress>().Single().ResourceVersion);
        Assert.Equal("8", _writer.Writes.OfType<SetAllocatedPool>().Single().ResourceVersion);
    }

    [Fact]
    public async Task A_refused_status_write_holds_back_the_Services_annotation_and_Events_until_the_retry()
    {
        // A 409 says the Service changed since the snapshot: nothing planned from that snapshot is written for it,
        // not even an Event claiming an address it did not get. Other Services are written as usual.
        _leadership.Leading = true;
        _writer.Refuse = w => w is SetServiceIngress { Service.Name: "a" };
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("a", resourceVersion: "7"), Service("b", resourceVersion: "9")));
        Assert.False(await _controller.PassAsync(default));
        Assert.DoesNotContain(_writer.Writes, w => w is SetAllocatedPool { Service.Name: "a" } or ServiceEvent { Service.Name: "a" });
        Assert.Contains(_writer.Writes, w => w is SetServiceIngress { Service.Name: "b" });
        Assert.Contains(_writer.Writes, w => w is ServiceEvent { Service.Name: "b", Reason: "IPAllocated" });

        _writer.Refuse = null;
        _writer.Writes.Clear();
        Assert.True(await _controller.PassAsync(default));
        Assert.Equal(["SetServiceIngress", "SetAllocatedPool", "IPAllocated"], _writer.Writes
            .Where(w => w is ServiceWrite { Service.Name: "a" } or ServiceEvent { Service.Name: "a" }).Select(w => w is ServiceEvent e ? e.Reason : w.GetType().Name));
    }

    [Fact]
    public async Task When_a_sharing_partner_changes_it_moves_and_a_stale_snapshot_after_the_move_moves_nothing()
    {
        // Upstream moves the Service that changed. A snapshot that still shows the changed Service's old address (its
        // watch has not delivered our write) must not undo that: it had kept the old address for "a" by name order and
        // moved "b" onto the address "a" had just been given (simulation seeds 2494, 2885).
        _leadership.Leading = true;
        ManifestDocument Shared(string name, string key, string version, string ingress = "192.0.2.3") =>
            Sharing(Service(name, ingress: ingress, pool: "pool", resourceVersion: version), key, name == "a" ? 80 : 443);
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Shared("a", "k", "5"), Shared("b", "k", "6")));
        await _controller.PassAsync(default);
        _writer.Writes.Clear();

        _writer.Versions["a"] = "11";
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Shared("a", "other", "10"), Shared("b", "k", "6")));
        Assert.True(await _controller.PassAsync(default));
        var moved = Assert.Single(_writer.Writes.OfType<SetServiceIngress>());
        Assert.Equal(("a", "192.0.2.0", "10"), (moved.Service.Name, string.Join(",", moved.Addresses), moved.ResourceVersion));
        _writer.Writes.Clear();

        // Something else changed (a new Service), but "a" still shows version 10, from before our write.
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Shared("a", "other", "10"), Shared("b", "k", "6"), Service("c", resourceVersion: "12")));
        Assert.True(await _controller.PassAsync(default));
        Assert.Equal([("c", "192.0.2.1")], _writer.Writes.OfType<SetServiceIngress>().Select(w => (w.Service.Name, string.Join(",", w.Addresses))));

        // The watch catches up: nothing left to write for "a" or "b".
        _writer.Writes.Clear();
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Shared("a", "other", "11", "192.0.2.0"), Shared("b", "k", "6"), Service("c", ingress: "192.0.2.1", pool: "pool", resourceVersion: "13")));
        Assert.True(await _controller.PassAsync(default));
        Assert.DoesNotContain(_writer.Writes, w => w is ServiceWrite);
    }

    [Fact]
    public async Task An_address_freed_while_the_watch_lags_behind_our_write_does_not_move_the_Service_again()
    {
        // Simulation seed 51532 (on main): the controller moved svc-8 to .6 and, its watch still showing svc-8's old
        // address, allocated it afresh in the next pass; a Service deleted meanwhile had freed a lower address, so svc-8
        // moved a second time, although nothing about it had changed since the first move.
        _leadership.Leading = true;
        ManifestDocument Shared(string name, string key, string version) =>
            Sharing(Service(name, ingress: "192.0.2.1", pool: "pool", resourceVersion: version), key, name == "web" ? 80 : 443);
        var x = Service("x", ingress: "192.0.2.0", pool: "pool", resourceVersion: "3");
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), x, Shared("other", "k", "4"), Shared("web", "k", "5")));
        await _controller.PassAsync(default);

        _writer.Versions["web"] = "9";
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), x, Shared("other", "k", "4"), Shared("web", "none", "8")));
        await _controller.PassAsync(default);
        Assert.Equal(["192.0.2.2"], _writer.Writes.OfType<SetServiceIngress>().Single(w => w.Service.Name == "web").Addresses);
        _writer.Writes.Clear();

        // "x" is deleted; the snapshot still shows web at version 8, before our write.
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Shared("other", "k", "4"), Shared("web", "none", "8")));
        Assert.True(await _controller.PassAsync(default));
        Assert.DoesNotContain(_writer.Writes, w => w is ServiceWrite { Service.Name: "web" });
    }

    [Fact]
    public async Task A_Service_joining_a_shared_address_waits_while_the_holder_has_changed_since_observed()
    {
        // Simulation seed 868: a watch 9 s late still showed "x" with key k, so "y" (key k) was given x's address; on the
        // server "x" had meanwhile switched to another key, and the two held one address they may not share. The join's
        // own precondition is on "y"; the holder is read just before the write.
        _leadership.Leading = true;
        var snapshot = Snapshot(Pool("pool", "192.0.2.0/30"),
            Sharing(Service("x", ingress: "192.0.2.0", pool: "pool", resourceVersion: "5"), "k", 80), Sharing(Service("y", resourceVersion: "6"), "k", 443));
        _writer.Current["x"] = "7";
        _controller.Observe(snapshot);
        Assert.False(await _controller.PassAsync(default));
        Assert.DoesNotContain(_writer.Writes, w => w is ServiceWrite { Service.Name: "y" } or ServiceEvent { Service.Name: "y" });

        _writer.Current["x"] = "5"; // as observed: the join goes ahead
        Assert.True(await _controller.PassAsync(default));
        Assert.Equal(["192.0.2.0"], _writer.Writes.OfType<SetServiceIngress>().Single(w => w.Service.Name == "y").Addresses);
    }

    private static ManifestDocument Sharing(ManifestDocument service, string key, int port)
    {
        var obj = JsonNode.Parse(service.Text)!;
        obj["metadata"]!["annotations"]!["metallb.io/allow-shared-ip"] = key;
        obj["spec"]!["ports"]![0]!["port"] = port;
        return service with { Text = obj.ToJsonString() };
    }

    [Fact]
    public async Task Losing_the_lease_mid_pass_stops_the_remaining_writes()
    {
        _leadership.Leading = true;
        _writer.After = _ => _leadership.Leading = false;
        _controller.Observe(Snapshot(Pool("pool", "192.0.2.0/30"), Service("a"), Service("b")));
        await _controller.PassAsync(default);
        Assert.Single(_writer.Writes);
    }

    private string Metrics()
    {
        using var exporter = new PrometheusExporter(m => m.Name == ControllerMetrics.MeterName);
        return exporter.Collect();
    }

    private sealed class ManualLeadership : ILeadership
    {
        private bool _leading;

        public string Identity => "test";

        public string? Leader => _leading ? "test" : null;

        public bool Leading
        {
            get => _leading;
            set
            {
                _leading = value;
                Changed?.Invoke();
            }
        }

        public bool MayWrite => _leading;

        public event Action? Changed;

        public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class RecordingWriter : IClusterWriter
    {
        public List<ClusterWrite> Writes { get; } = [];

        public Func<ClusterWrite, bool>? Refuse { get; set; }

        public Action<ClusterWrite>? After { get; set; }

        /// <summary>The resourceVersion each Service write returns, by Service name (none unless set).</summary>
        public Dictionary<string, string> Versions { get; } = [];

        public Task<string?> WriteAsync(ClusterWrite write, CancellationToken cancellationToken)
        {
            if (Refuse?.Invoke(write) == true)
            {
                throw new KubernetesApiException(409, "Conflict");
            }
            Writes.Add(write);
            After?.Invoke(write);
            return Task.FromResult(write is ServiceWrite s && Versions.TryGetValue(s.Service.Name, out var version) ? version : null);
        }

        /// <summary>The resourceVersion a read of a Service returns, by name (null unless set).</summary>
        public Dictionary<string, string> Current { get; } = [];

        public Task<string?> ReadServiceVersionAsync(ServiceRef service, CancellationToken cancellationToken) =>
            Task.FromResult(Current.TryGetValue(service.Name, out var version) ? version : null);

        public string[] Names() => Writes.Select(w => w is ServiceEvent e ? e.Reason : w.GetType().Name).ToArray();
    }
}
