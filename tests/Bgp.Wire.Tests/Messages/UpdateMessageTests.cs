using System.Net;

namespace BgpKit.Bgp.Wire.Tests.Messages;

public class UpdateMessageTests
{
    private static readonly BgpDecodeContext As4 = BgpDecodeContext.FourOctetAsDefault;

    // Every IPv4 attribute BgpKit decodes, on a 4-octet AS session, in ascending type order.
    internal const string FullUpdate = """
        ffffffffffffffffffffffffffffffff 0095 02   // length 149, UPDATE
        0000                                       // no withdrawn routes
        0077                                       // 119 octets of path attributes
        40 01 01 00                                // ORIGIN IGP
        40 02 0e 02 03 0000fde8 0000fde9 fa56ea00  // AS_PATH AS_SEQUENCE 65000 65001 4200000000
        40 03 04 c0000201                          // NEXT_HOP 192.0.2.1
        80 04 04 00000064                          // MULTI_EXIT_DISC 100
        40 05 04 000000c8                          // LOCAL_PREF 200
        40 06 00                                   // ATOMIC_AGGREGATE
        c0 07 08 0000fde8 c0000202                 // AGGREGATOR 65000 192.0.2.2
        c0 08 08 fde80064 ffffff01                 // COMMUNITIES 65000:100 NO_EXPORT
        80 09 04 0a000001                          // ORIGINATOR_ID 10.0.0.1
        80 0a 04 0a000002                          // CLUSTER_LIST 10.0.0.2
        c0 10 08 0002fde800000064                  // EXTENDED_COMMUNITIES rt:65000:100
        c0 20 0c 0000fde8 00000001 00000002        // LARGE_COMMUNITY 65000:1:2
        c0 23 04 0000fde8                          // OTC 65000
        c0 63 02 abcd                              // unknown optional transitive type 99
        18 0a0000                                  // NLRI 10.0.0.0/24
        10 0a01                                    // NLRI 10.1.0.0/16
        """;

    [Fact]
    public void Full_update_decodes_every_attribute_and_encodes_back()
    {
        var bytes = Hex.Parse(FullUpdate);
        var update = Assert.IsType<UpdateMessage>(BgpMessage.Decode(bytes, As4));
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Null(update.Error);
        var a = update.Attributes!;
        Assert.Equal(Origin.Igp, a.Origin);
        Assert.Equal("65000 65001 4200000000", a.AsPath!.ToString());
        Assert.Equal(3, a.AsPath.Length);
        Assert.Equal(4200000000u, a.AsPath.OriginAs);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), a.NextHopAddress);
        Assert.Equal(100u, a.MultiExitDisc);
        Assert.Equal(200u, a.LocalPref);
        Assert.True(a.AtomicAggregate);
        Assert.Equal(new Aggregator(65000, 0xC0000202), a.Aggregator);
        Assert.Equal([Community.Parse("65000:100"), Community.NoExport], a.Communities);
        Assert.Equal(0x0A000001u, a.OriginatorId);
        Assert.Equal([0x0A000002u], a.ClusterList);
        Assert.Equal("rt:65000:100", Assert.Single(a.ExtendedCommunities).ToString());
        Assert.Equal(new LargeCommunity(65000, 1, 2), Assert.Single(a.LargeCommunities));
        Assert.Equal(65000u, a.OnlyToCustomer);
        var unknown = Assert.Single(a.Unknown);
        Assert.Equal(99, unknown.TypeCode);
        Assert.Equal(PathAttributeFlags.Optional | PathAttributeFlags.Transitive, unknown.Flags);
        Assert.Equal(["10.0.0.0/24", "10.1.0.0/16"], update.Nlri.Select(n => n.ToString()));

        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(As4)));
    }

    [Fact]
    public void Built_update_encodes_to_the_golden_bytes()
    {
        var attributes = new PathAttributes
        {
            Origin = Origin.Igp,
            AsPath = AsPath.Sequence(65000, 65001, 4200000000),
            NextHop = 0xC0000201,
            MultiExitDisc = 100,
            LocalPref = 200,
            AtomicAggregate = true,
            Aggregator = new Aggregator(65000, 0xC0000202),
            Communities = [Community.Parse("65000:100"), Community.Parse("no-export")],
            OriginatorId = 0x0A000001,
            ClusterList = [0x0A000002],
            ExtendedCommunities = [ExtendedCommunity.RouteTarget(65000, 100)],
            LargeCommunities = [new LargeCommunity(65000, 1, 2)],
            OnlyToCustomer = 65000,
            Unknown = [new UnknownAttribute(PathAttributeFlags.Optional | PathAttributeFlags.Transitive, 99, new byte[] { 0xab, 0xcd })],
        };
        var update = new UpdateMessage(attributes: attributes, nlri: [Prefix.Parse("10.0.0.0/24"), Prefix.Parse("10.1.0.0/16")]);
        Assert.Equal(Hex.Of(Hex.Parse(FullUpdate)), Hex.Of(update.ToArray(As4)));
    }

    [Fact]
    public void Reader_walks_the_same_update_without_materializing()
    {
        var reader = UpdateReader.ReadMessage(Hex.Parse(FullUpdate), As4);
        Assert.Equal(ErrorAction.None, reader.Action);
        var prefixes = new List<Prefix>();
        foreach (var nlri in reader.Nlri)
        {
            prefixes.Add(nlri.Prefix);
        }
        Assert.Equal([Prefix.Parse("10.0.0.0/24"), Prefix.Parse("10.1.0.0/16")], prefixes);
        Assert.True(reader.TryGetOrigin(out var origin));
        Assert.Equal(Origin.Igp, origin);
        Assert.True(reader.TryGetNextHop(out var nh));
        Assert.Equal(0xC0000201u, nh);
        var types = new List<byte>();
        foreach (var attribute in reader.Attributes)
        {
            types.Add(attribute.TypeCode);
        }
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 32, 35, 99], types);
        Assert.False(reader.IsEndOfRib);
    }

    [Fact]
    public void Two_octet_session_reconciles_as4_path_and_as4_aggregator()
    {
        // RFC 6793 4.2.3: AS_PATH 65000 AS_TRANS AS_TRANS with AS4_PATH 4200000000 4200000001.
        var bytes = Hex.Update("", """
            40 01 01 02                               // ORIGIN INCOMPLETE
            40 02 08 02 03 fde8 5ba0 5ba0             // AS_PATH (2-octet) 65000 23456 23456
            40 03 04 c0000201                         // NEXT_HOP
            c0 07 06 5ba0 c0000202                    // AGGREGATOR AS_TRANS 192.0.2.2
            c0 11 0e 02 03 0000fde8 fa56ea00 fa56ea01 // AS4_PATH 65000 4200000000 4200000001
            c0 12 08 fa56ea00 c0000202                // AS4_AGGREGATOR 4200000000 192.0.2.2
            """, "18 0a0000");
        var update = (UpdateMessage)BgpMessage.Decode(bytes);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Equal("65000 4200000000 4200000001", update.Attributes!.AsPath!.ToString());
        Assert.Equal(new Aggregator(4200000000, 0xC0000202), update.Attributes.Aggregator);
        Assert.Equal(Origin.Incomplete, update.Attributes.Origin);
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray()));
        // The same route on a 4-octet session needs no AS4_ attributes.
        var as4 = update.ToArray(As4);
        var again = (UpdateMessage)BgpMessage.Decode(as4, As4);
        Assert.Equal(update.Attributes, again.Attributes);
        Assert.False(UpdateReader.ReadMessage(as4, As4).TryGetAttribute(PathAttributeType.As4Path, out _));
    }

    [Fact]
    public void A_confederation_segment_after_the_sequence_is_not_kept_by_as4_reconciliation_so_the_path_round_trips()
    {
        // Found by libFuzzer (fuzz/regressions/update/ac368c885403f556.bin): the trailing AS_CONFED_SEQUENCE used to
        // be kept between the leading ASes and AS4_PATH; our re-encoding then decoded without it.
        var bytes = Hex.Update("", """
            40 01 01 00                                        // ORIGIN IGP
            40 02 16 02 05 00fa fde9 900a 0a00 0020            // AS_PATH 250 65001 36874 2560 32
                     03 04 c000 02fd e900 0064                 //   then AS_CONFED_SEQUENCE (4)
            40 03 04 c0000201                                  // NEXT_HOP
            c0 11 06 02 01 c0020000                            // AS4_PATH 3221356544
            """, "18 0a0000");
        var update = (UpdateMessage)BgpMessage.Decode(bytes);
        Assert.Equal("250 65001 36874 2560 3221356544", update.Attributes!.AsPath!.ToString());
        var again = (UpdateMessage)BgpMessage.Decode(update.ToArray());
        Assert.Equal(update.Attributes.AsPath, again.Attributes!.AsPath);
        Assert.Equal(Hex.Of(update.ToArray()), Hex.Of(again.ToArray()));
    }

    [Fact]
    public void A_leading_confederation_segment_survives_as4_reconciliation()
    {
        var bytes = Hex.Update("", """
            40 01 01 00
            40 02 0c 03 01 fde9 02 03 fde8 5ba0 5ba0           // AS_PATH (65001) 65000 AS_TRANS AS_TRANS
            40 03 04 c0000201
            c0 11 0a 02 02 fa56ea00 fa56ea01                   // AS4_PATH 4200000000 4200000001
            """, "18 0a0000");
        var update = (UpdateMessage)BgpMessage.Decode(bytes);
        Assert.Equal("(65001) 65000 4200000000 4200000001", update.Attributes!.AsPath!.ToString());
        Assert.Equal(update.Attributes.AsPath, ((UpdateMessage)BgpMessage.Decode(update.ToArray())).Attributes!.AsPath);
    }

    [Fact]
    public void Aggregator_with_a_real_two_octet_as_ignores_as4_path()
    {
        var bytes = Hex.Update("", """
            40 01 01 00
            40 02 06 02 02 fde8 5ba0                  // AS_PATH 65000 AS_TRANS
            40 03 04 c0000201
            c0 07 06 fde9 c0000202                    // AGGREGATOR 65001: not AS_TRANS
            c0 11 06 02 01 fa56ea00                   // AS4_PATH, ignored
            c0 12 08 fa56ea00 c0000202                // AS4_AGGREGATOR, ignored
            """, "18 0a0000");
        var a = ((UpdateMessage)BgpMessage.Decode(bytes)).Attributes!;
        Assert.Equal("65000 23456", a.AsPath!.ToString());
        Assert.Equal(65001u, a.Aggregator!.Value.Asn);
    }

    [Fact]
    public void Aggregator_without_as4_aggregator_does_not_stop_the_as4_path_merge()
    {
        // RFC 6793 4.2.3 ignores AS4_PATH only when AGGREGATOR (not AS_TRANS) and AS4_AGGREGATOR are both received.
        // The exact UPDATE of record 221 of corpus bgpkit_rrc15_2010.02_updates.20100227.1600.gz (2010-02-27
        // 16:00:37, BGP4MP_MESSAGE from AS28220 200.219.130.75), where bgpdump prints 196613 and we printed 23456.
        var bytes = Hex.Parse("""
            ffffffffffffffffffffffffffffffff 0069 02  // header: 105 octets, UPDATE
            0000                                      // no withdrawn routes
            004e                                      // 78 octets of path attributes
            40 01 01 00                               // ORIGIN IGP
            40 02 12 02 08 6e3c 6e3c 329c 0cb9 044f 0465 5ba0 316e
                                                      // AS_PATH 28220 28220 12956 3257 1103 1125 AS_TRANS 12654
            c0 11 22 02 08 00006e3c 00006e3c 0000329c 00000cb9 0000044f 00000465 00030005 0000316e
                                                      // AS4_PATH ... 1125 196613 12654
            40 03 04 c8db824b                         // NEXT_HOP 200.219.130.75
            c0 07 06 fc13 0a15c0c2                    // AGGREGATOR 64531 10.21.192.194, no AS4_AGGREGATOR
            18 54cd40                                 // NLRI 84.205.64.0/24
            """);
        var update = (UpdateMessage)BgpMessage.Decode(bytes, BgpDecodeContext.Default);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Equal("28220 28220 12956 3257 1103 1125 196613 12654", update.Attributes!.AsPath!.ToString());
        Assert.Equal(new Aggregator(64531, 0x0A15C0C2), update.Attributes.Aggregator);
        // Re-encoded in ascending type order (AS4_PATH after AGGREGATOR), the path survives the split again.
        var again = (UpdateMessage)BgpMessage.Decode(update.ToArray(BgpDecodeContext.Default), BgpDecodeContext.Default);
        Assert.Equal(update.Attributes, again.Attributes);
    }

    [Fact]
    public void As_path_segment_types_and_confederations()
    {
        var bytes = Hex.Update("", """
            40 01 01 00
            40 02 20                                  // AS_PATH, 32 octets
              03 01 0000fde8                          // AS_CONFED_SEQUENCE (65000)
              04 02 0000fde9 0000fdea                 // AS_CONFED_SET [65001,65002]
              02 02 00000001 00000002                 // AS_SEQUENCE 1 2
              01 01 00000003                          // AS_SET {3}
            40 03 04 c0000201
            """, "18 0a0000");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        var path = update.Attributes!.AsPath!;
        Assert.Equal("(65000) [65001,65002] 1 2 {3}", path.ToString());
        Assert.Equal(3, path.Length);
        Assert.Null(path.OriginAs);
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(As4)));
    }

    [Fact]
    public void Ipv6_mp_reach_with_link_local_and_mp_unreach()
    {
        var bytes = Hex.Update("", """
            80 0e 33                                  // MP_REACH_NLRI, 51 octets
              0002 01                                 // IPv6 unicast
              20                                      // next hop length 32
              20010db8000000000000000000000001        // global 2001:db8::1
              fe800000000000000000000000000001        // link-local fe80::1
              00                                      // reserved
              20 20010db8                             // 2001:db8::/32
              40 20010db800010000                     // 2001:db8:1::/64
            80 0f 0a 0002 01 30 20010db80002          // MP_UNREACH_NLRI IPv6 2001:db8:2::/48
            40 01 01 00
            40 02 06 02 01 0000fde8
            """, "");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        Assert.Equal(ErrorAction.None, update.Action);
        var mp = update.MpReach!;
        Assert.Equal(AfiSafi.IPv6Unicast, mp.AfiSafi);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), mp.NextHop);
        Assert.Equal(IPAddress.Parse("fe80::1"), mp.LinkLocalNextHop);
        Assert.Equal(["2001:db8::/32", "2001:db8:1::/64"], mp.Nlri.Select(n => n.ToString()));
        Assert.Equal(["2001:db8:2::/48"], update.MpUnreach!.Withdrawn.Select(n => n.ToString()));
        Assert.Equal(4, update.Announced.Count() + update.AllWithdrawn.Count() + 1);
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(As4)));
        var built = new UpdateMessage(
            attributes: new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65000) },
            mpReach: new MpReachNlri(AfiSafi.IPv6Unicast, IPAddress.Parse("2001:db8::1"), [Prefix.Parse("2001:db8::/32"), Prefix.Parse("2001:db8:1::/64")], IPAddress.Parse("fe80::1")),
            mpUnreach: new MpUnreachNlri(AfiSafi.IPv6Unicast, [Prefix.Parse("2001:db8:2::/48")]));
        Assert.Equal(Hex.Of(bytes), Hex.Of(built.ToArray(As4)));
    }

    [Fact]
    public void Rfc8950_ipv4_nlri_with_ipv6_next_hop()
    {
        var bytes = Hex.Update("", """
            80 0e 19 0001 01 10 20010db8000000000000000000000001 00 18 c00002   // IPv4 192.0.2.0/24 via 2001:db8::1
            40 01 01 00
            40 02 00                                                          // empty AS_PATH (iBGP)
            """, "");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Equal(AfiSafi.IPv4Unicast, update.MpReach!.AfiSafi);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), update.MpReach.NextHop);
        Assert.Equal(Prefix.Parse("192.0.2.0/24"), Assert.Single(update.MpReach.Nlri).Prefix);
        Assert.Same(AsPath.Empty.GetType(), update.Attributes!.AsPath!.GetType());
        Assert.Empty(update.Attributes.AsPath.Segments);
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(As4)));
    }

    [Fact]
    public void Rfc8950_ipv4_nlri_with_global_and_link_local_next_hops_as_frr_sends_on_an_unnumbered_link()
    {
        // FRR 8.4 on `neighbor IFNAME interface` with no global address: both halves of the 32-octet field are its link-local.
        var bytes = Hex.Update("", """
            80 0e 29 0001 01 20 fe80000000000000a8bbccfffe000001 fe80000000000000a8bbccfffe000001 00 18 0c0001   // 12.0.1.0/24
            40 01 01 00
            40 02 06 02 01 0000fdea                                            // AS_SEQUENCE 65002
            """, "");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        Assert.Equal(ErrorAction.None, update.Action);
        var mp = update.MpReach!;
        Assert.Equal(AfiSafi.IPv4Unicast, mp.AfiSafi);
        Assert.Equal(IPAddress.Parse("fe80::a8bb:ccff:fe00:1"), mp.NextHop);
        Assert.Equal(IPAddress.Parse("fe80::a8bb:ccff:fe00:1"), mp.LinkLocalNextHop);
        Assert.Equal(Prefix.Parse("12.0.1.0/24"), Assert.Single(mp.Nlri).Prefix);
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(As4)));
        var built = new UpdateMessage(
            attributes: new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002) },
            mpReach: new MpReachNlri(AfiSafi.IPv4Unicast, IPAddress.Parse("fe80::a8bb:ccff:fe00:1"), [Prefix.Parse("12.0.1.0/24")], IPAddress.Parse("fe80::a8bb:ccff:fe00:1")));
        Assert.Equal(Hex.Of(bytes), Hex.Of(built.ToArray(As4)));
    }

    [Fact]
    public void Rfc8950_ipv4_nlri_with_a_link_local_next_hop_alone_as_we_send_on_an_unnumbered_link()
    {
        var bytes = Hex.Update("", """
            80 0e 1a 0001 01 10 fe80000000000000a8bbccfffe000002 00 20 c633640a   // 198.51.100.10/32
            40 01 01 00
            40 02 06 02 01 0000fde9                                            // AS_SEQUENCE 65001
            """, "");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Equal(IPAddress.Parse("fe80::a8bb:ccff:fe00:2"), update.MpReach!.NextHop);
        Assert.Null(update.MpReach.LinkLocalNextHop);
        var built = new UpdateMessage(
            attributes: new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001) },
            mpReach: new MpReachNlri(AfiSafi.IPv4Unicast, IPAddress.Parse("fe80::a8bb:ccff:fe00:2"), [Prefix.Parse("198.51.100.10/32")]));
        Assert.Equal(Hex.Of(bytes), Hex.Of(built.ToArray(As4)));
    }

    [Fact]
    public void Other_families_are_carried_raw()
    {
        // MPLS VPN (1/128): next hop RD+address, NLRI label+RD+prefix, kept as octets.
        var bytes = Hex.Update("", """
            80 0e 20 0001 80 0c 0000000000000000 c0000201 00 70 000641 0000fde800000001 0a0000   // VPNv4
            80 0f 06 0019 46 aabbcc                                                              // EVPN withdrawal
            40 01 01 00
            40 02 00
            """, "");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.False(update.MpReach!.IsDecoded);
        Assert.Equal(new AfiSafi(Afi.IPv4, Safi.MplsVpn), update.MpReach.AfiSafi);
        Assert.Equal("70000641" + "0000fde800000001" + "0a0000", Hex.Of(update.MpReach.RawNlri.Span));
        Assert.Equal("aabbcc", Hex.Of(update.MpUnreach!.RawWithdrawn.Span));
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(As4)));
    }

    [Fact]
    public void Add_path_ids_on_ipv4_and_ipv6()
    {
        var context = As4.WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Both).WithAddPath(AfiSafi.IPv6Unicast, AddPathDirection.Both);
        var bytes = Hex.Update("00000007 18 0a0900", """
            80 0e 1e 0002 01 10 20010db8000000000000000000000001 00 00000002 20 20010db8   // path 2 2001:db8::/32
            40 01 01 00
            40 02 00
            40 03 04 c0000201
            """, """
            00000001 18 0a0000                        // path 1 10.0.0.0/24
            00000002 18 0a0000                        // path 2 10.0.0.0/24
            """);
        var update = (UpdateMessage)BgpMessage.Decode(bytes, context);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Equal([new Nlri(1, Prefix.Parse("10.0.0.0/24")), new Nlri(2, Prefix.Parse("10.0.0.0/24"))], update.Nlri);
        Assert.Equal(new Nlri(7, Prefix.Parse("10.9.0.0/24")), Assert.Single(update.Withdrawn));
        Assert.Equal(2u, Assert.Single(update.MpReach!.Nlri).PathId);
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(context)));
    }

    [Fact]
    public void Extended_length_flag_is_read_and_kept()
    {
        var bytes = Hex.Update("", """
            50 01 0001 00                             // ORIGIN with Extended Length on a 1-octet value
            50 02 0006 02 01 0000fde8                 // AS_PATH likewise
            40 03 04 c0000201
            """, "18 0a0000");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Equal(Origin.Igp, update.Attributes!.Origin);
        Assert.Equal(Hex.Of(bytes), Hex.Of(update.ToArray(As4)));
    }

    [Fact]
    public void Long_attributes_get_the_extended_length_flag()
    {
        var communities = Enumerable.Range(0, 100).Select(i => new Community(65000, (ushort)i)).ToArray();
        var update = new UpdateMessage(attributes: new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Empty, NextHop = 1, Communities = communities }, nlri: [Prefix.Parse("10.0.0.0/8")]);
        var bytes = update.ToArray(As4);
        var reader = UpdateReader.ReadMessage(bytes, As4);
        Assert.True(reader.TryGetAttribute(PathAttributeType.Communities, out var attribute));
        Assert.True(attribute.Flags.HasFlag(PathAttributeFlags.ExtendedLength));
        Assert.Equal(400, attribute.Value.Length);
        Assert.Equal(communities, ((UpdateMessage)BgpMessage.Decode(bytes, As4)).Attributes!.Communities);
    }

    [Fact]
    public void Trailing_bits_beyond_the_prefix_length_are_cleared()
    {
        // From bgpdump's nlri_mask_trailing_bits test: 11.13.0.0/13 is 11.8.0.0/13 (as bgpdump's expected output says).
        var bytes = Hex.Update("", "40 01 01 00 40 02 00 40 03 04 0c00013f", "0d 0b0d");
        var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
        Assert.Equal("11.8.0.0/13", Assert.Single(update.Nlri).ToString());
        Assert.Equal("0b08", Hex.Of(update.ToArray(As4).AsSpan()[^2..]));
    }

    [Fact]
    public void End_of_rib_markers()
    {
        Assert.True(((UpdateMessage)BgpMessage.Decode(Hex.Message(BgpMessageType.Update, "0000 0000"))).IsEndOfRib);
        Assert.Equal("ffffffffffffffffffffffffffffffff001702" + "00000000", Hex.Of(UpdateMessage.EndOfRib(AfiSafi.IPv4Unicast).ToArray()));
        var v6 = UpdateMessage.EndOfRib(AfiSafi.IPv6Unicast);
        Assert.Equal("0000" + "0006" + "800f03000201", Hex.Of(v6.ToArray().AsSpan(19)));
        Assert.True(((UpdateMessage)BgpMessage.Decode(v6.ToArray())).IsEndOfRib);
        Assert.True(UpdateReader.ReadMessage(Hex.Message(BgpMessageType.Update, "0000 0000")).IsEndOfRib);
    }

    [Fact]
    public void Propagation_sets_partial_on_unknown_transitive_and_drops_non_transitive()
    {
        var attributes = new PathAttributes
        {
            Origin = Origin.Igp,
            Unknown =
            [
                new UnknownAttribute(PathAttributeFlags.Optional | PathAttributeFlags.Transitive, 99, new byte[] { 1 }),
                new UnknownAttribute(PathAttributeFlags.Optional, 100, new byte[] { 2 }),
            ],
        };
        var passed = attributes.ForPropagation();
        var kept = Assert.Single(passed.Unknown);
        Assert.Equal(99, kept.TypeCode);
        Assert.True(kept.Flags.HasFlag(PathAttributeFlags.Partial));
    }

    [Fact]
    public void Interner_shares_equal_attribute_sets()
    {
        var interner = new PathAttributeInterner();
        var one = (UpdateMessage)BgpMessage.Decode(Hex.Parse(FullUpdate), As4);
        var two = (UpdateMessage)BgpMessage.Decode(Hex.Parse(FullUpdate), As4);
        Assert.NotSame(one.Attributes, two.Attributes);
        Assert.Equal(one.Attributes, two.Attributes);
        Assert.Same(interner.Intern(one.Attributes!), interner.Intern(two.Attributes!));
        Assert.Equal(1, interner.Count);
        Assert.NotEqual(one.Attributes, new PathAttributes { Origin = Origin.Igp });
    }
}
