using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>IPv4 routes over an IPv6 session with FRR bgpd 8.4, both ways, checked through vtysh JSON.</summary>
[Trait("Category", "Interop")]
public class FrrIPv4OverIPv6Tests
{
    private static readonly IPAddress V6Loopback = IPAddress.IPv6Loopback;

    private static BgpPeerOptions Peer(IPAddress address, int frrPort, IPAddress? nextHopIPv4) => new()
    {
        Address = address,
        RemoteAs = 65002,
        HoldTime = TimeSpan.FromSeconds(30),
        IdleHoldTime = TimeSpan.FromMilliseconds(300),
        IdleHoldTimeMax = TimeSpan.FromSeconds(2),
        Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast],
        KeepAdjRibIn = true,
        NextHopIPv4 = nextHopIPv4,
        Transport = new TransportOptions { RemotePort = frrPort, LocalAddress = V6Loopback, ConnectRetryTime = TimeSpan.FromSeconds(2), Ttl = 64 },
    };

    /// <summary>
    /// Both ends on ::1: we configure an IPv4 next hop (NEXT_HOP attribute) and FRR sets one with a route map, since
    /// standalone bgpd has no IPv4 address of its own on an IPv6 session (it would send 0.0.0.0).
    /// </summary>
    [Fact]
    public async Task IPv4_routes_both_ways_over_an_IPv6_session_with_IPv4_next_hops()
    {
        var ourPort = FreePort.Tcp(V6Loopback);
        var frrPort = FreePort.Tcp(V6Loopback);
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("127.0.0.1"), ListenAddress = V6Loopback, ListenPort = ourPort });
        await speaker.StartAsync();
        var config = FrrBgpd.Config(65002, "127.0.0.2", "::1", 65001, ourPort, updateSource: "::1",
            ipv4: "  neighbor ::1 activate\n  network 12.0.1.0/24\n  network 12.0.2.0/24\n  neighbor ::1 route-map NH out",
            ipv6: "  neighbor ::1 activate") + "route-map NH permit 10\n set ip next-hop 192.0.2.2\n";
        await using var frr = await FrrBgpd.StartAsync(config, frrPort, "::1");
        await speaker.AddPeerAsync(Peer(V6Loopback, frrPort, IPAddress.Parse("192.0.2.1")));
        var routes = FrrRouteTests.Hosts(20);
        await speaker.AnnounceAsync(routes, new PathAttributes { Communities = [new Community(65001, 4)] });
        await Poll.UntilAsync(() => speaker.GetStatus(V6Loopback).State == SessionState.Established, "our IPv6 session to Established", TimeSpan.FromSeconds(40));
        Assert.Contains("mp-IPv4/Unicast", speaker.GetStatus(V6Loopback).Capabilities);

        await Poll.UntilAsync(() => frr.PrefixesReceived("::1") == 20, "FRR has our 20 IPv4 routes over the IPv6 session");
        AssertUsable(frr.ShowJson("show bgp ipv4 unicast 11.0.0.7/32 json")["paths"]![0]!, "192.0.2.1", "ipv4");

        await Poll.UntilAsync(() => Twelves(speaker, V6Loopback) == 2, "we have FRR's 2 IPv4 routes");
        var route = speaker.GetReceivedRoutes(V6Loopback).First(r => r.Prefix == Prefix.Parse("12.0.1.0/24"));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), route.Attributes!.NextHopAddress);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), route.NextHop);
        Assert.Equal("65002", route.Attributes.AsPath!.ToString());

        await speaker.WithdrawAsync(routes.Take(5));
        await Poll.UntilAsync(() => frr.PrefixesReceived("::1") == 15, "FRR sees our 5 withdrawals");
    }

    /// <summary>
    /// RFC 8950 between distinct IPv6 addresses (FRR refuses its own ::1 as a next hop): FRR in a namespace behind a veth
    /// pair with <c>neighbor X capability extended-nexthop</c>, we with no IPv4 next hop configured. Both sides put
    /// IPv6 next hops on IPv4 routes in MP_REACH_NLRI.
    /// </summary>
    [Fact]
    public async Task IPv4_routes_both_ways_with_IPv6_next_hops_RFC_8950()
    {
        using var ns = NetNamespace.Create("bk-enhe");
        var net = ns.OuterAddress.GetAddressBytes()[2];
        var ours = IPAddress.Parse($"fd42:251:{net}::1");
        var theirs = IPAddress.Parse($"fd42:251:{net}::2");
        PeerDaemon.Run("ip", "addr", "add", $"{ours}/64", "dev", ns.OuterDevice, "nodad");
        ns.Exec("ip", "addr", "add", $"{theirs}/64", "dev", ns.InnerDevice, "nodad");
        var ourPort = FreePort.Tcp(ours);
        const int frrPort = 1790;
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("127.0.0.1"), ListenAddress = ours, ListenPort = ourPort });
        await speaker.StartAsync();
        var config = FrrBgpd.Config(65002, "127.0.0.2", ours.ToString(), 65001, ourPort, updateSource: theirs.ToString(),
            extra: $" neighbor {ours} capability extended-nexthop",
            ipv4: $"  neighbor {ours} activate\n  network 12.0.1.0/24\n  network 12.0.2.0/24",
            ipv6: $"  neighbor {ours} activate");
        await using var frr = await FrrBgpdProcess.StartAsync(config, frrPort, theirs.ToString(), ns.Name);
        await speaker.AddPeerAsync(Peer(theirs, frrPort, null) with { Transport = new TransportOptions { RemotePort = frrPort, LocalAddress = ours, ConnectRetryTime = TimeSpan.FromSeconds(2) } });
        var routes = FrrRouteTests.Hosts(20);
        await speaker.AnnounceAsync(routes, new PathAttributes { Communities = [new Community(65001, 4)] });
        await Poll.UntilAsync(() => speaker.GetStatus(theirs).State == SessionState.Established, "our IPv6 session to Established", TimeSpan.FromSeconds(40));
        Assert.Contains("extended-nexthop", speaker.GetStatus(theirs).Capabilities);

        await Poll.UntilAsync(() => frr.PrefixesReceived(ours.ToString()) == 20, "FRR has our 20 IPv4 routes with IPv6 next hops");
        AssertUsable(frr.ShowJson("show bgp ipv4 unicast 11.0.0.7/32 json")["paths"]![0]!, ours.ToString(), "ipv6");

        // FRR's IPv4 routes reach our Adj-RIB-In with the IPv6 next hop FRR put in MP_REACH: its global address on the
        // link, and (FRR adds one on a shared link) a link-local address beside it.
        await Poll.UntilAsync(() => Twelves(speaker, theirs) == 2, "we have FRR's 2 IPv4 routes");
        var route = speaker.GetReceivedRoutes(theirs).First(r => r.Prefix == Prefix.Parse("12.0.1.0/24"));
        Assert.Equal("65002", route.Attributes!.AsPath!.ToString());
        Assert.Equal(theirs, route.NextHop);
        Assert.Null(route.Attributes.NextHop);
        Assert.True(route.LinkLocalNextHop is null || route.LinkLocalNextHop.IsIPv6LinkLocal, route.LinkLocalNextHop?.ToString());

        await speaker.WithdrawAsync(routes.Take(5));
        await Poll.UntilAsync(() => frr.PrefixesReceived(ours.ToString()) == 15, "FRR sees our 5 withdrawals");
    }

    private static int Twelves(BgpSpeaker speaker, IPAddress peer) =>
        speaker.GetReceivedRoutes(peer).Count(r => !r.Prefix.IsIPv6 && r.Prefix.Address.GetAddressBytes()[0] == 12);

    private static void AssertUsable(System.Text.Json.Nodes.JsonNode path, string nextHop, string afi)
    {
        var hop = path["nexthops"]![0]!;
        Assert.Equal(nextHop, hop["ip"]!.GetValue<string>());
        Assert.Equal(afi, hop["afi"]!.GetValue<string>());
        Assert.True(path["valid"]!.GetValue<bool>() && hop["accessible"]!.GetValue<bool>(), path.ToJsonString());
        Assert.Equal("65001:4", path["community"]!["string"]!.GetValue<string>());
    }
}
