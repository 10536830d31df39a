using System.Buffers;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Rib;

public class AdjRibInTests
{
    private static readonly PathAttributes A = new() { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002), NextHop = 0x0A000002, LargeCommunities = [new LargeCommunity(65002, 1, 2)] };

    internal static List<byte[]> Bodies(IEnumerable<Prefix> prefixes, PathAttributes attributes, bool withdraw = false)
    {
        var output = new ArrayBufferWriter<byte>();
        var builder = new UpdateBuilder(BgpDecodeContext.FourOctetAsDefault);
        var nlri = prefixes.Select(p => (Nlri)p).ToArray();
        if (withdraw)
        {
            builder.WriteWithdrawals(output, nlri);
        }
        else
        {
            builder.WriteAnnouncements(output, attributes, nlri, System.Net.IPAddress.Parse("2001:db8::2"));
        }
        var list = new List<byte[]>();
        var bytes = output.WrittenSpan;
        while (bytes.Length > 0)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[16..]);
            list.Add(bytes[19..length].ToArray());
            bytes = bytes[length..];
        }
        return list;
    }

    [Fact]
    public void Routes_share_one_attribute_set_and_withdrawals_remove_them()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        var prefixes = Enumerable.Range(0, 500).Select(AdjRibOutTests.Host).ToList();
        foreach (var body in Bodies(prefixes, A))
        {
            Assert.Equal(ErrorAction.None, ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault).Action);
        }
        Assert.Equal(500, rib.Count);
        Assert.Equal(1, rib.Interner.Count);
        rib.TryGet(prefixes[0], out var first);
        rib.TryGet(prefixes[499], out var last);
        Assert.Same(first, last);
        Assert.Equal(A, first);

        foreach (var body in Bodies(prefixes.Take(200), A, withdraw: true))
        {
            ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault);
        }
        Assert.Equal(300, rib.Count);
    }

    [Fact]
    public void Import_filter_with_ge_le_keeps_only_matching_prefixes()
    {
        var filter = PrefixFilter.Of(new PrefixFilterEntry(Prefix.Parse("11.0.0.0/24"), GreaterOrEqual: 30, LessOrEqual: 32));
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, filter);
        foreach (var body in Bodies([Prefix.Parse("11.0.0.1/32"), Prefix.Parse("11.0.0.0/24"), Prefix.Parse("11.0.1.1/32"), Prefix.Parse("11.0.0.4/30")], A))
        {
            ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault);
        }
        Assert.Equal(2, rib.Count);
        Assert.True(rib.TryGet(Prefix.Parse("11.0.0.4/30"), out _));
    }

    [Fact]
    public void A_refused_announcement_replaces_an_accepted_one_and_is_counted()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        foreach (var body in Bodies([Prefix.Parse("11.0.0.1/32"), Prefix.Parse("11.0.0.2/32")], A))
        {
            ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault);
        }
        Assert.Equal(2, rib.Count);
        ingest.Filter = PrefixFilter.Of(new PrefixFilterEntry(Prefix.Parse("11.0.0.2/32")));
        var withdrawn = new List<Prefix>();
        foreach (var body in Bodies([Prefix.Parse("11.0.0.1/32"), Prefix.Parse("11.0.0.3/32")], A))
        {
            ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault, (nlri, attributes) => { if (attributes is null) withdrawn.Add(nlri.Prefix); });
        }
        Assert.Equal(2, ingest.Refused);
        Assert.Equal([Prefix.Parse("11.0.0.1/32")], withdrawn);
        Assert.Equal(1, rib.Count);
        Assert.True(rib.TryGet(Prefix.Parse("11.0.0.2/32"), out _));
    }

    [Fact]
    public void IPv6_routes_arrive_through_MP_REACH_and_End_of_RIB_is_recognised()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        foreach (var body in Bodies([Prefix.Parse("2001:db8:5::/48")], A))
        {
            ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault);
        }
        Assert.Equal(1, rib.Count);
        var eor = UpdateMessage.EndOfRib(AfiSafi.IPv6Unicast).ToArray(BgpDecodeContext.FourOctetAsDefault)[19..];
        Assert.Equal(AfiSafi.IPv6Unicast, ingest.Apply(eor, BgpDecodeContext.FourOctetAsDefault).EndOfRib);
    }

    [Fact]
    public void Stale_routes_are_kept_until_purged_and_refreshed_routes_are_not_stale()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        var prefixes = Enumerable.Range(0, 10).Select(AdjRibOutTests.Host).ToList();
        foreach (var body in Bodies(prefixes, A))
        {
            ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault);
        }
        rib.MarkAllStale();
        foreach (var body in Bodies(prefixes.Take(4), A))
        {
            ingest.Apply(body, BgpDecodeContext.FourOctetAsDefault);
        }
        Assert.Equal(6, rib.StaleCount);
        Assert.Equal(6, rib.PurgeStale().Count);
        Assert.Equal(4, rib.Count);
    }
}
