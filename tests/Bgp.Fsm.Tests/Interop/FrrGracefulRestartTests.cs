using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>
/// Graceful restart (RFC 4724) with FRR bgpd 8.4 as the restarting speaker and us as the receiving one: FRR is
/// killed with SIGKILL (no NOTIFICATION, no clean stop) and its routes stay in our Adj-RIB-In as stale.
/// </summary>
[Trait("Category", "Interop")]
public class FrrGracefulRestartTests
{
    private static string Config(int ourPort, int restartTime, int networks, bool preserveForwardingState = true) =>
        FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, ourPort,
            extra: $" bgp graceful-restart\n bgp graceful-restart restart-time {restartTime}" + (preserveForwardingState ? "\n bgp graceful-restart preserve-fw-state" : ""),
            ipv4: FrrRouteTests.Networks(networks));

    private static List<ReceivedRoute> FromFrr(OurSide us) =>
        us.Speaker.GetReceivedRoutes(OurSide.Them).Where(r => r.Prefix.Address.GetAddressBytes()[0] == 12).ToList();

    private static int Stale(OurSide us) => us.Speaker.Session(OurSide.Them).AdjRibIn!.StaleCount;

    private static async Task<(OurSide Us, FrrBgpdProcess Frr, int FrrPort)> EstablishAsync(int restartTime)
    {
        var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        var frr = await FrrBgpdProcess.StartAsync(Config(us.Port, restartTime, 10), frrPort, "127.0.0.2");
        await us.AddPeerAsync(65002, frrPort, p => p with { KeepAdjRibIn = true, GracefulRestart = true });
        await us.EstablishedAsync();
        Assert.Contains("graceful-restart", us.Status.Capabilities);
        await Poll.UntilAsync(() => FromFrr(us).Count == 10, "we have FRR's 10 routes");
        return (us, frr, frrPort);
    }

    private static async Task KillAndSeeStaleAsync(OurSide us, FrrBgpdProcess frr)
    {
        frr.Kill();
        await Poll.UntilAsync(() => us.Status.State != SessionState.Established, "our session to notice FRR is gone");
        // RFC 4724 section 4.2: the routes stay, marked stale, while the restart timer runs.
        await Poll.UntilAsync(() => Stale(us) == 10, "FRR's 10 routes marked stale", TimeSpan.FromSeconds(5));
        Assert.Equal(10, FromFrr(us).Count);
    }

    [Fact]
    public async Task Stale_routes_are_kept_through_a_restart_and_those_not_re_announced_are_purged_at_End_of_RIB()
    {
        var (us, frr, frrPort) = await EstablishAsync(restartTime: 60);
        await using var _ = us;
        await using var __ = frr;
        await KillAndSeeStaleAsync(us, frr);

        // bgpd comes back announcing 12.0.0.0/24 .. 12.0.8.0/24, one route fewer.
        await frr.RestartAsync(Config(us.Port, 60, 9));
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => Stale(us) == 0 && FromFrr(us).Count == 9, "End-of-RIB purges the route FRR no longer announces");
        var prefixes = FromFrr(us).Select(r => r.Prefix).ToHashSet();
        Assert.DoesNotContain(Prefix.Parse("12.0.9.0/24"), prefixes);
        Assert.Contains(Prefix.Parse("12.0.8.0/24"), prefixes);
        Assert.Equal("65002", FromFrr(us)[0].Attributes!.AsPath!.ToString());
    }

    [Fact]
    public async Task A_restarted_FRR_that_did_not_keep_forwarding_state_has_its_stale_routes_dropped_at_once()
    {
        var (us, frr, _) = await EstablishAsync(restartTime: 60);
        await using var _us = us;
        await using var _frr = frr;
        await KillAndSeeStaleAsync(us, frr);
        var withdrawn = new System.Collections.Concurrent.ConcurrentBag<Prefix>();
        us.Speaker.RouteReceived += (_, r) => { if (r.Withdrawn) withdrawn.Add(r.Prefix); };

        // Without preserve-fw-state FRR's new OPEN lists IPv4 unicast with the F bit clear (RFC 4724 4.2):
        // every stale route goes when the session comes up, not only the one End-of-RIB would leave stale.
        await frr.RestartAsync(Config(us.Port, 60, 9, preserveForwardingState: false));
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => Stale(us) == 0 && FromFrr(us).Count == 9, "FRR's 9 routes back and nothing stale");
        Assert.Equal(10, withdrawn.Count(p => p.Address.GetAddressBytes()[0] == 12));
        Assert.DoesNotContain(Prefix.Parse("12.0.9.0/24"), FromFrr(us).Select(r => r.Prefix));
    }

    [Fact]
    public async Task Stale_routes_are_purged_when_FRR_does_not_come_back_within_its_restart_time()
    {
        var (us, frr, _) = await EstablishAsync(restartTime: 3);
        await using var _us = us;
        await using var _frr = frr;
        await KillAndSeeStaleAsync(us, frr);
        await Poll.UntilAsync(() => FromFrr(us).Count == 0, "the restart timer (3 s) purges FRR's stale routes", TimeSpan.FromSeconds(20));
        Assert.Equal(0, Stale(us));
        Assert.NotEqual(SessionState.Established, us.Status.State);
    }
}
