using System.Net;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Planning;

/// <summary>BGPPeer <c>spec.interface</c> (BGP unnumbered): one dual-stack session per interface, rendered as MetalLB renders it for FRR.</summary>
public class UnnumberedPeerTests
{
    private const string InterfacePeer = """
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: tor, namespace: metallb-system}
        spec: {myASN: 64500, peerASN: 64501, interface: eth1, holdTime: 30s}
        """;

    private const string DualPool = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool1, namespace: metallb-system}
        spec: {addresses: [192.0.2.0/24, '2001:db8:5::/120']}
        """;

    private static ClusterPlan DualStackPlan() => Plan(Join(InterfacePeer, DualPool, Advertisement,
        Service("web"), Service("web6", extraSpec: "ipFamilies: [IPv6]\nipFamilyPolicy: SingleStack")), "node1");

    [Fact]
    public void The_session_names_the_interface_and_carries_both_families()
    {
        var plan = DualStackPlan();
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var node = Assert.Single(plan.Nodes);
        var session = Assert.Single(node.Sessions);
        Assert.Equal("eth1", session.Interface);
        Assert.Equal("eth1", session.Neighbor);
        Assert.Equal(IPAddress.IPv6Any, session.Address);
        Assert.False(session.DisableMp);
        Assert.Equal("tor interface eth1 AS64500->64501 passwordSet=False", session.ToString());
        Assert.Equal(["192.0.2.0/32", "2001:db8:5::/128"], node.Announcements.Where(a => a.Peer == "tor").Select(a => a.Prefix.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Frr_config_has_neighbor_IFNAME_interface_active_in_both_families()
    {
        var conf = FrrConfigRenderer.Render(Assert.Single(DualStackPlan().Nodes));
        Assert.Contains(" neighbor eth1 interface remote-as 64501\n", conf, StringComparison.Ordinal);
        Assert.Contains(" neighbor eth1 timers 10 30\n", conf, StringComparison.Ordinal);
        Assert.Contains(" address-family ipv4 unicast\n  network 192.0.2.0/32\n  neighbor eth1 activate\n  neighbor eth1 route-map tor-out out\n", conf.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(" address-family ipv6 unicast\n  network 2001:db8:5::/128\n  neighbor eth1 activate\n", conf.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("neighbor ::", conf, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_peer_beside_it_keeps_its_own_family_only()
    {
        var plan = Plan(Join(InterfacePeer, Peer, DualPool, Advertisement, Service("web6", extraSpec: "ipFamilies: [IPv6]\nipFamilyPolicy: SingleStack")), "node1");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var node = Assert.Single(plan.Nodes);
        Assert.Equal(["tor"], node.Announcements.Select(a => a.Peer).Distinct());
        Assert.Null(node.Sessions.Single(s => s.Peer == "peer1").Interface);
    }
}
