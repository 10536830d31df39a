using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Fsm.Kernel;
using BgpKit.Bgp.Wire;
using BgpKit.MetalLb.Kubernetes.Speaker;
using PeerRoutes = BgpKit.MetalLb.Kubernetes.Speaker.ReceivedRouteSelection.PeerRoutes;

namespace BgpKit.MetalLb.Kubernetes.Tests.Speaker;

/// <summary>Which received routes go into which kernel table, toward which next hops, without a kernel.</summary>
public sealed class ReceivedRouteSelectionTests
{
    private static readonly IPAddress R1 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress R2 = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress R6 = IPAddress.Parse("2001:db8::1");

    private static ReceivedRoute Route(IPAddress peer, string prefix, IPAddress? nextHop = null, bool mp = false) =>
        new(peer, Prefix.Parse(prefix), mp
            ? new PathAttributes { MpNextHop = nextHop }
            : new PathAttributes { NextHop = nextHop is null ? null : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(nextHop.GetAddressBytes()) });

    private static KernelRouteKey InMain(string prefix) => new(KernelRouteTable.MainTable, IPNetwork.Parse(prefix));

    private static Dictionary<KernelRouteKey, IReadOnlyCollection<IPAddress>> Select(params ReceivedRouteSelection.PeerRoutes[] peers) =>
        ReceivedRouteSelection.Select(peers, vrf => vrf == "red" ? 1001u : null);

    [Fact]
    public void Two_peers_giving_the_same_prefix_make_one_route_with_both_next_hops()
    {
        var table = Select(
            new(R1, null, [Route(R1, "198.51.100.0/24", R1), Route(R1, "198.51.102.0/24", R1)]),
            new(R2, null, [Route(R2, "198.51.100.0/24", R2)]));
        Assert.Equal(2, table.Count);
        Assert.Equal([R1, R2], table[InMain("198.51.100.0/24")].OrderBy(a => a.ToString()));
        Assert.Equal([R1], table[InMain("198.51.102.0/24")]);
    }

    [Fact]
    public void The_next_hop_is_the_routes_NEXT_HOP_and_the_peer_only_without_one()
    {
        var other = IPAddress.Parse("192.0.2.99");
        var table = Select(new PeerRoutes(R1, null, [Route(R1, "198.51.100.0/24", other), Route(R1, "198.51.101.0/24", IPAddress.Any)]));
        Assert.Equal([other], table[InMain("198.51.100.0/24")]);
        Assert.Equal([R1], table[InMain("198.51.101.0/24")]);
    }

    [Fact]
    public void A_VRF_peers_routes_go_to_the_VRFs_table_and_an_unknown_VRFs_nowhere()
    {
        var table = Select(
            new(R1, "red", [Route(R1, "198.51.100.0/24", R1)]),
            new(R2, "blue", [Route(R2, "198.51.100.0/24", R2)]));
        Assert.Equal([R1], Assert.Single(table, kv => kv.Key == new KernelRouteKey(1001, IPNetwork.Parse("198.51.100.0/24"))).Value);
        Assert.Single(table);
    }

    [Fact]
    public void IPv6_routes_take_the_MP_next_hop_mapped_IPv4_becomes_IPv4_and_an_IPv6_prefix_never_goes_via_IPv4()
    {
        var table = Select(
            new(R6, null, [Route(R6, "2001:db8:100::/48", IPAddress.Parse("2001:db8::7"), mp: true), Route(R6, "2001:db8:101::/48", IPAddress.Parse("fe80::1"), mp: true)]),
            new(R1, null, [Route(R1, "2001:db8:102::/48", IPAddress.Parse("::ffff:192.0.2.1"), mp: true), Route(R1, "198.51.100.0/24", R6, mp: true)]));
        Assert.Equal([IPAddress.Parse("2001:db8::7")], table[InMain("2001:db8:100::/48")]);
        Assert.Equal([R6], table[InMain("2001:db8:101::/48")]); // link-local: the peer's address instead
        Assert.False(table.ContainsKey(InMain("2001:db8:102::/48")));
        Assert.Equal([R6], table[InMain("198.51.100.0/24")]); // IPv4 via IPv6 (RTA_VIA)
    }

    [Fact]
    public void A_withdrawn_route_is_not_installed()
    {
        Assert.Empty(Select(new PeerRoutes(R1, null, [new ReceivedRoute(R1, Prefix.Parse("198.51.100.0/24"), null)])));
    }
}
