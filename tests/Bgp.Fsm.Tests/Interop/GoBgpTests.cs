using System.Text.Json.Nodes;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Interop with GoBGP 3.10, checked through the gobgp CLI (-j).</summary>
[Trait("Category", "Interop")]
public class GoBgpTests
{
    [Theory]
    [InlineData(65001u, 65002u)]
    [InlineData(4200000001u, 4200000001u)]
    public async Task Both_sides_announce_and_withdraw_with_communities_MED_and_local_pref(uint ourAs, uint goAs)
    {
        var ibgp = ourAs == goAs;
        await using var us = await OurSide.StartAsync(ourAs);
        var goPort = FreePort.Tcp(OurSide.Them);
        await using var gobgp = await GoBgpDaemon.StartAsync(GoBgpDaemon.Config(goAs, "127.0.0.2", goPort, "127.0.0.1", ourAs, us.Port));
        // GoBGP 3.10 treats a loopback NEXT_HOP as a withdrawal (INTEROP.md): send a documentation address.
        await us.AddPeerAsync(goAs, goPort, p => p with { KeepAdjRibIn = true, NextHopIPv4 = System.Net.IPAddress.Parse("192.0.2.254") });
        var routes = FrrRouteTests.Hosts(300);
        await us.Speaker.AnnounceAsync(routes, new PathAttributes
        {
            MultiExitDisc = 77,
            LocalPref = ibgp ? 333u : null,
            Communities = [new Community(65001, 100)],
            LargeCommunities = [new LargeCommunity(ourAs, 1, 2)],
        });
        for (var i = 0; i < 100; i++)
        {
            gobgp.Gobgp("global", "rib", "add", "-a", "ipv4", $"12.0.{i}.0/24", "nexthop", "192.0.2.1", "community", "65002:9");
        }
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => gobgp.NeighborState("127.0.0.1") == "established", "GoBGP established");
        await Poll.UntilAsync(() => AdjIn(gobgp).Count == 300, "GoBGP has our 300 routes");
        var attrs = AdjIn(gobgp)["11.0.0.7/32"]![0]!["attrs"]!.AsArray();
        string Attr(int type) => attrs.First(a => a!["type"]!.GetValue<int>() == type)!.ToJsonString();
        Assert.Contains("77", Attr(4), StringComparison.Ordinal);
        Assert.Contains(((65001u << 16) | 100u).ToString(System.Globalization.CultureInfo.InvariantCulture), Attr(8), StringComparison.Ordinal);
        Assert.Contains(ourAs.ToString(System.Globalization.CultureInfo.InvariantCulture), Attr(32), StringComparison.Ordinal);
        if (ibgp)
        {
            Assert.Contains("333", Attr(5), StringComparison.Ordinal);
        }

        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 100, "we have GoBGP's 100 routes");
        var got = us.Speaker.GetReceivedRoutes(OurSide.Them).First(r => r.Prefix == Prefix.Parse("12.0.5.0/24")).Attributes!;
        Assert.Equal([new Community(65002, 9)], got.Communities);

        await us.Speaker.WithdrawAsync(routes.Take(100));
        await Poll.UntilAsync(() => AdjIn(gobgp).Count == 200, "GoBGP sees 100 withdrawals");
        for (var i = 0; i < 40; i++)
        {
            gobgp.Gobgp("global", "rib", "del", "-a", "ipv4", $"12.0.{i}.0/24");
        }
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 60, "GoBGP's withdrawals reach us");
    }

    internal static JsonObject AdjIn(GoBgpDaemon gobgp)
    {
        var json = gobgp.GobgpJson("neighbor", "127.0.0.1", "adj-in", "-a", "ipv4");
        return json as JsonObject ?? new JsonObject();
    }

    [Fact]
    public async Task Hold_timer_expires_when_GoBGP_is_frozen()
    {
        await using var us = await OurSide.StartAsync(65001);
        var goPort = FreePort.Tcp(OurSide.Them);
        await using var gobgp = await GoBgpDaemon.StartAsync(GoBgpDaemon.Config(65002, "127.0.0.2", goPort, "127.0.0.1", 65001, us.Port));
        await us.AddPeerAsync(65002, goPort, p => p with { HoldTime = TimeSpan.FromSeconds(3) });
        await us.EstablishedAsync();
        gobgp.Freeze();
        try
        {
            await Poll.UntilAsync(() => us.Status.LastError?.Contains("HoldTimerExpired", StringComparison.Ordinal) == true, "hold timer expiry", TimeSpan.FromSeconds(15));
        }
        finally
        {
            gobgp.Thaw();
        }
    }

    [Fact]
    public async Task ADD_PATH_two_paths_for_one_prefix_are_two_routes_and_a_withdrawal_removes_one()
    {
        await using var us = await OurSide.StartAsync(65001);
        var goPort = FreePort.Tcp(OurSide.Them);
        // send-max applies to the afi-safi table above it (ipv4-unicast).
        await using var gobgp = await GoBgpDaemon.StartAsync(GoBgpDaemon.Config(65002, "127.0.0.2", goPort, "127.0.0.1", 65001, us.Port,
            neighborExtra: "  [neighbors.afi-safis.add-paths.config]\n    send-max = 8\n"));
        await us.AddPeerAsync(65002, goPort, p => p with { KeepAdjRibIn = true, AddPathReceive = true, Families = [AfiSafi.IPv4Unicast] });
        gobgp.Gobgp("global", "rib", "add", "-a", "ipv4", "12.0.1.0/24", "identifier", "1", "nexthop", "192.0.2.1");
        gobgp.Gobgp("global", "rib", "add", "-a", "ipv4", "12.0.1.0/24", "identifier", "2", "nexthop", "192.0.2.2");
        await us.EstablishedAsync();

        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 2, "both of GoBGP's paths");
        var paths = us.Speaker.GetReceivedRoutes(OurSide.Them);
        Assert.All(paths, r => Assert.Equal(Prefix.Parse("12.0.1.0/24"), r.Prefix));
        Assert.All(paths, r => Assert.NotNull(r.PathId));
        Assert.NotEqual(paths[0].PathId, paths[1].PathId);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], paths.Select(r => r.Attributes!.NextHopAddress!.ToString()).Order());

        gobgp.Gobgp("global", "rib", "del", "-a", "ipv4", "12.0.1.0/24", "identifier", "1");
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 1, "one path withdrawn");
        Assert.Equal("192.0.2.2", us.Speaker.GetReceivedRoutes(OurSide.Them)[0].Attributes!.NextHopAddress!.ToString());
    }
}
