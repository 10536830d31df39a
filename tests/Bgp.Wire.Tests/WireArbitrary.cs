using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bgp.Wire.Tests;

/// <summary>The one FsCheck generator class of the package: canonical values of every wire type.</summary>
internal static class WireArbitrary
{
    /// <summary>Fixed replay seed: failures reproduce.</summary>
    public static Config Config(int maxTest = 300) => FsCheck.Config.QuickThrowOnFailure.WithReplay(20261121UL, 7UL).WithMaxTest(maxTest);

    public static Gen<uint> UInt32 =>
        from hi in Gen.Choose(0, 0xFFFF)
        from lo in Gen.Choose(0, 0xFFFF)
        select (uint)hi << 16 | (uint)lo;

    public static Gen<ushort> UInt16 => Gen.Choose(0, 0xFFFF).Select(v => (ushort)v);

    public static Gen<ulong> UInt64 => from a in UInt32 from b in UInt32 select (ulong)a << 32 | b;

    public static Gen<Prefix> IPv4Prefix => from a in UInt32 from l in Gen.Choose(0, 32) select Prefix.FromIPv4(a, l);

    public static Gen<Prefix> IPv6Prefix => from a in UInt64 from b in UInt64 from l in Gen.Choose(0, 128) select Prefix.FromIPv6(a, b, l);

    public static Gen<Prefix> AnyPrefix => Gen.OneOf(IPv4Prefix, IPv6Prefix);

    public static Gen<Nlri> NlriOf(Gen<Prefix> prefixes, bool pathIds) =>
        pathIds ? from id in UInt32 from p in prefixes select new Nlri(id, p) : prefixes.Select(p => new Nlri(p));

    public static Gen<Community> Community => UInt32.Select(v => new Community(v));

    public static Gen<LargeCommunity> LargeCommunity => from a in UInt32 from b in UInt32 from c in UInt32 select new LargeCommunity(a, b, c);

    public static Gen<ExtendedCommunity> ExtendedCommunity => UInt64.Select(v => new ExtendedCommunity(v));

    public static Gen<uint> Asn(bool fourOctet) => fourOctet ? UInt32 : Gen.Choose(0, 0xFFFF).Select(v => (uint)v);

    // Segment types alternate so that no two AS_SEQUENCEs are adjacent (they would be one segment canonically).
    public static Gen<AsPath> AsPath(bool fourOctet) =>
        from count in Gen.Choose(0, 4)
        from segments in Gen.ArrayOf(SegmentAsns(fourOctet), count)
        from types in Gen.ArrayOf(Gen.Elements(AsPathSegmentType.AsSet, AsPathSegmentType.AsConfedSequence, AsPathSegmentType.AsConfedSet), count)
        select new AsPath(segments.Select((asns, i) => new AsPathSegment(i % 2 == 0 ? AsPathSegmentType.AsSequence : types[i], asns)));

    private static Gen<uint[]> SegmentAsns(bool fourOctet) =>
        from n in Gen.Choose(1, 8)
        from asns in Gen.ArrayOf(Asn(fourOctet), n)
        select asns;

    public static Gen<T?> Optional<T>(Gen<T> gen)
        where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (2, gen.Select(v => (T?)v)));

    public static Gen<UnknownAttribute[]> Unknown =>
        from types in Gen.SubListOf(new byte[] { 19, 99, 128, 200, 255 })
        from values in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)), types.Count)
        from transitive in Gen.ArrayOf(Gen.Elements(true, false), types.Count)
        select types.Select((t, i) => new UnknownAttribute(
            PathAttributeFlags.Optional | (transitive[i] ? PathAttributeFlags.Transitive | PathAttributeFlags.Partial : 0), t, values[i].Take(40).ToArray())).ToArray();

    public static Gen<PathAttributes> Attributes(bool fourOctet) =>
        from origin in Optional(Gen.Elements(Wire.Origin.Igp, Wire.Origin.Egp, Wire.Origin.Incomplete))
        from path in Gen.Frequency((1, Gen.Constant<AsPath?>(null)), (4, AsPath(fourOctet).Select(p => (AsPath?)p)))
        from nextHop in Optional(UInt32)
        from med in Optional(UInt32)
        from localPref in Optional(UInt32)
        from atomic in Gen.Elements(true, false)
        from aggregator in Optional(from a in Asn(fourOctet) from ip in UInt32 select new Aggregator(a, ip))
        from communities in Gen.ArrayOf(Community).Select(a => a.Take(12).ToArray())
        from originator in Optional(UInt32)
        from clusters in Gen.ArrayOf(UInt32).Select(a => a.Take(6).ToArray())
        from extended in Gen.ArrayOf(ExtendedCommunity).Select(a => a.Take(6).ToArray())
        from large in Gen.ArrayOf(LargeCommunity).Select(a => a.Take(6).ToArray())
        from otc in Optional(Asn(fourOctet))
        from unknown in Unknown
        select new PathAttributes
        {
            Origin = origin,
            AsPath = path,
            NextHop = nextHop,
            MultiExitDisc = med,
            LocalPref = localPref,
            AtomicAggregate = atomic,
            Aggregator = aggregator,
            Communities = communities,
            OriginatorId = originator,
            ClusterList = clusters,
            ExtendedCommunities = extended,
            LargeCommunities = large,
            OnlyToCustomer = otc,
            Unknown = unknown,
        };

    private static Gen<IPAddress> IPv6Address => from a in UInt64 from b in UInt64 select Prefix.FromIPv6(a, b, 128).Address;

    private static Gen<IPAddress> IPv4Address => UInt32.Select(a => Prefix.FromIPv4(a, 32).Address);

    public static Gen<MpReachNlri> MpReach(BgpDecodeContext context) => Gen.OneOf(
        from nh in IPv6Address
        from ll in Gen.Frequency((1, Gen.Constant<IPAddress?>(null)), (1, IPv6Address.Select(a => (IPAddress?)a)))
        from nlri in Gen.ArrayOf(NlriOf(IPv6Prefix, context.ReceivesPathIds(AfiSafi.IPv6Unicast))).Select(a => a.Take(20))
        select new MpReachNlri(AfiSafi.IPv6Unicast, nh, nlri, ll),
        from nh in Gen.OneOf(IPv4Address, IPv6Address)
        from nlri in Gen.ArrayOf(NlriOf(IPv4Prefix, context.ReceivesPathIds(AfiSafi.IPv4Unicast))).Select(a => a.Take(20))
        select new MpReachNlri(AfiSafi.IPv4Unicast, nh, nlri),
        from nh in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(a => a.Take(24).ToArray())
        from nlri in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(a => a.Take(60).ToArray())
        select MpReachNlri.Raw(new AfiSafi(Afi.L2Vpn, Safi.Evpn), nh, nlri));

    public static Gen<MpUnreachNlri> MpUnreach(BgpDecodeContext context) => Gen.OneOf(
        Gen.ArrayOf(NlriOf(IPv6Prefix, context.ReceivesPathIds(AfiSafi.IPv6Unicast))).Select(a => new MpUnreachNlri(AfiSafi.IPv6Unicast, a.Take(20))),
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(a => MpUnreachNlri.Raw(new AfiSafi(Afi.IPv4, Safi.FlowSpec), a.Take(40).ToArray())));

    public static Gen<BgpDecodeContext> Context =>
        from fourOctet in Gen.Elements(true, false)
        from v4 in Gen.Elements(AddPathDirection.None, AddPathDirection.Both)
        from v6 in Gen.Elements(AddPathDirection.None, AddPathDirection.Both)
        select new BgpDecodeContext { FourOctetAs = fourOctet }.WithAddPath(AfiSafi.IPv4Unicast, v4).WithAddPath(AfiSafi.IPv6Unicast, v6);

    public static Gen<(BgpDecodeContext Context, UpdateMessage Update)> Update =>
        from context in Context
        from withdrawn in Gen.ArrayOf(NlriOf(IPv4Prefix, context.ReceivesPathIds(AfiSafi.IPv4Unicast))).Select(a => a.Take(20))
        from hasAttributes in Gen.Elements(true, true, false)
        from attributes in Attributes(context.FourOctetAs)
        from nlri in Gen.ArrayOf(NlriOf(IPv4Prefix, context.ReceivesPathIds(AfiSafi.IPv4Unicast))).Select(a => a.Take(20))
        from mpReach in Gen.Frequency((1, Gen.Constant<MpReachNlri?>(null)), (1, MpReach(context).Select(m => (MpReachNlri?)m)))
        from mpUnreach in Gen.Frequency((2, Gen.Constant<MpUnreachNlri?>(null)), (1, MpUnreach(context).Select(m => (MpUnreachNlri?)m)))
        select (context, new UpdateMessage(withdrawn, hasAttributes ? attributes : null, nlri, mpReach, mpUnreach));

    public static Gen<Capability> Capability => Gen.OneOf(
        Gen.Elements<Capability>(RouteRefreshCapability.Instance, EnhancedRouteRefreshCapability.Instance, ExtendedMessageCapability.Instance),
        Gen.Elements(AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast, new AfiSafi(Afi.L2Vpn, Safi.Evpn)).Select(a => (Capability)new MultiprotocolCapability(a)),
        UInt32.Select(a => (Capability)new FourOctetAsCapability(a)),
        Gen.Choose(0, 6).Select(r => (Capability)new RoleCapability((BgpRole)r)),
        from r in Gen.Elements(true, false)
        from n in Gen.Elements(true, false)
        from t in Gen.Choose(0, 4095)
        from f in Gen.ArrayOf(Gen.Elements(true, false)).Select(a => a.Take(3).ToArray())
        select (Capability)new GracefulRestartCapability(r, n, t, f.Select((k, i) => new GracefulRestartFamily(i == 0 ? AfiSafi.IPv4Unicast : AfiSafi.IPv6Unicast, k)).ToArray()),
        Gen.ArrayOf(Gen.Elements(AddPathDirection.Receive, AddPathDirection.Send, AddPathDirection.Both))
            .Select(a => (Capability)new AddPathCapability(a.Take(4).Select(d => new AddPathFamily(AfiSafi.IPv4Unicast, d)).ToArray())),
        Gen.ArrayOf(Gen.Choose(0, 0xFFFFFF)).Select(a => (Capability)new LongLivedGracefulRestartCapability(a.Take(4).Select(s => new LongLivedGracefulRestartFamily(AfiSafi.IPv6Unicast, 0x80, s)).ToArray())),
        Gen.Elements("r1", "router-with-a-long-name", string.Empty).SelectMany(h => Gen.Elements("lab", string.Empty).Select(d => (Capability)new FqdnCapability(h, d))),
        Gen.Constant<Capability>(new ExtendedNextHopCapability([new ExtendedNextHopFamily(Afi.IPv4, 1, Afi.IPv6)])),
        from code in Gen.Elements<byte>(128, 131, 200)
        from value in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
        select (Capability)new UnknownCapability(code, value.Take(30).ToArray()));

    public static Gen<OpenMessage> Open =>
        from asn in UInt32
        from hold in Gen.OneOf(Gen.Constant(0), Gen.Choose(3, 0xFFFF))
        from id in UInt32.Where(i => i != 0)
        from caps in Gen.ArrayOf(Capability).Select(a => a.Take(40))
        from extended in Gen.Elements(true, false)
        select new OpenMessage(asn, (ushort)hold, id, [new FourOctetAsCapability(asn), .. caps.Where(c => c is not FourOctetAsCapability)], extended);

    public static Gen<BgpMessage> SmallMessage => Gen.OneOf(
        Gen.Constant<BgpMessage>(KeepaliveMessage.Instance),
        from code in Gen.Choose(1, 8)
        from sub in Gen.Choose(0, 255)
        from data in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
        select (BgpMessage)new NotificationMessage((BgpErrorCode)code, (byte)sub, data.Take(100).ToArray()),
        from afi in Gen.Elements(Afi.IPv4, Afi.IPv6)
        from safi in Gen.Elements(Safi.Unicast, Safi.MplsVpn)
        from sub in Gen.Elements(RouteRefreshSubtype.Request, RouteRefreshSubtype.BeginningOfRouteRefresh, RouteRefreshSubtype.EndOfRouteRefresh)
        select (BgpMessage)new RouteRefreshMessage(new AfiSafi(afi, safi), sub));
}
