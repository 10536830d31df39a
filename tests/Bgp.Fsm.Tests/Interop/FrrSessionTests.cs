using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Session-level interop with FRR bgpd 8.4: establishment, MD5, hold timer, reconnect, shutdown text.</summary>
[Trait("Category", "Interop")]
public class FrrSessionTests
{
    private static Task<FrrBgpd> Frr(long asn, long ourAs, int ourPort, int frrPort, string? extra = null) =>
        FrrBgpd.StartAsync(FrrBgpd.Config(asn, "127.0.0.2", "127.0.0.1", ourAs, ourPort, extra: extra), frrPort);

    [Theory]
    [InlineData(65001u, 65002u)]
    [InlineData(4200000001u, 4200000002u)]
    [InlineData(65001u, 65001u)]
    [InlineData(4200000001u, 4200000001u)]
    public async Task Ebgp_and_ibgp_sessions_with_2_and_4_octet_ASNs_establish(uint ourAs, uint frrAs)
    {
        await using var us = await OurSide.StartAsync(ourAs);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(frrAs, ourAs, us.Port, frrPort);
        await us.AddPeerAsync(frrAs, frrPort);
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => frr.NeighborState("127.0.0.1") == "Established", "FRR Established");
        var json = frr.ShowJson("show bgp neighbors 127.0.0.1 json")["127.0.0.1"]!;
        Assert.Equal(ourAs, json["remoteAs"]!.GetValue<uint>());
        Assert.Equal(frrAs, us.Status.PeerAs);
        Assert.Contains("4-octet-as", us.Status.Capabilities);
        Assert.Contains("route-refresh", us.Status.Capabilities);
    }

    [Fact]
    public async Task Tcp_md5_match_establishes_and_mismatch_does_not()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(65002, 65001, us.Port, frrPort, extra: " neighbor 127.0.0.1 password frr-md5-key");
        await us.AddPeerAsync(65002, frrPort, p => p with { Transport = p.Transport with { Password = "frr-md5-key" } });
        await us.EstablishedAsync();

        await using var wrong = await OurSide.StartAsync(65001);
        var frrPort2 = FreePort.Tcp(OurSide.Them);
        await using var frr2 = await Frr(65002, 65001, wrong.Port, frrPort2, extra: " neighbor 127.0.0.1 password frr-md5-key");
        await wrong.AddPeerAsync(65002, frrPort2, p => p with { Transport = p.Transport with { Password = "not-the-key" } });
        // Bounded observation of a negative: neither side gets past TCP for several connect attempts.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < deadline)
        {
            Assert.NotEqual(SessionState.Established, wrong.Status.State);
            Assert.NotEqual("Established", frr2.NeighborState("127.0.0.1"));
            await Task.Delay(250);
        }
        Assert.Equal(0, wrong.Status.Counters.OpensReceived);
    }

    [Fact]
    public async Task Hold_timer_expires_when_FRR_is_frozen_and_the_session_comes_back_when_it_thaws()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(65002, 65001, us.Port, frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { HoldTime = TimeSpan.FromSeconds(3) });
        await us.EstablishedAsync();
        Assert.Equal(TimeSpan.FromSeconds(3), us.Status.HoldTime);
        frr.Freeze();
        try
        {
            await Poll.UntilAsync(() => us.Status.State != SessionState.Established, "hold timer expiry", TimeSpan.FromSeconds(15));
            await Poll.UntilAsync(() => us.Status.LastError?.Contains("HoldTimerExpired", StringComparison.Ordinal) == true, "hold timer NOTIFICATION recorded", TimeSpan.FromSeconds(5));
        }
        finally
        {
            frr.Thaw();
        }
        await us.EstablishedAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Reconnects_after_FRR_is_killed_and_restarted()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(65002, 65001, us.Port, frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { HoldTime = TimeSpan.FromSeconds(9) });
        await us.EstablishedAsync();
        var before = us.Status.Counters.EstablishedTransitions;
        frr.Kill();
        await Poll.UntilAsync(() => us.Status.State != SessionState.Established, "session down after kill");
        await frr.RestartAsync();
        await Poll.UntilAsync(() => us.Status.State == SessionState.Established && us.Status.Counters.EstablishedTransitions > before, "re-established", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Administrative_shutdown_communication_shows_in_FRR()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(65002, 65001, us.Port, frrPort);
        await us.AddPeerAsync(65002, frrPort);
        await us.EstablishedAsync();
        await us.Speaker.ShutdownPeerAsync(OurSide.Them, "bgpkit maintenance 7");
        await Poll.UntilAsync(() => frr.Vtysh("show bgp neighbors 127.0.0.1").Contains("bgpkit maintenance 7", StringComparison.Ordinal)
            || frr.ReadLog().Contains("bgpkit maintenance 7", StringComparison.Ordinal), "FRR shows our shutdown message");
    }

    [Fact]
    public async Task Frr_hard_reset_is_seen_as_a_NOTIFICATION_and_the_session_recovers()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(65002, 65001, us.Port, frrPort);
        await us.AddPeerAsync(65002, frrPort);
        await us.EstablishedAsync();
        frr.Vtysh("clear bgp 127.0.0.1");
        await Poll.UntilAsync(() => us.Status.Counters.NotificationsReceived > 0, "NOTIFICATION from FRR");
        Assert.Contains("Cease", us.Status.LastError ?? "Cease", StringComparison.Ordinal);
        await us.EstablishedAsync(TimeSpan.FromSeconds(60));
    }
}
