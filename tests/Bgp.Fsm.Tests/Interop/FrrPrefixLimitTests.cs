using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>A maximum-prefix limit against FRR bgpd 8.4 sending more routes than it allows.</summary>
[Trait("Category", "Interop")]
public class FrrPrefixLimitTests
{
    [Fact]
    public async Task FRR_sending_more_than_the_limit_receives_Cease_1_and_our_session_stays_down_until_cleared()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        var config = FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, us.Port, ipv4: FrrRouteTests.Networks(30));
        await using var frr = await FrrBgpd.StartAsync(config, frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with
        {
            KeepAdjRibIn = true,
            PrefixLimits = [new PrefixLimit { Family = AfiSafi.IPv4Unicast, MaximumPrefixes = 20 }],
        });

        // FRR's 30 routes end the session with our Cease/1, which FRR names.
        await Poll.UntilAsync(() => us.Status.PrefixLimitHeldDown, "our session held down by the prefix limit", TimeSpan.FromSeconds(40));
        Assert.Contains("Maximum Number of Prefixes Reached (IPv4/Unicast, upper bound 20)", us.Status.LastError);
        await Poll.UntilAsync(() => frr.ShowJson("show bgp neighbors 127.0.0.1 json")["127.0.0.1"]?["lastNotificationReason"]?.GetValue<string>() == "Cease/Maximum Number of Prefixes Reached",
            "FRR's lastNotificationReason", TimeSpan.FromSeconds(10));
        Assert.Empty(us.Speaker.GetReceivedRoutes(OurSide.Them));

        // Bounded observation of a negative: FRR keeps trying (connect retry), our session stays down.
        var established = us.Status.Counters.EstablishedTransitions;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < deadline)
        {
            Assert.Equal(SessionState.Idle, us.Status.State);
            Assert.NotEqual("Established", frr.NeighborState("127.0.0.1"));
            await Task.Delay(250);
        }
        Assert.Equal(established, us.Status.Counters.EstablishedTransitions);

        // With FRR down to 10 routes, clearing the peer brings the session back and it stays.
        frr.Configure(["router bgp 65002", "address-family ipv4 unicast", .. Enumerable.Range(10, 20).Select(i => $"no network 12.0.{i}.0/24")]);
        await us.Speaker.StartPeerAsync(OurSide.Them);
        await us.EstablishedAsync();
        Assert.False(us.Status.PrefixLimitHeldDown);
        await Poll.UntilAsync(() => us.Status.PrefixLimits[0].Received == 10, "FRR's 10 routes under the limit");
        Assert.Equal(SessionState.Established, us.Status.State);
    }
}
