using System.Buffers;
using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Rib;

/// <summary>The next hop of routes received in MP_REACH_NLRI travels with the route (issue 3).</summary>
public class AdjRibInNextHopTests
{
    private static readonly PathAttributes Shared = new() { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002), LargeCommunities = [new LargeCommunity(65002, 1, 2)] };

    private static AdjRibIn Ingest(IEnumerable<Prefix> prefixes, PathAttributes attributes, IPAddress nextHop, IPAddress? linkLocal)
    {
        var rib = new AdjRibIn();
        Ingest(new UpdateIngest(rib, null), prefixes, attributes, nextHop, linkLocal);
        return rib;
    }

    private static void Ingest(UpdateIngest ingest, IEnumerable<Prefix> prefixes, PathAttributes attributes, IPAddress nextHop, IPAddress? linkLocal)
    {
        var output = new ArrayBufferWriter<byte>();
        new UpdateBuilder(BgpDecodeContext.FourOctetAsDefault).WriteAnnouncements(output, attributes, prefixes.Select(p => (Nlri)p).ToArray(), nextHop, linkLocal);
        var bytes = output.WrittenSpan;
        while (bytes.Length > 0)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[16..]);
            Assert.Equal(ErrorAction.None, ingest.Apply(bytes[19..length].ToArray(), BgpDecodeContext.FourOctetAsDefault).Action);
            bytes = bytes[length..];
        }
    }

    private static ReceivedRoute Route(AdjRibIn rib, string prefix)
    {
        Assert.True(rib.TryGet(Prefix.Parse(prefix), out var attributes));
        return new ReceivedRoute(IPAddress.Loopback, Prefix.Parse(prefix), attributes);
    }

    [Fact]
    public void IPv6_routes_keep_the_global_and_link_local_next_hops_and_share_one_set()
    {
        var global = IPAddress.Parse("2001:db8::2");
        var linkLocal = IPAddress.Parse("fe80::2");
        var rib = Ingest([Prefix.Parse("2001:db8:5::/48"), Prefix.Parse("2001:db8:6::/48")], Shared, global, linkLocal);

        var route = Route(rib, "2001:db8:5::/48");
        Assert.Equal(global, route.NextHop);
        Assert.Equal(linkLocal, route.LinkLocalNextHop);
        Assert.Null(route.Attributes!.NextHop);
        rib.TryGet(Prefix.Parse("2001:db8:6::/48"), out var other);
        Assert.Same(route.Attributes, other);
        Assert.Equal(1, rib.Interner.Count);
    }

    [Fact]
    public void IPv4_routes_with_an_IPv6_next_hop_RFC_8950_keep_it()
    {
        var global = IPAddress.Parse("fd42::2");
        var rib = Ingest([Prefix.Parse("12.0.1.0/24"), Prefix.Parse("12.0.2.0/24")], Shared, global, null);

        var route = Route(rib, "12.0.1.0/24");
        Assert.Equal(global, route.NextHop);
        Assert.Null(route.LinkLocalNextHop);
        Assert.Same(route.Attributes, Route(rib, "12.0.2.0/24").Attributes);
    }

    [Fact]
    public void Sets_that_differ_only_in_next_hop_are_distinct_and_equal_ones_are_shared()
    {
        // One ingest for all three UPDATEs: the set it reuses for a run of equal UPDATEs must not leak across next hops.
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        Ingest(ingest, [Prefix.Parse("2001:db8:5::/48")], Shared, IPAddress.Parse("2001:db8::2"), null);
        Ingest(ingest, [Prefix.Parse("2001:db8:6::/48")], Shared, IPAddress.Parse("2001:db8::3"), null);
        Ingest(ingest, [Prefix.Parse("2001:db8:7::/48")], Shared, IPAddress.Parse("2001:db8::2"), null);
        Ingest(ingest, [Prefix.Parse("2001:db8:8::/48")], Shared, IPAddress.Parse("2001:db8::2"), IPAddress.Parse("fe80::2"));
        Ingest(ingest, [Prefix.Parse("2001:db8:9::/48")], Shared, IPAddress.Parse("2001:db8::2"), IPAddress.Parse("fe80::2"));
        var other = new PathAttributes { Origin = Origin.Egp, AsPath = AsPath.Sequence(65002) };
        Ingest(ingest, [Prefix.Parse("2001:db8:a::/48")], other, IPAddress.Parse("2001:db8::2"), IPAddress.Parse("fe80::2"));

        Assert.Equal(4, rib.Interner.Count);
        Assert.Same(Route(rib, "2001:db8:8::/48").Attributes, Route(rib, "2001:db8:9::/48").Attributes);
        Assert.Equal(Origin.Egp, Route(rib, "2001:db8:a::/48").Attributes!.Origin);
        Assert.Equal(IPAddress.Parse("fe80::2"), Route(rib, "2001:db8:a::/48").LinkLocalNextHop);
        Assert.Equal(IPAddress.Parse("2001:db8::3"), Route(rib, "2001:db8:6::/48").NextHop);
        Assert.Equal(IPAddress.Parse("fe80::2"), Route(rib, "2001:db8:8::/48").LinkLocalNextHop);
        Assert.Null(Route(rib, "2001:db8:7::/48").LinkLocalNextHop);
        Assert.Same(Route(rib, "2001:db8:5::/48").Attributes, Route(rib, "2001:db8:7::/48").Attributes);
    }

    [Fact]
    public void Plain_IPv4_routes_report_the_NEXT_HOP_attribute()
    {
        var attributes = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002), NextHop = 0x0A000002 };
        var rib = Ingest([Prefix.Parse("11.0.0.1/32")], attributes, IPAddress.Parse("10.0.0.2"), null);

        var route = Route(rib, "11.0.0.1/32");
        Assert.Equal(IPAddress.Parse("10.0.0.2"), route.NextHop);
        Assert.Null(route.Attributes!.MpNextHop);
        Assert.Null(route.LinkLocalNextHop);
        Assert.Equal(attributes, route.Attributes);
    }

    [Fact]
    public void The_MP_next_hop_is_never_encoded_as_an_attribute()
    {
        var withNextHop = Shared.WithMpNextHop(IPAddress.Parse("2001:db8::2"), IPAddress.Parse("fe80::2"));
        Assert.NotEqual(Shared, withNextHop);
        Assert.Same(withNextHop, withNextHop.WithMpNextHop(IPAddress.Parse("2001:db8::2"), IPAddress.Parse("fe80::2")));
        var context = BgpDecodeContext.FourOctetAsDefault;
        var plain = new byte[Shared.GetEncodedLength(context)];
        Shared.Write(plain, context);
        var carried = new byte[withNextHop.GetEncodedLength(context)];
        withNextHop.Write(carried, context);
        Assert.Equal(plain, carried);
        Assert.Equal(Shared, withNextHop.WithMpNextHop(null));
    }
}
