using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static BgpKit.MetalLb.Kubernetes.Tests.Reconcile.Intents;

namespace BgpKit.MetalLb.Kubernetes.Tests.Reconcile;

public sealed class ReconcilerTests
{
    private readonly RecordingBackend _backend = new();
    private readonly ScriptedCompiler _compiler = new();
    private readonly ManualTimeProvider _time = new();
    private readonly Reconciler _reconciler;

    public ReconcilerTests()
    {
        _reconciler = new Reconciler("node-1", _compiler, _backend, _time, NullLogger.Instance);
    }

    private static ResourceSnapshot Snapshot(string text) => new("test", [new ManifestDocument("a.yaml", text)], []);

    private static PlanOutcome Valid(NodeIntent intent) => new(intent, [], [], [], [new ServiceView("default", "web", ["10.0.0.1"], "pool", true, "announced")]);

    [Fact]
    public async Task First_valid_configuration_adds_peers_then_announces()
    {
        _compiler.Outcomes["v1"] = Valid(new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")],
            [Route("r1", "10.0.0.1/32", 200, Community(64512, 1100)), Route("r2", "10.0.0.1/32", 190)]));

        await _reconciler.ApplyAsync(Snapshot("v1"), default);

        Assert.Equal(
        [
            "add r1", "add r2",
            "announce r1 10.0.0.1/32 lp=200 c=64512:1100",
            "announce r2 10.0.0.1/32 lp=190 c=",
        ], _backend.Calls);
        var config = _reconciler.Config();
        Assert.Equal(1, config.InForce!.Generation);
        Assert.Equal("2026-01-01T00:00:00.000Z", config.InForce.AppliedAt);
        Assert.True(config.LastChange!.Valid);
    }

    [Fact]
    public async Task The_end_of_the_initial_routes_follows_every_announcement_of_a_valid_configuration_only()
    {
        // A restarted speaker's End-of-RIB hangs on this (RFC 4724 section 4.1): before it, the router would
        // purge the stale routes not yet re-announced.
        _compiler.Outcomes["v1"] = Valid(new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")], [Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32")]));
        _compiler.Outcomes["bad"] = PlanOutcome.Invalid([new ConfigProblemView("a.yaml", 7, "BGPPeer", "r1", "spec.myASN", "myASN is required")]);

        await _reconciler.ApplyAsync(Snapshot("bad"), default);
        Assert.Empty(_backend.InitialRoutesCompletedAfter);
        await _reconciler.ApplyAsync(Snapshot("v1"), default);
        Assert.Equal([4], _backend.InitialRoutesCompletedAfter);
    }

    [Fact]
    public async Task Invalid_change_is_reported_and_changes_nothing()
    {
        _compiler.Outcomes["v1"] = Valid(new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32")]));
        _compiler.Outcomes["bad"] = PlanOutcome.Invalid([new ConfigProblemView("a.yaml", 7, "BGPPeer", "r1", "spec.myASN", "myASN is required")]);
        await _reconciler.ApplyAsync(Snapshot("v1"), default);
        _backend.Calls.Clear();
        _time.Advance(TimeSpan.FromSeconds(5));

        var applied = await _reconciler.ApplyAsync(Snapshot("bad"), default);

        Assert.Null(applied);
        Assert.Empty(_backend.Calls);
        var config = _reconciler.Config();
        Assert.Equal(1, config.InForce!.Generation);
        Assert.False(config.LastChange!.Valid);
        Assert.Equal("2026-01-01T00:00:05.000Z", config.LastChange.At);
        Assert.Equal("myASN is required", Assert.Single(config.LastChange.Errors).Message);
        Assert.Equal(["r1"], _reconciler.Current.Peers.Keys);
    }

    [Fact]
    public async Task Unreadable_file_is_an_invalid_change_without_asking_the_compiler()
    {
        _compiler.Outcomes["v1"] = Valid(new NodeIntent([Peer("r1")], []));
        await _reconciler.ApplyAsync(Snapshot("v1"), default);

        var applied = await _reconciler.ApplyAsync(new ResourceSnapshot("test", [], [new ReadFailure("/etc/x.yaml", "no such file or directory")]), default);

        Assert.Null(applied);
        Assert.Equal("/etc/x.yaml", Assert.Single(_reconciler.Config().LastChange!.Errors).File);
        Assert.Equal(["add r1"], _backend.Calls);
    }

    [Fact]
    public async Task Edits_apply_only_the_difference_in_safe_order()
    {
        _compiler.Outcomes["v1"] = Valid(new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")],
            [Route("r1", "10.0.0.1/32", null, Community(1, 1)), Route("r1", "10.0.0.2/32"), Route("r2", "10.0.0.1/32")]));
        // r2 removed, a new service, a changed community, one service gone, a new peer r3.
        _compiler.Outcomes["v2"] = Valid(new NodeIntent([Peer("r1"), Peer("r3", "127.0.0.4")],
            [Route("r1", "10.0.0.1/32", null, Community(1, 2)), Route("r1", "10.0.0.3/32"), Route("r3", "10.0.0.1/32")]));
        await _reconciler.ApplyAsync(Snapshot("v1"), default);
        _backend.Calls.Clear();

        await _reconciler.ApplyAsync(Snapshot("v2"), default);

        Assert.Equal(
        [
            "remove r2",
            "withdraw r1 10.0.0.2/32",
            "add r3",
            "announce r1 10.0.0.1/32 lp= c=1:2",
            "announce r1 10.0.0.3/32 lp= c=",
            "announce r3 10.0.0.1/32 lp= c=",
        ], _backend.Calls);
        Assert.Equal(2, _reconciler.Config().InForce!.Generation);
    }

    [Fact]
    public async Task New_local_asn_and_router_id_reset_only_the_changed_sessions_then_resend_their_routes()
    {
        var routerId = System.Net.IPAddress.Parse("10.0.0.1");
        _compiler.Outcomes["v1"] = Valid(new NodeIntent([Peer("r1") with { RouterId = routerId }, Peer("r2", "127.0.0.3") with { RouterId = routerId }],
            [Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32")]));
        // r1 moves to a new AS and router ID; r2 (another VRF, say) keeps its own.
        _compiler.Outcomes["v2"] = Valid(new NodeIntent([Peer("r1") with { MyAsn = 64999, RouterId = System.Net.IPAddress.Parse("10.0.0.9") }, Peer("r2", "127.0.0.3") with { RouterId = routerId }],
            [Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32")]));
        await _reconciler.ApplyAsync(Snapshot("v1"), default);
        _backend.Calls.Clear();

        await _reconciler.ApplyAsync(Snapshot("v2"), default);

        Assert.Equal(["reset r1 AS64513->AS64999 id 10.0.0.1->10.0.0.9", "announce r1 10.0.0.1/32 lp= c="], _backend.Calls);
    }

    [Fact]
    public async Task One_failing_peer_does_not_stop_the_others()
    {
        _backend.FailAdding.Add("r1");
        _compiler.Outcomes["v1"] = Valid(new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")], [Route("r2", "10.0.0.1/32")]));

        await _reconciler.ApplyAsync(Snapshot("v1"), default);

        Assert.Equal(["add r1", "add r2", "announce r2 10.0.0.1/32 lp= c="], _backend.Calls);
    }

    [Fact]
    public async Task Config_view_lists_sessions_announcements_and_services_without_passwords()
    {
        _compiler.Outcomes["v1"] = Valid(new NodeIntent(
            [Peer("ibgp", peerAsn: 64513, password: "hunter2"), Peer("ebgp", "127.0.0.3")],
            [Route("ibgp", "10.0.0.1/32", 200, 0xFFFFFF01), Route("ebgp", "10.0.0.1/32", 200)]));

        await _reconciler.ApplyAsync(Snapshot("v1"), default);

        var json = System.Text.Json.JsonSerializer.Serialize(_reconciler.Config(), StatusJson.Options);
        Assert.DoesNotContain("hunter2", json);
        var inForce = _reconciler.Config().InForce!;
        Assert.Equal(["ebgp", "ibgp"], inForce.Sessions.Select(s => s.Peer));
        Assert.True(inForce.Sessions[1].HasPassword);
        // LOCAL_PREF only on the iBGP session; well-known communities by name.
        Assert.Null(inForce.Announcements.Single(a => a.Peer == "ebgp").LocalPref);
        var ibgp = inForce.Announcements.Single(a => a.Peer == "ibgp");
        Assert.Equal(200L, ibgp.LocalPref);
        Assert.Equal(["no-export"], ibgp.Communities);
        Assert.Equal("announced", Assert.Single(inForce.Services).Reason);
    }

    [Fact]
    public async Task Shutdown_reaches_the_backend()
    {
        await _reconciler.ShutdownAsync(default);
        Assert.Equal(["shutdown"], _backend.Calls);
    }
}
