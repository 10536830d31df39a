using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Interop with BIRD 2.0.12, checked through birdc.</summary>
[Trait("Category", "Interop")]
public class BirdTests
{
    private static string Statics(int count) =>
        "protocol static static4 { ipv4; " + string.Concat(Enumerable.Range(0, count).Select(i => $"route 12.{i / 256}.{i % 256}.0/24 blackhole; ")) + "}";

    [Theory]
    [InlineData(65001u, 65002u)]
    [InlineData(4200000001u, 4200000001u)]
    public async Task Both_sides_announce_and_withdraw_with_communities_MED_and_local_pref(uint ourAs, uint birdAs)
    {
        var ibgp = ourAs == birdAs;
        await using var us = await OurSide.StartAsync(ourAs);
        var birdPort = FreePort.Tcp(OurSide.Them);
        var channel = "ipv4 { import all; export where proto = \"static4\"; " + (ibgp ? "next hop self; " : "") + "};";
        await using var bird = await BirdDaemon.StartAsync(BirdDaemon.Config(birdAs, "127.0.0.2", birdPort, "127.0.0.1", ourAs, us.Port, channels: channel, global: Statics(150)));
        await us.AddPeerAsync(birdAs, birdPort, p => p with { KeepAdjRibIn = true });
        var routes = FrrRouteTests.Hosts(300);
        await us.Speaker.AnnounceAsync(routes, new PathAttributes
        {
            MultiExitDisc = 77,
            LocalPref = ibgp ? 333u : null,
            Communities = [new Community(65001, 100)],
            LargeCommunities = [new LargeCommunity(ourAs, 1, 2)],
        });
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => bird.BgpState() == "Established", "BIRD Established");
        await Poll.UntilAsync(() => bird.RouteCount() == 300, "BIRD has our 300 routes");
        var detail = bird.Birdc("show route 11.0.0.7/32 all");
        Assert.Contains("BGP.med: 77", detail, StringComparison.Ordinal);
        Assert.Contains("BGP.community: (65001,100)", detail, StringComparison.Ordinal);
        Assert.Contains($"BGP.large_community: ({ourAs}, 1, 2)", detail, StringComparison.Ordinal);
        Assert.Contains(ibgp ? "BGP.local_pref: 333" : $"BGP.as_path: {ourAs}", detail, StringComparison.Ordinal);

        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 150, "we have BIRD's 150 routes");
        await us.Speaker.WithdrawAsync(routes.Take(100));
        await Poll.UntilAsync(() => bird.RouteCount() == 200, "BIRD sees 100 withdrawals");
        bird.Birdc("disable static4");
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 0, "BIRD's withdrawals reach us");
    }

    [Fact]
    public async Task IPv6_prefixes_over_an_IPv4_session()
    {
        await using var us = await OurSide.StartAsync(65001);
        var birdPort = FreePort.Tcp(OurSide.Them);
        await using var bird = await BirdDaemon.StartAsync(BirdDaemon.Config(65002, "127.0.0.2", birdPort, "127.0.0.1", 65001, us.Port,
            channels: "ipv4 { import all; export none; }; ipv6 { import all; export none; };"));
        await us.AddPeerAsync(65002, birdPort, p => p with { NextHopIPv6 = IPAddress.Parse("2001:db8::1") });
        var v6 = Enumerable.Range(0, 120).Select(i => Prefix.FromIPv6(0x20010db800020000UL + (ulong)i, 0, 64)).ToList();
        await us.Speaker.AnnounceAsync(v6, new PathAttributes());
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => bird.RouteCount() == 120, "BIRD has our 120 IPv6 routes");
        Assert.Contains("2001:db8:2:5::/64", bird.Birdc("show route protocol peer1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_md5_match_establishes_and_mismatch_does_not()
    {
        await using var us = await OurSide.StartAsync(65001);
        var birdPort = FreePort.Tcp(OurSide.Them);
        await using var bird = await BirdDaemon.StartAsync(BirdDaemon.Config(65002, "127.0.0.2", birdPort, "127.0.0.1", 65001, us.Port, extra: "password \"bird-key\";"));
        await us.AddPeerAsync(65002, birdPort, p => p with { Transport = p.Transport with { Password = "bird-key" } });
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => bird.BgpState() == "Established", "BIRD Established with MD5");

        await using var wrong = await OurSide.StartAsync(65001);
        var birdPort2 = FreePort.Tcp(OurSide.Them);
        await using var bird2 = await BirdDaemon.StartAsync(BirdDaemon.Config(65002, "127.0.0.2", birdPort2, "127.0.0.1", 65001, wrong.Port, extra: "password \"bird-key\";"));
        await wrong.AddPeerAsync(65002, birdPort2, p => p with { Transport = p.Transport with { Password = "other" } });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < deadline)
        {
            Assert.NotEqual(SessionState.Established, wrong.Status.State);
            await Task.Delay(250);
        }
        Assert.Equal(0, wrong.Status.Counters.OpensReceived);
    }

    [Fact]
    public async Task Hold_timer_expires_when_BIRD_is_frozen()
    {
        await using var us = await OurSide.StartAsync(65001);
        var birdPort = FreePort.Tcp(OurSide.Them);
        // BIRD waits "error wait time" (60 s by default) after its own hold expiry before it talks again.
        await using var bird = await BirdDaemon.StartAsync(BirdDaemon.Config(65002, "127.0.0.2", birdPort, "127.0.0.1", 65001, us.Port,
            extra: "error wait time 1, 2; connect retry time 1;"));
        await us.AddPeerAsync(65002, birdPort, p => p with { HoldTime = TimeSpan.FromSeconds(3) });
        await us.EstablishedAsync();
        bird.Freeze();
        try
        {
            await Poll.UntilAsync(() => us.Status.LastError?.Contains("HoldTimerExpired", StringComparison.Ordinal) == true, "hold timer expiry", TimeSpan.FromSeconds(15));
        }
        finally
        {
            bird.Thaw();
        }
        await us.EstablishedAsync(TimeSpan.FromSeconds(30));
    }
}
