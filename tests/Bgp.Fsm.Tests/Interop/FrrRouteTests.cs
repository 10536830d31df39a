using System.Net;
using System.Text.Json.Nodes;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Routes both ways with FRR bgpd 8.4, checked through vtysh JSON.</summary>
[Trait("Category", "Interop")]
public class FrrRouteTests
{
    internal static List<Prefix> Hosts(int count, uint start = 0x0B000000) => Enumerable.Range(0, count).Select(i => Prefix.FromIPv4(start + (uint)i, 32)).ToList();

    internal static string Networks(int count, int second = 12) => string.Join('\n', Enumerable.Range(0, count).Select(i => $"  network {second}.{i / 256}.{i % 256}.0/24"));

    [Theory]
    [InlineData(65001u, 65002u)]
    [InlineData(4200000001u, 4200000001u)]
    public async Task Both_sides_announce_and_withdraw_hundreds_of_routes_with_communities_MED_and_local_pref(uint ourAs, uint frrAs)
    {
        await using var us = await OurSide.StartAsync(ourAs);
        var frrPort = FreePort.Tcp(OurSide.Them);
        var config = FrrBgpd.Config(frrAs, "127.0.0.2", "127.0.0.1", ourAs, us.Port, ipv4: Networks(200));
        await using var frr = await FrrBgpd.StartAsync(config, frrPort);
        await us.AddPeerAsync(frrAs, frrPort, p => p with { KeepAdjRibIn = true });
        var ibgp = ourAs == frrAs;
        var attributes = new PathAttributes
        {
            MultiExitDisc = 77,
            LocalPref = ibgp ? 333u : null,
            Communities = [new Community(65001, 100), Community.NoExport],
            LargeCommunities = [new LargeCommunity(ourAs, 1, 2)],
        };
        var routes = Hosts(300);
        await us.Speaker.AnnounceAsync(routes, attributes);
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => frr.PrefixesReceived("127.0.0.1") == 300, "FRR has our 300 routes");

        var path = frr.ShowJson("show bgp ipv4 unicast 11.0.0.7/32 json")["paths"]![0]!;
        Assert.Equal(77, path["metric"]!.GetValue<int>());
        Assert.Equal("65001:100 no-export", path["community"]!["string"]!.GetValue<string>());
        Assert.Equal($"{ourAs}:1:2", path["largeCommunity"]!["string"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", path["nexthops"]![0]!["ip"]!.GetValue<string>());
        if (ibgp)
        {
            Assert.Equal(333, path["locPrf"]!.GetValue<int>());
        }
        else
        {
            Assert.Equal(ourAs.ToString(System.Globalization.CultureInfo.InvariantCulture), path["aspath"]!["string"]!.GetValue<string>());
        }

        // FRR's 200 networks arrive in our Adj-RIB-In (our own routes reflected back are loop-detected on eBGP).
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count(r => r.Prefix.Address.GetAddressBytes()[0] == 12) == 200, "we have FRR's 200 routes");
        var fromFrr = us.Speaker.GetReceivedRoutes(OurSide.Them).First(r => r.Prefix == Prefix.Parse("12.0.5.0/24")).Attributes!;
        Assert.Equal(IPAddress.Parse("127.0.0.2"), fromFrr.NextHopAddress);

        await us.Speaker.WithdrawAsync(routes.Take(120));
        await Poll.UntilAsync(() => frr.PrefixesReceived("127.0.0.1") == 180, "FRR sees 120 withdrawals");
        // bgpd counts a withdrawal at once but removes the route from its table in a later pass of its work
        // queue: on a loaded machine the table can still list it for a moment (seen in CI with both cores busy).
        await Poll.UntilAsync(() => frr.ShowJson("show bgp ipv4 unicast json")["routes"]!["11.0.0.5/32"] is null, "FRR's table to drop a withdrawn route");

        frr.Configure("router bgp " + frrAs, "address-family ipv4 unicast", "no network 12.0.0.0/24", "no network 12.0.1.0/24");
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count(r => r.Prefix.Address.GetAddressBytes()[0] == 12) == 198, "FRR's withdrawals reach us");
    }

    [Fact]
    public async Task IPv6_prefixes_over_an_IPv4_session()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        var config = FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, us.Port,
            ipv6: "  neighbor 127.0.0.1 activate\n  network 2001:db8:99::/48");
        await using var frr = await FrrBgpd.StartAsync(config, frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { KeepAdjRibIn = true, NextHopIPv6 = IPAddress.Parse("2001:db8::1") });
        var v6 = Enumerable.Range(0, 100).Select(i => Prefix.FromIPv6(0x20010db800010000UL + (ulong)i, 0, 64)).ToList();
        await us.Speaker.AnnounceAsync(v6, new PathAttributes { Communities = [new Community(65001, 6)] });
        await us.EstablishedAsync();
        Assert.Contains("mp-IPv6/Unicast", us.Status.Capabilities);
        await Poll.UntilAsync(() => frr.PrefixesReceived("127.0.0.1", "ipv6") == 100, "FRR has our 100 IPv6 routes");
        var path = frr.ShowJson("show bgp ipv6 unicast 2001:db8:1:5::/64 json")["paths"]![0]!;
        Assert.Equal("2001:db8::1", path["nexthops"]![0]!["ip"]!.GetValue<string>());
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Any(r => r.Prefix == Prefix.Parse("2001:db8:99::/48")), "we have FRR's IPv6 route");
        // FRR has no IPv6 address on this IPv4 session: its MP_REACH next hop is the IPv4-mapped form of its own address.
        var route = us.Speaker.GetReceivedRoutes(OurSide.Them).First(r => r.Prefix == Prefix.Parse("2001:db8:99::/48"));
        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.2"), route.NextHop);
    }

    [Fact]
    public async Task Route_refresh_both_ways()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await FrrBgpd.StartAsync(FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, us.Port, ipv4: Networks(10)), frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { KeepAdjRibIn = true });
        await us.Speaker.AnnounceAsync(Hosts(50), new PathAttributes());
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => frr.PrefixesReceived("127.0.0.1") == 50, "FRR has 50");

        // FRR asks us (soft in): we answer from the Adj-RIB-Out.
        var updatesBefore = us.Status.Counters.UpdatesSent;
        frr.Vtysh("clear bgp ipv4 unicast 127.0.0.1 soft in");
        await Poll.UntilAsync(() => us.Status.Counters.RouteRefreshReceived > 0 && us.Status.Counters.UpdatesSent > updatesBefore, "we re-send on ROUTE-REFRESH");
        Assert.Equal(50, frr.PrefixesReceived("127.0.0.1"));
        Assert.Equal(SessionState.Established, us.Status.State);

        // We ask FRR.
        var received = us.Status.Counters.UpdatesReceived;
        await us.Speaker.RefreshPeerAsync(OurSide.Them);
        await Poll.UntilAsync(() => us.Status.Counters.UpdatesReceived > received, "FRR re-sends on our ROUTE-REFRESH");
    }

    [Fact]
    public async Task A_new_import_filter_applies_to_the_running_session_without_a_reset()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        // 12.0.0.0/24 .. 12.0.9.0/24 and three 13.x routes of other lengths.
        var config = FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, us.Port, ipv4: Networks(10) + "\n  network 13.0.0.0/16\n  network 13.1.0.0/24\n  network 13.2.0.0/28");
        await using var frr = await FrrBgpd.StartAsync(config, frrPort);
        var narrow = PrefixFilter.Of(new PrefixFilterEntry(Prefix.Parse("12.0.0.0/22"), 24, 24), new PrefixFilterEntry(Prefix.Parse("13.0.0.0/8"), LessOrEqual: 24));
        await us.AddPeerAsync(65002, frrPort, p => p with { KeepAdjRibIn = true, ImportFilter = narrow });
        await us.EstablishedAsync();
        string[] Received() => us.Speaker.GetReceivedRoutes(OurSide.Them).Select(r => r.Prefix.ToString()).Order(StringComparer.Ordinal).ToArray();
        string[] expected = ["12.0.0.0/24", "12.0.1.0/24", "12.0.2.0/24", "12.0.3.0/24", "13.0.0.0/16", "13.1.0.0/24"];
        await Poll.UntilAsync(() => Received().SequenceEqual(expected), "the narrow filter's six routes", TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => us.Status.PrefixesRefused == 7, "seven refused", TimeSpan.FromSeconds(30));
        Assert.Equal(expected, Received());
        var transitions = us.Status.Counters.EstablishedTransitions;

        await us.Speaker.SetImportFilterAsync(OurSide.Them, PrefixFilter.All);
        await Poll.UntilAsync(() => Received().Length == 13, "all thirteen after the filter opened", TimeSpan.FromSeconds(30));
        Assert.Equal(transitions, us.Status.Counters.EstablishedTransitions);
        Assert.Equal(SessionState.Established, us.Status.State);

        await us.Speaker.SetImportFilterAsync(OurSide.Them, PrefixFilter.Of(new PrefixFilterEntry(Prefix.Parse("13.2.0.0/28"))));
        await Poll.UntilAsync(() => Received().SequenceEqual(["13.2.0.0/28"]), "only 13.2.0.0/28 once the filter narrowed", TimeSpan.FromSeconds(30));
        Assert.Equal(transitions, us.Status.Counters.EstablishedTransitions);
    }

    [Fact]
    public async Task Every_route_is_re_announced_after_FRR_restarts()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await FrrBgpd.StartAsync(FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, us.Port), frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { HoldTime = TimeSpan.FromSeconds(9) });
        await us.Speaker.AnnounceAsync(Hosts(250), new PathAttributes { Communities = [new Community(1, 2)] });
        await Poll.UntilAsync(() => frr.PrefixesReceived("127.0.0.1") == 250, "FRR has 250");
        frr.Kill();
        await frr.RestartAsync();
        await Poll.UntilAsync(() => frr.PrefixesReceived("127.0.0.1") == 250, "FRR has all 250 again", TimeSpan.FromSeconds(60));
    }
}
