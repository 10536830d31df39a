using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Tests.Reconcile;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

/// <summary>
/// frrk8s.metallb.io/v1beta1 FRRConfigurations from the API server (FakeApiServer), through the real reconcile
/// loop: listed and watched in MetalLB's namespace, selected by the node's labels, merged with MetalLB's
/// configuration; an edit of toReceive changes the running session's filter without a reset, and a conflicting
/// one is reported and leaves the plan in force.
/// </summary>
public sealed class FrrConfigurationSourceTests : IAsyncDisposable
{
    private readonly FakeApiServer _server = new();
    private readonly ManualTimeProvider _time = new();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private readonly RecordingBackend _backend = new();
    private readonly Reconciler _reconciler;
    private readonly KubernetesApiSource _source;
    private Task? _running;

    public FrrConfigurationSourceTests()
    {
        _reconciler = new Reconciler("node-1", new ModelPlanCompiler("node-1", fromApiServer: true), _backend, _time, NullLogger.Instance);
        _source = new KubernetesApiSource(new KubernetesApiOptions { Server = _server.Url }, _time, new CapturingLogger());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _running);
        }
        _server.Dispose();
        _stop.Dispose();
    }

    internal static string Frr(string name, string neighbors, string nodeSelector = "{}", string ns = "metallb-system", uint asn = 64513) =>
        "{\"apiVersion\":\"frrk8s.metallb.io/v1beta1\",\"kind\":\"FRRConfiguration\","
        + $"\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\",\"generation\":1}},"
        + $"\"spec\":{{\"nodeSelector\":{nodeSelector},\"bgp\":{{\"routers\":[{{\"asn\":{asn},\"neighbors\":{neighbors}}}]}}}}}}";

    private void Start() => _running = Task.Run(() => _reconciler.RunAsync(_source, _stop.Token));

    private string[] Calls()
    {
        lock (_backend.Calls)
        {
            return _backend.Calls.ToArray();
        }
    }

    private string? Receive(string peer) => _reconciler.Current.Peers.TryGetValue(peer, out var p) ? p.ToReceive.ToString() : null;

    private async Task Eventually(Func<bool> condition, string what)
    {
        // 1,500 turns at least; more while the machine is too loaded for 1,500 turns to take a minute.
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 1500 || started.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            if (condition())
            {
                return;
            }
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
        Assert.Fail("timed out waiting for " + what + "; calls: " + string.Join(", ", Calls()));
    }

    [Fact]
    public async Task FRRConfigurations_of_MetalLBs_namespace_that_select_the_node_are_watched_and_merged()
    {
        ApiObjects.Seed(_server);
        _server.Put(Frr("tor-a", """[{"address":"127.0.0.3","asn":64514,"toReceive":{"allowed":{"prefixes":[{"prefix":"10.0.0.0/8","le":24}]}}}]""", """{"matchLabels":{"zone":"a"}}"""));
        _server.Put(Frr("tor-b", """[{"address":"127.0.0.4","asn":64515}]""", """{"matchLabels":{"zone":"b"}}"""));
        _server.Put(Frr("elsewhere", """[{"address":"127.0.0.5","asn":64516}]""", ns: "other"));
        Start();

        await Eventually(() => Receive("127.0.0.3") is not null, "the selected FRRConfiguration's neighbor");
        Assert.Equal("10.0.0.0/8 le 24", Receive("127.0.0.3"));
        // MetalLB's own peer is merged in, accepting nothing, as upstream.
        Assert.Equal("none", Receive("router"));
        Assert.Equal(["127.0.0.3", "router"], _reconciler.Current.Peers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("GET /apis/frrk8s.metallb.io/v1beta1/namespaces/metallb-system/frrconfigurations?limit=500", _server.RequestsFor("frrconfigurations")[0]);
        await Eventually(() => _server.OpenWatches("frrconfigurations") == 1, "the FRRConfiguration watch");

        // The node moves to zone b: tor-b now selects it, tor-a no longer does.
        _server.Put(ApiObjects.Node("node-1", zone: "b"));
        await Eventually(() => Receive("127.0.0.4") is not null && Receive("127.0.0.3") is null, "the other zone's configuration");
        Assert.Contains("remove 127.0.0.3", Calls());
    }

    [Fact]
    public async Task An_edit_of_toReceive_changes_the_filter_without_a_reset_and_a_conflict_keeps_the_plan_in_force()
    {
        ApiObjects.Seed(_server);
        _server.Put(Frr("tor", """[{"address":"127.0.0.3","asn":64514,"toReceive":{"allowed":{"mode":"filtered","prefixes":[{"prefix":"10.1.0.0/16","ge":24,"le":28}]}}}]"""));
        Start();
        await Eventually(() => Receive("127.0.0.3") == "10.1.0.0/16 ge 24 le 28", "the first filter");
        await Eventually(() => _server.OpenWatches("frrconfigurations") == 1, "the FRRConfiguration watch");

        _server.Put(Frr("tor", """[{"address":"127.0.0.3","asn":64514,"toReceive":{"allowed":{"mode":"all"}}}]"""));
        await Eventually(() => Receive("127.0.0.3") == "all", "the edited filter");
        Assert.Contains("receive 127.0.0.3 all", Calls());
        Assert.DoesNotContain(Calls(), c => c.StartsWith("reset 127.0.0.3", StringComparison.Ordinal) || c == "remove 127.0.0.3");
        var generation = _reconciler.Config().InForce!.Generation;

        // A second configuration names the same neighbor with another ASN: refused, reported, nothing changes.
        var calls = Calls().Length;
        _server.Put(Frr("clash", """[{"address":"127.0.0.3","asn":64999}]"""));
        await Eventually(() => _reconciler.Config().LastChange is { Valid: false }, "the conflict reported");
        var error = Assert.Single(_reconciler.Config().LastChange!.Errors, e => e.Message.Contains("cannot merge", StringComparison.Ordinal));
        Assert.Contains("different ASNs are configured by clash and tor", error.Message, StringComparison.Ordinal);
        Assert.Equal("all", Receive("127.0.0.3"));
        Assert.Equal(generation, _reconciler.Config().InForce!.Generation);
        Assert.Equal(calls, Calls().Length);

        // Removing the conflict makes the next configuration valid again.
        _server.Delete("frrk8s.metallb.io/v1beta1", "FRRConfiguration", "metallb-system", "clash");
        await Eventually(() => _reconciler.Config().LastChange is { Valid: true }, "valid again");

        // An invalid selector (ge above the family's length) is reported by field; the filter in force stays.
        _server.Put(Frr("tor", """[{"address":"127.0.0.3","asn":64514,"toReceive":{"allowed":{"prefixes":[{"prefix":"10.1.0.0/16","ge":40}]}}}]"""));
        await Eventually(() => _reconciler.Config().LastChange is { Valid: false }, "the invalid selector reported");
        var invalid = Assert.Single(_reconciler.Config().LastChange!.Errors);
        Assert.Equal("FRRConfiguration", invalid.Kind);
        Assert.Equal("spec.bgp.routers[0].neighbors[0].toReceive.allowed.prefixes[0]", invalid.Field);
        Assert.Contains("ge 40 must be between the prefix length 16 and 32", invalid.Message, StringComparison.Ordinal);
        Assert.Equal("all", Receive("127.0.0.3"));
    }

    [Fact]
    public async Task Without_the_FRRConfiguration_CRD_the_plan_goes_ahead_and_the_kind_is_read_once_it_is_installed()
    {
        ApiObjects.Seed(_server);
        _server.NotInstalled = "frrconfigurations";
        _server.Put(Frr("tor", """[{"address":"127.0.0.3","asn":64514}]"""));
        Start();
        await Eventually(() => _reconciler.Current.Peers.ContainsKey("router"), "the plan without FRRConfigurations");
        Assert.False(_reconciler.Current.Peers.ContainsKey("127.0.0.3"));

        _server.NotInstalled = null;
        await Eventually(() => _reconciler.Current.Peers.ContainsKey("127.0.0.3"), "the FRRConfiguration once its CRD answers");
    }
}
