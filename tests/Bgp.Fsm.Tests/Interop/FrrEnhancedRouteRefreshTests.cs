using System.Collections.Concurrent;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>
/// RFC 7313 against FRR bgpd 8.4: asked for a refresh, FRR answers BoRR, its routes and EoRR; we keep every
/// route through it (stale, then fresh again) and withdraw nothing. (Sweeping at EoRR is shown with a scripted
/// peer in Session/EnhancedRouteRefreshTests: FRR always sends a withdrawal for a route it drops.)
/// </summary>
[Trait("Category", "Interop")]
public class FrrEnhancedRouteRefreshTests
{
    [Fact]
    public async Task A_refresh_from_FRR_is_demarcated_and_flaps_nothing()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        var config = FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, us.Port, ipv4: FrrRouteTests.Networks(50));
        await using var frr = await FrrBgpd.StartAsync(config, frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { KeepAdjRibIn = true });
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 50, "FRR's 50 routes");
        Assert.Contains("enhanced-route-refresh", us.Status.Capabilities);

        var withdrawn = new ConcurrentQueue<Prefix>();
        us.Speaker.RouteReceived += (_, route) =>
        {
            if (route.Withdrawn)
            {
                withdrawn.Enqueue(route.Prefix);
            }
        };
        var refreshes = us.Status.Counters.RouteRefreshReceived;
        await us.Speaker.RefreshPeerAsync(OurSide.Them);
        // BoRR and EoRR for IPv4 unicast (and for IPv6 if negotiated): at least two demarcations.
        await Poll.UntilAsync(() => us.Status.Counters.RouteRefreshReceived >= refreshes + 2, "FRR's BoRR and EoRR");
        await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System);
        Assert.Equal(50, us.Speaker.GetReceivedRoutes(OurSide.Them).Count);
        Assert.Empty(withdrawn);
    }
}
