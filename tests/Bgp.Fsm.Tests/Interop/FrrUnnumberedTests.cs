using System.Net;
using System.Net.NetworkInformation;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using Xunit.Abstractions;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>
/// BGP unnumbered with FRR 8.4 (zebra + bgpd, <c>neighbor IFNAME interface remote-as external</c>): a veth pair with only
/// IPv6 link-local addresses, FRR in a namespace at one end, our speaker on the other end's interface.
/// </summary>
[Trait("Category", "Interop")]
public class FrrUnnumberedTests(ITestOutputHelper output)
{
    private static readonly Prefix ServiceV4 = Prefix.Parse("198.51.100.10/32");
    private static readonly Prefix ServiceV6 = Prefix.Parse("2001:db8:5::10/128");

    [Fact]
    public async Task Routes_both_ways_over_link_local_addresses_with_IPv6_next_hops_RFC_8950()
    {
        if (!FrrRouter.IsAvailable)
        {
            output.WriteLine("skipped: FRR zebra/bgpd/bfdd or iproute2 not installed");
            return;
        }
        using var ns = NetNamespace.Create("bk-unnum");
        // Only link-local addresses on the link: drop the IPv4 /30 the helper puts on each end.
        PeerDaemon.Run("ip", "addr", "flush", "dev", ns.OuterDevice, "scope", "global");
        ns.Exec("ip", "addr", "flush", "dev", ns.InnerDevice, "scope", "global");
        var ourLinkLocal = await Poll.ForAsync(() => LinkLocal(ns.OuterDevice), a => a is not null, "our link-local address out of DAD");
        await Poll.UntilAsync(() => !ns.Exec("ip", "-6", "addr", "show", "dev", ns.InnerDevice).Contains("tentative", StringComparison.Ordinal)
            && ns.Exec("ip", "-6", "addr", "show", "dev", ns.InnerDevice).Contains("fe80::", StringComparison.Ordinal), "FRR's link-local address out of DAD");
        var inner = ns.InnerDevice;
        // FRR is passive so that nothing of ours listens on port 179 of the test's namespace; it still has to learn
        // our address from our Router Advertisements to accept our connection.
        using var frr = FrrRouter.Start(ns, $"""
            router bgp 65002
             bgp router-id 10.0.0.2
             no bgp ebgp-requires-policy
             no bgp network import-check
             neighbor {inner} interface remote-as external
             neighbor {inner} passive
             neighbor {inner} timers 30 90
             address-family ipv4 unicast
              network 12.0.1.0/24
             exit-address-family
             address-family ipv6 unicast
              neighbor {inner} activate
             exit-address-family
            """, "");

        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });
        await speaker.StartAsync();
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = IPAddress.IPv6Any,
            Interface = ns.OuterDevice,
            RemoteAs = 65002,
            HoldTime = TimeSpan.FromSeconds(30),
            IdleHoldTime = TimeSpan.FromMilliseconds(300),
            IdleHoldTimeMax = TimeSpan.FromSeconds(2),
            KeepAdjRibIn = true,
            RouterAdvertisementInterval = TimeSpan.FromSeconds(1),
            Transport = new TransportOptions { ConnectRetryTime = TimeSpan.FromSeconds(2) },
        });
        var key = BgpPeerOptions.InterfacePeerAddress(ns.OuterDevice);
        await speaker.AnnounceAsync([ServiceV4, ServiceV6], new PathAttributes());

        await WithLogs(Poll.UntilAsync(() => speaker.GetStatus(key).State == SessionState.Established && frr.NeighborState(inner) == "Established",
            "the unnumbered session Established on both sides", TimeSpan.FromSeconds(60)), frr);
        Assert.Contains("extended-nexthop", speaker.GetStatus(key).Capabilities);
        Assert.True(speaker.GetStatus(key).LocalEndPoint!.Address.IsIPv6LinkLocal);
        Assert.Equal(ns.OuterDevice, speaker.GetStatus(key).Interface);
        Assert.Equal(LinkLocalIn(ns, inner), new IPAddress(speaker.GetStatus(key).RemoteEndPoint!.Address.GetAddressBytes()));

        // FRR installs the IPv4 /32 in the kernel with our link-local address as an IPv6 gateway (RFC 5549 routes).
        var v4 = await WithLogs(Poll.ForAsync(() => ns.Exec("ip", "route", "show", ServiceV4.ToString()), r => r.Contains("via inet6", StringComparison.Ordinal),
            "FRR's kernel route to the IPv4 service", TimeSpan.FromSeconds(60)), frr);
        Assert.Contains($"via inet6 {ourLinkLocal} dev {inner}", v4, StringComparison.Ordinal);
        var v6 = await Poll.ForAsync(() => ns.Exec("ip", "-6", "route", "show", ServiceV6.ToString()), r => r.Contains("via", StringComparison.Ordinal),
            "FRR's kernel route to the IPv6 service");
        Assert.Contains($"via {ourLinkLocal} dev {inner}", v6, StringComparison.Ordinal);

        output.WriteLine(v4 + v6);
        var path = frr.BgpdJson($"show bgp ipv4 unicast {ServiceV4} json")["paths"]![0]!;
        Assert.True(path["valid"]!.GetValue<bool>(), path.ToJsonString());
        var hops = path["nexthops"]!.AsArray();
        Assert.Contains(hops, h => h!["ip"]!.GetValue<string>() == ourLinkLocal!.ToString() && h["afi"]!.GetValue<string>() == "ipv6");

        // FRR's IPv4 route comes to us in MP_REACH_NLRI with FRR's link-local address as next hop.
        var route = await Poll.ForAsync(() => speaker.GetReceivedRoutes(key).FirstOrDefault(r => r.Prefix == Prefix.Parse("12.0.1.0/24")), r => r is not null,
            "FRR's IPv4 route in our Adj-RIB-In");
        output.WriteLine($"FRR's route: {route!.Prefix} via {route.NextHop} {route.LinkLocalNextHop}");
        Assert.Null(route.Attributes!.NextHop);
        var frrLinkLocal = LinkLocalIn(ns, inner);
        Assert.Contains(frrLinkLocal, new[] { route.NextHop, route.LinkLocalNextHop }.Where(a => a is not null).Select(a => new IPAddress(a!.GetAddressBytes())));

        await speaker.WithdrawAsync(ServiceV4);
        await WithLogs(Poll.UntilAsync(() => ns.Exec("ip", "route", "show", ServiceV4.ToString()).Trim().Length == 0, "FRR removes the withdrawn IPv4 route"), frr);
    }

    /// <summary>
    /// The other direction: we listen, on a port of our own bound to the veth, and FRR connects to our
    /// link-local address once our Router Advertisement named it; the listener hands the connection from an address
    /// no peer was configured with to the interface's peer.
    /// </summary>
    [Theory]
    [InlineData(true)]   // only FRR connects
    [InlineData(false)]  // both connect: one connection survives the collision (RFC 4271 section 6.8)
    public async Task FRR_connects_to_our_link_local_address_learned_from_our_Router_Advertisements(bool passive)
    {
        if (!FrrRouter.IsAvailable)
        {
            output.WriteLine("skipped: FRR zebra/bgpd/bfdd or iproute2 not installed");
            return;
        }
        using var ns = NetNamespace.Create("bk-unnum-acc");
        PeerDaemon.Run("ip", "addr", "flush", "dev", ns.OuterDevice, "scope", "global");
        ns.Exec("ip", "addr", "flush", "dev", ns.InnerDevice, "scope", "global");
        await Poll.ForAsync(() => LinkLocal(ns.OuterDevice), a => a is not null, "our link-local address out of DAD");
        var inner = ns.InnerDevice;
        var ourPort = FreePort.Tcp(IPAddress.IPv6Any);
        using var frr = FrrRouter.Start(ns, $"""
            router bgp 65002
             bgp router-id 10.0.0.2
             no bgp ebgp-requires-policy
             neighbor {inner} interface remote-as 65001
             neighbor {inner} port {ourPort}
             neighbor {inner} timers connect 1
            """, "");
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions
        {
            LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = IPAddress.IPv6Any, ListenPort = ourPort, ListenDevice = ns.OuterDevice,
        });
        await speaker.StartAsync();
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = IPAddress.IPv6Any,
            Interface = ns.OuterDevice,
            RemoteAs = 65002,
            RouterAdvertisementInterval = TimeSpan.FromSeconds(1),
            Transport = new TransportOptions { Passive = passive, ConnectRetryTime = TimeSpan.FromSeconds(2) },
        });
        var key = BgpPeerOptions.InterfacePeerAddress(ns.OuterDevice);
        await speaker.AnnounceAsync(ServiceV4, new PathAttributes());
        await WithLogs(Poll.UntilAsync(() => speaker.GetStatus(key).State == SessionState.Established, "FRR's connection accepted and Established", TimeSpan.FromSeconds(60)), frr);
        await Poll.UntilAsync(() => frr.NeighborState(inner) == "Established", "FRR's side Established");
        Assert.Equal(1, speaker.GetStatus(key).Counters.EstablishedTransitions);
        var v4 = await WithLogs(Poll.ForAsync(() => ns.Exec("ip", "route", "show", ServiceV4.ToString()), r => r.Contains("via inet6 fe80:", StringComparison.Ordinal),
            "FRR's kernel route to the IPv4 service"), frr);
        Assert.Contains($"dev {inner}", v4, StringComparison.Ordinal);
    }

    private static async Task<T> WithLogs<T>(Task<T> poll, FrrRouter frr)
    {
        try
        {
            return await poll;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + frr.Logs(), e);
        }
    }

    private static async Task WithLogs(Task poll, FrrRouter frr) => await WithLogs(poll.ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default), frr);

    private static IPAddress? LinkLocal(string device)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device);
        var ll = nic?.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.IsIPv6LinkLocal);
        if (ll is null || PeerDaemon.Run("ip", "-6", "addr", "show", "dev", device).Contains("tentative", StringComparison.Ordinal))
        {
            return null;
        }
        return new IPAddress(ll.Address.GetAddressBytes());
    }

    private static IPAddress LinkLocalIn(NetNamespace ns, string device)
    {
        var text = ns.Exec("ip", "-6", "-o", "addr", "show", "dev", device, "scope", "link");
        var word = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(w => w.StartsWith("fe80:", StringComparison.Ordinal));
        return IPAddress.Parse(word[..word.IndexOf('/', StringComparison.Ordinal)]);
    }
}
