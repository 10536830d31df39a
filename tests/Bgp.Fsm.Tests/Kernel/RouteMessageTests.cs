using System.Net;
using BgpKit.Bgp.Fsm.Kernel;

namespace BgpKit.Bgp.Fsm.Tests.Kernel;

/// <summary>
/// rtnetlink route messages as golden bytes (the layout of linux/rtnetlink.h, checked against what
/// <c>strace ip route add ... proto bgp metric 20 nexthop via ... nexthop via ...</c> sends, plus RTA_TABLE),
/// and the replies read back: ACKs with and without the kernel's extended message, and route dumps.
/// </summary>
public sealed class RouteMessageTests
{
    private static readonly IPAddress[] TwoHops = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")];

    private const string MultipathIpv4 =
        // nlmsghdr: length 88, RTM_NEWROUTE (24), NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE (0x605), sequence 1, port 0
        "58000000" + "1800" + "0506" + "01000000" + "00000000" +
        // rtmsg: AF_INET, /24, src 0, tos 0, table main (254), protocol bgp (186), scope universe, RTN_UNICAST, flags 0
        "02" + "18" + "00" + "00" + "FE" + "BA" + "00" + "01" + "00000000" +
        // RTA_TABLE 254
        "08000F00" + "FE000000" +
        // RTA_DST 198.51.100.0
        "08000100" + "C6336400" +
        // RTA_PRIORITY 20
        "08000600" + "14000000" +
        // RTA_MULTIPATH (36): rtnexthop (16: flags 0, hops 0, ifindex 0) + RTA_GATEWAY 10.0.0.1, then 10.0.0.2
        "24000900" +
        "1000" + "00" + "00" + "00000000" + "08000500" + "0A000001" +
        "1000" + "00" + "00" + "00000000" + "08000500" + "0A000002";

    [Fact]
    public void An_ECMP_route_is_one_RTM_NEWROUTE_with_RTA_MULTIPATH()
    {
        var buffer = new byte[RouteMessage.MaxNewRouteLength(2)];
        var length = RouteMessage.WriteNewRoute(buffer, 1, IPNetwork.Parse("198.51.100.0/24"), TwoHops, 254, 186, 20, replace: false);
        Assert.Equal(MultipathIpv4, Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void A_replacement_with_one_IPv6_next_hop_of_an_IPv4_prefix_uses_RTA_VIA_and_NLM_F_REPLACE()
    {
        var buffer = new byte[RouteMessage.MaxNewRouteLength(1)];
        var length = RouteMessage.WriteNewRoute(buffer, 2, IPNetwork.Parse("198.51.101.0/24"), [IPAddress.Parse("2001:db8::1")], 254, 186, 20, replace: true);
        Assert.Equal(
            // length 76, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE | NLM_F_CREATE (0x505), sequence 2
            "4C000000" + "1800" + "0505" + "02000000" + "00000000" +
            "02" + "18" + "00" + "00" + "FE" + "BA" + "00" + "01" + "00000000" +
            "08000F00" + "FE000000" +
            "08000100" + "C6336500" +
            "08000600" + "14000000" +
            // RTA_VIA (22, padded to 24): family AF_INET6 (10), 2001:db8::1
            "16001200" + "0A00" + "20010DB8000000000000000000000001" + "0000",
            Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void A_single_IPv6_next_hop_is_RTA_GATEWAY()
    {
        var buffer = new byte[RouteMessage.MaxNewRouteLength(1)];
        var length = RouteMessage.WriteNewRoute(buffer, 3, IPNetwork.Parse("2001:db8:5::/48"), [IPAddress.Parse("2001:db8::2")], 254, 186, 20, replace: false);
        var hex = Convert.ToHexString(buffer, 0, length);
        Assert.Equal("0A" + "30" + "0000FEBA0001", hex.Substring(32, 16));
        Assert.EndsWith("14000500" + "20010DB8000000000000000000000002", hex, StringComparison.Ordinal);
        Assert.Equal((uint)length, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer));
    }

    [Fact]
    public void A_deletion_names_the_table_and_the_protocol_so_that_only_our_route_goes()
    {
        var buffer = new byte[64];
        var length = RouteMessage.WriteDeleteRoute(buffer, 7, IPNetwork.Parse("2001:db8:1::/48"), 1000, 186);
        Assert.Equal(
            // length 56, RTM_DELROUTE (25), NLM_F_REQUEST | NLM_F_ACK, sequence 7
            "38000000" + "1900" + "0500" + "07000000" + "00000000" +
            // AF_INET6, /48, table past 255 so RT_TABLE_UNSPEC here, protocol 186, scope nowhere, type unspec
            "0A" + "30" + "00" + "00" + "00" + "BA" + "FF" + "00" + "00000000" +
            "08000F00" + "E8030000" +
            "14000100" + "20010DB8000100000000000000000000",
            Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void A_dump_request_asks_for_every_table_of_one_family()
    {
        var buffer = new byte[28];
        Assert.Equal(28, RouteMessage.WriteDumpRequest(buffer, 9, 10));
        Assert.Equal("1C000000" + "1A00" + "0103" + "09000000" + "00000000" + "0A00000000000000" + "00000000", Convert.ToHexString(buffer));
    }

    [Fact]
    public void An_ACK_is_error_zero()
    {
        var ack = Convert.FromHexString("24000000" + "0200" + "0001" + "05000000" + "00000000" + "00000000" + "58000000180005060500000000000000");
        Assert.True(RouteMessage.TryReadAck(ack, 5, out var read));
        Assert.Equal(new RouteMessage.Ack(0, null), read);
        Assert.False(RouteMessage.TryReadAck(ack, 6, out _)); // another request's answer
    }

    [Fact]
    public void A_refusal_carries_the_errno_and_the_extended_ACK_message()
    {
        var error = Convert.FromHexString(
            // length 48, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS (0x300), sequence 5
            "30000000" + "0200" + "0003" + "05000000" + "00000000" +
            // error -17 (EEXIST), the request's header
            "EFFFFFFF" + "58000000180005060500000000000000" +
            // NLMSGERR_ATTR_MSG "bad gw"
            "0B000100" + "62616420677700" + "00");
        Assert.True(RouteMessage.TryReadAck(error, 5, out var read));
        Assert.Equal(new RouteMessage.Ack(17, "bad gw"), read);
    }

    [Fact]
    public void A_dump_keeps_only_our_protocols_routes_with_their_next_hops_and_ends_at_NLMSG_DONE()
    {
        var ours = new byte[RouteMessage.MaxNewRouteLength(2)];
        var oursLength = RouteMessage.WriteNewRoute(ours, 4, IPNetwork.Parse("198.51.100.0/24"), TwoHops, 1001, 186, 20, false);
        var theirs = new byte[RouteMessage.MaxNewRouteLength(1)];
        var theirsLength = RouteMessage.WriteNewRoute(theirs, 4, IPNetwork.Parse("203.0.113.0/24"), [TwoHops[0]], 254, 4, 20, false);
        var done = Convert.FromHexString("14000000" + "0300" + "0200" + "04000000" + "00000000" + "00000000");
        var replies = ours[..oursLength].Concat(theirs[..theirsLength]).Concat(done).ToArray();

        var routes = new List<RouteMessage.DumpedRoute>();
        Assert.True(RouteMessage.CollectDump(replies, 4, 186, routes));
        var route = Assert.Single(routes);
        Assert.Equal(IPNetwork.Parse("198.51.100.0/24"), route.Prefix);
        Assert.Equal(1001u, route.Table);
        Assert.Equal(TwoHops, route.NextHops);
    }

    [Fact]
    public void A_dump_that_has_not_ended_asks_for_more_and_a_cut_message_ends_it()
    {
        var ours = new byte[RouteMessage.MaxNewRouteLength(2)];
        var length = RouteMessage.WriteNewRoute(ours, 4, IPNetwork.Parse("198.51.100.0/24"), TwoHops, 254, 186, 20, false);
        var routes = new List<RouteMessage.DumpedRoute>();
        Assert.False(RouteMessage.CollectDump(ours.AsSpan(0, length), 4, 186, routes));
        Assert.Single(routes);
        Assert.True(RouteMessage.CollectDump(ours.AsSpan(0, length - 8), 4, 186, routes));
        Assert.Single(routes);
    }
}
