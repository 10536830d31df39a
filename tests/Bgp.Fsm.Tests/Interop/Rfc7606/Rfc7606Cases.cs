using static BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606.MalformedUpdate;

namespace BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606;

/// <summary>
/// The rows of the RFC 7606 conformance table. Every bad UPDATE re-announces the victim route (announced before with
/// MED 1) with MED 2, so the route afterwards tells treat-as-withdraw (gone), attribute discard or accepted (MED 2)
/// and ignored (MED 1) apart.
/// </summary>
internal static class Rfc7606Cases
{
    private static readonly byte[] M2 = Med(2);

    private static byte[] Good(params byte[][] extra) => [.. Mandatory, .. M2, .. extra.SelectMany(e => e)];

    private static readonly byte[] Aggregator8 = Attr(OptionalTransitive, 7, [.. U32(PeerAs), 192, 0, 2, 1]);

    public static IReadOnlyList<Rfc7606Case> All { get; } =
    [
        // Attribute flags: RFC 7606 section 3 (c) makes a flags conflict a malformation of the attribute itself.
        new("F1", "flags", "ORIGIN marked optional transitive", "3(c), 7.1", v => Body([.. Origin(0, OptionalTransitive), .. AsPath(PeerAs), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("F2", "flags", "AS_PATH marked optional", "3(c), 7.2", v => Body([.. Origin(), .. AsPathSegments(Segment(2, PeerAs), Optional), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("F3", "flags", "NEXT_HOP marked optional transitive", "3(c), 7.3", v => Body([.. Origin(), .. AsPath(PeerAs), .. NextHop(0xC0000201, OptionalTransitive), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("F4", "flags", "MULTI_EXIT_DISC marked well-known", "3(c), 7.4", v => Body([.. Mandatory, .. Med(2, WellKnown)], v), Outcome.Withdraw),
        new("F5", "flags", "ATOMIC_AGGREGATE marked optional transitive", "3(c), 7.6", v => Body(Good(Attr(OptionalTransitive, 6, [])), v), Outcome.Discard, Probe.AtomicAggregate),
        new("F6", "flags", "AGGREGATOR marked well-known", "3(c), 7.7", v => Body(Good(Attr(WellKnown, 7, [.. U32(PeerAs), 192, 0, 2, 1])), v), Outcome.Discard, Probe.Aggregator),
        new("F7", "flags", "COMMUNITIES marked optional non-transitive", "3(c), 7.8", v => Body(Good(Attr(Optional, 8, U32(0xFDE90001))), v), Outcome.Withdraw),
        new("F8", "flags", "LARGE_COMMUNITY marked well-known", "3(c); RFC 8092 section 6", v => Body(Good(Attr(WellKnown, 32, [.. U32(PeerAs), .. U32(1), .. U32(2)])), v), Outcome.Withdraw),
        new("F9", "flags", "ORIGIN with the Partial bit set", "3(c) (only Optional/Transitive count)", v => Body([.. Origin(0, WellKnown | 0x20), .. AsPath(PeerAs), .. NextHop(), .. M2], v), Outcome.Accept, Frr: Outcome.Reset(10), Why: "FRR 8.4 judges a well-known attribute with the Partial bit malformed (RFC 4271 6.3 flags check) and then resets as in F1; RFC 7606 3(c) counts only the Optional and Transitive bits"),
        new("F10", "flags", "ORIGIN with Extended Length (2-octet length 1)", "RFC 4271 section 4.3 (sender's choice)", v => Body([.. Origin(0, WellKnown | ExtendedLength), .. AsPath(PeerAs), .. NextHop(), .. M2], v), Outcome.Accept),

        // Attribute lengths and values (RFC 7606 section 7).
        new("L1", "length", "ORIGIN length 2", "7.1", v => Body([.. Attr(WellKnown, 1, [0, 0]), .. AsPath(PeerAs), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("L2", "length", "ORIGIN value 3", "7.1", v => Body([.. Origin(3), .. AsPath(PeerAs), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("L3", "length", "NEXT_HOP length 5", "7.3", v => Body([.. Origin(), .. AsPath(PeerAs), .. Attr(WellKnown, 3, [192, 0, 2, 1, 0]), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("L4", "length", "MULTI_EXIT_DISC length 3", "7.4", v => Body([.. Mandatory, .. Attr(Optional, 4, [0, 0, 2])], v), Outcome.Withdraw),
        new("L5", "length", "LOCAL_PREF length 3 from an eBGP peer", "7.5", v => Body(Good(Attr(WellKnown, 5, [0, 0, 9])), v), Outcome.Discard, Probe.LocalPref),
        new("L6", "length", "ATOMIC_AGGREGATE length 1", "7.6", v => Body(Good(Attr(WellKnown, 6, [0])), v), Outcome.Discard, Probe.AtomicAggregate),
        new("L7", "length", "AGGREGATOR length 6 on a 4-octet-AS session", "7.7", v => Body(Good(Attr(OptionalTransitive, 7, [0xFD, 0xE9, 192, 0, 2, 1])), v), Outcome.Discard, Probe.Aggregator),
        new("L8", "length", "ORIGINATOR_ID length 3", "7.9", v => Body(Good(Attr(Optional, 9, [1, 2, 3])), v), Outcome.Withdraw),
        new("L9", "length", "CLUSTER_LIST length 5", "7.10", v => Body(Good(Attr(Optional, 10, [1, 2, 3, 4, 5])), v), Outcome.Withdraw),
        new("L10", "length", "MULTI_EXIT_DISC length 3, not the last attribute", "7.4", v => Body([.. Mandatory, .. Attr(Optional, 4, [0, 0, 2]), .. Attr(OptionalTransitive, 8, U32(0xFDE90001))], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "as F1: the same malformation as L4, with an attribute after it"),

        // Repeated attributes: RFC 7606 section 3 (g).
        new("D1", "duplicate", "MULTI_EXIT_DISC twice (2, then 99)", "3(g)", v => Body(Good(Med(99)), v), Outcome.Discard, Probe.Repeat, Frr: Outcome.Reset(1), Why: "FRR 8.4 keeps RFC 4271 6.3 (Malformed Attribute List) for repeats; RFC 7606 3(g) asks to discard all but the first"),
        new("D2", "duplicate", "ORIGIN twice", "3(g)", v => Body(Good(Origin(1)), v), Outcome.Discard, Probe.Repeat, Frr: Outcome.Reset(1), Why: "as D1"),
        new("D3", "duplicate", "AGGREGATOR twice", "3(g)", v => Body(Good(Aggregator8, Aggregator8), v), Outcome.Discard, Probe.Repeat, Frr: Outcome.Reset(1), Why: "as D1"),
        new("D4", "duplicate", "MP_REACH_NLRI twice", "3(g)", v => Body(Good(MpReachV6(V6(1)), MpReachV6(V6(2))), v), Outcome.Reset(1)),
        new("D5", "duplicate", "MP_UNREACH_NLRI twice", "3(g)", v => Body(Good(MpUnreachV6(V6(1)), MpUnreachV6(V6(2))), v), Outcome.Reset(1)),

        // Missing well-known mandatory attributes with NLRI present: RFC 7606 section 3 (d).
        new("M1", "missing", "no ORIGIN", "3(d)", v => Body([.. AsPath(PeerAs), .. NextHop(), .. M2], v), Outcome.Withdraw),
        new("M2", "missing", "no AS_PATH", "3(d)", v => Body([.. Origin(), .. NextHop(), .. M2], v), Outcome.Withdraw),
        new("M3", "missing", "no NEXT_HOP with IPv4 NLRI", "3(d)", v => Body([.. Origin(), .. AsPath(PeerAs), .. M2], v), Outcome.Withdraw),

        // AS_PATH segments: RFC 7606 section 7.2.
        new("A1", "as_path", "segment type 5", "7.2", v => Body([.. Origin(), .. AsPathSegments(Segment(5, PeerAs)), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("A2", "as_path", "segment of length 0", "7.2", v => Body([.. Origin(), .. AsPathSegments([.. Segment(2, PeerAs), 2, 0]), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("A3", "as_path", "segment overruns the attribute (3 ASNs, 2 present)", "7.2", v => Body([.. Origin(), .. AsPathSegments([2, 3, .. U32(PeerAs), .. U32(65100)]), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("A4", "as_path", "2-octet ASNs on a 4-octet-AS session", "7.2", v => Body([.. Origin(), .. AsPathSegments([2, 2, 0xFD, 0xE9, 0xFE, 0x4C]), .. NextHop(), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("A5", "as_path", "leftmost AS is not the eBGP peer's", "RFC 4271 6.3 (MAY check); 7.2", v => Body([.. Origin(), .. AsPath(65100), .. NextHop(), .. M2], v), Outcome.Accept),

        // NEXT_HOP: RFC 7606 section 7.3 and RFC 4271 section 6.3.
        new("N1", "next_hop", "NEXT_HOP length 3", "7.3", v => Body([.. Origin(), .. AsPath(PeerAs), .. Attr(WellKnown, 3, [192, 0, 2]), .. M2], v), Outcome.Withdraw, Frr: Outcome.Reset(10), Why: "FRR 8.4 stops reading attributes at the first treat-as-withdraw one and reads the NLRI from there, so unless the bad attribute is the last one (as in L4, F4, C1) the rest of the attribute field fails as NLRI; RFC 7606 asks treat-as-withdraw"),
        new("N2", "next_hop", "NEXT_HOP 0.0.0.0", "7.3; RFC 4271 6.3 (semantic)", v => Body([.. Origin(), .. AsPath(PeerAs), .. NextHop(0), .. M2], v), Outcome.Accept, Frr: Outcome.Withdraw, Why: "FRR 8.4 drops a martian next hop (0.0.0.0, class D/E) even with bgp allow-martian-nexthop; RFC 4271 6.3 names only the receiver's own address and the eBGP shared subnet as semantic errors, so BgpKit keeps the route"),
        new("N3", "next_hop", "NEXT_HOP 224.0.0.1 (multicast)", "7.3; RFC 4271 6.3 (semantic)", v => Body([.. Origin(), .. AsPath(PeerAs), .. NextHop(0xE0000001), .. M2], v), Outcome.Accept, Frr: Outcome.Withdraw, Why: "as N2"),

        // MP_REACH_NLRI / MP_UNREACH_NLRI: RFC 7606 sections 5.3, 7.11, 7.12 and 3 (c).
        new("P1", "mp", "MP_REACH IPv6 next hop length 5", "7.11", v => Body(Good(MpReachV6(V6(1), [1, 2, 3, 4, 5])), v), Outcome.Reset(9), Frr: Outcome.Reset(1), Why: "same verdict, other subcode: FRR 8.4 sends Malformed Attribute List; RFC 4760 section 7 suggests Optional Attribute Error"),
        new("P2", "mp", "MP_REACH IPv6 prefix length 129", "5.3, 7.11", v => Body(Good(MpReachV6([129, 0x20, 0x01])), v), Outcome.Reset(9)),
        new("P3", "mp", "MP_REACH of 2 octets (no AFI/SAFI)", "5.3, 7.11", v => Body(Good(Attr(Optional, 14, [0, 2])), v), Outcome.Reset(9), Frr: Outcome.Reset(1), Why: "as P1"),
        new("P4", "mp", "MP_UNREACH IPv6 prefix overruns", "5.3, 7.12", v => Body(Good(MpUnreachV6([64, 0x20, 0x01, 0x0d])), v), Outcome.Reset(9)),
        new("P5", "mp", "MP_REACH marked well-known", "3(c), 7.11", v => Body(Good(MpReachV6(V6(1), flags: WellKnown)), v), Outcome.Reset(4)),

        // Communities: RFC 7606 sections 7.8, 7.14; RFC 8092 section 6.
        new("C1", "community", "COMMUNITIES length 5", "7.8", v => Body(Good(Attr(OptionalTransitive, 8, [0xFD, 0xE9, 0, 1, 0])), v), Outcome.Withdraw),
        new("C2", "community", "COMMUNITIES length 0", "7.8", v => Body(Good(Attr(OptionalTransitive, 8, [])), v), Outcome.Withdraw),
        new("C3", "community", "LARGE_COMMUNITY length 13", "RFC 8092 section 6", v => Body(Good(Attr(OptionalTransitive, 32, [.. U32(PeerAs), .. U32(1), .. U32(2), 0])), v), Outcome.Withdraw),
        new("C4", "community", "LARGE_COMMUNITY length 0", "RFC 8092 section 6", v => Body(Good(Attr(OptionalTransitive, 32, [])), v), Outcome.Withdraw),
        new("C5", "community", "EXTENDED_COMMUNITIES length 7", "7.14", v => Body(Good(Attr(OptionalTransitive, 16, [0, 2, 0xFD, 0xE9, 0, 0, 1])), v), Outcome.Withdraw),

        // Lengths that lie and trailing garbage: RFC 7606 sections 4, 5.3 and 3 (j).
        new("T1", "framing", "Withdrawn Routes Length overruns the message", "4; RFC 4271 6.3", v => Body(Good(), v, withdrawnLength: 200), Outcome.Reset(1)),
        new("T2", "framing", "Total Path Attribute Length overruns the message", "4", v => Body(Good(), v, attributesLength: Good().Length + 40), Outcome.Reset(1)),
        new("T3", "framing", "last attribute's length overruns the attribute field", "4", v => Body([.. Mandatory, .. Attr(Optional, 4, U32(2), length: 9)], v), Outcome.Withdraw, Frr: Outcome.Reset(5), Why: "FRR 8.4 resets with Attribute Length Error; RFC 7606 section 4 asks treat-as-withdraw when an attribute overruns the attribute field (the NLRI is still found by the Total Path Attribute Length)"),
        new("T4", "framing", "two stray octets after the last attribute", "4", v => Body([.. Good(), 0, 0], v), Outcome.Withdraw, Frr: Outcome.Reset(5), Why: "as T3"),
        new("T5", "framing", "Total Path Attribute Length too long: the NLRI read as an attribute", "4", v => Body(Good(), v, attributesLength: Good().Length + v.Length), Outcome.Ignore, Frr: Outcome.Reset(5), Why: "as T3; BgpKit withdraws, and with no NLRI left the UPDATE changes nothing"),
        new("T6", "framing", "NLRI prefix length 33", "5.3, 3(j)", v => Body(Good(), [.. v, 33, 10, 0, 0, 0, 0]), Outcome.Reset(10)),
        new("T7", "framing", "NLRI ends inside a prefix (trailing /24 without octets)", "5.3, 3(j)", v => Body(Good(), [.. v, 24]), Outcome.Reset(10)),
        new("T8", "framing", "Withdrawn Routes prefix length 40", "5.3", v => Body(Good(), v, withdrawn: [40, 10, 0, 0, 0, 0, 0]), Outcome.Reset(10)),

        // Unknown attributes: RFC 4271 sections 5 and 6.3.
        new("U1", "unknown", "unrecognized well-known attribute (type 99)", "RFC 4271 6.3", v => Body(Good(Attr(WellKnown, 99, [1])), v), Outcome.Reset(2), Frr: Outcome.Reset(1), Why: "same verdict, other subcode: FRR 8.4 sends Malformed Attribute List; RFC 4271 6.3 names Unrecognized Well-known Attribute"),
        new("U2", "unknown", "unrecognized optional transitive attribute (type 200)", "RFC 4271 section 5", v => Body(Good(Attr(OptionalTransitive, 200, [1, 2, 3])), v), Outcome.Accept),
    ];
}
