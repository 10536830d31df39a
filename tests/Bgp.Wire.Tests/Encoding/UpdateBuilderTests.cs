using System.Buffers;
using System.Net;

namespace BgpKit.Bgp.Wire.Tests.Encoding;

public class UpdateBuilderTests
{
    private static readonly PathAttributes Attributes = new()
    {
        Origin = Origin.Igp,
        AsPath = AsPath.Sequence(65000, 65001),
        NextHop = 0xC0000201,
        MultiExitDisc = 10,
        Communities = [Community.Parse("65000:1")],
    };

    private static Nlri[] IPv4Prefixes(int count) =>
        Enumerable.Range(0, count).Select(i => (Nlri)Prefix.FromIPv4((uint)(0x0A000000 + (i << 8)), 24)).ToArray();

    private static List<UpdateMessage> Split(ReadOnlySpan<byte> stream, BgpDecodeContext context)
    {
        var messages = new List<UpdateMessage>();
        var buffer = new ReadOnlySequence<byte>(stream.ToArray());
        while (BgpMessageHeader.TryReadMessage(ref buffer, context, out var header, out var message))
        {
            Assert.True(header.Length <= context.MaxMessageLength);
            var update = (UpdateMessage)BgpMessage.Decode(message, context);
            Assert.Equal(ErrorAction.None, update.Action);
            messages.Add(update);
        }
        Assert.Equal(0, buffer.Length);
        return messages;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(10_000, false)]
    [InlineData(10_000, true)]
    public void Ipv4_prefixes_fill_as_few_updates_as_the_maximum_allows(int count, bool extended)
    {
        var context = BgpDecodeContext.FourOctetAsDefault;
        if (extended)
        {
            context = new BgpDecodeContext { FourOctetAs = true, ExtendedMessage = true };
        }
        var prefixes = IPv4Prefixes(count);
        var output = new ArrayBufferWriter<byte>();
        var written = new UpdateBuilder(context).WriteAnnouncements(output, Attributes, prefixes);
        var messages = Split(output.WrittenSpan, context);
        Assert.Equal(written, messages.Count);
        Assert.Equal(prefixes, messages.SelectMany(m => m.Nlri));
        Assert.All(messages, m => Assert.Equal(Attributes, m.Attributes));
        var attributeLength = Attributes.GetEncodedLength(context);
        var perMessage = (context.MaxMessageLength - 23 - attributeLength) / 4;
        Assert.Equal((count + perMessage - 1) / perMessage, messages.Count);
    }

    [Fact]
    public void Ipv6_prefixes_go_in_mp_reach_with_the_next_hop()
    {
        var prefixes = Enumerable.Range(0, 3000).Select(i => (Nlri)Prefix.FromIPv6(0x20010db800000000UL | (ulong)i << 16, 0, 48)).ToArray();
        var output = new ArrayBufferWriter<byte>();
        var attributes = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65000) };
        var count = new UpdateBuilder(BgpDecodeContext.FourOctetAsDefault).WriteAnnouncements(output, attributes, prefixes, IPAddress.Parse("2001:db8::1"), IPAddress.Parse("fe80::1"));
        var messages = Split(output.WrittenSpan, BgpDecodeContext.FourOctetAsDefault);
        Assert.Equal(count, messages.Count);
        Assert.True(messages.Count <= 3000 * 7 / (4096 - 80) + 1);
        Assert.All(messages, m =>
        {
            Assert.Equal(IPAddress.Parse("2001:db8::1"), m.MpReach!.NextHop);
            Assert.Equal(IPAddress.Parse("fe80::1"), m.MpReach.LinkLocalNextHop);
            Assert.Equal(attributes, m.Attributes);
        });
        Assert.Equal(prefixes, messages.SelectMany(m => m.MpReach!.Nlri));
    }

    [Fact]
    public void Ipv4_without_next_hop_uses_rfc8950_mp_reach()
    {
        var output = new ArrayBufferWriter<byte>();
        var attributes = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Empty };
        new UpdateBuilder(BgpDecodeContext.FourOctetAsDefault).WriteAnnouncements(output, attributes, IPv4Prefixes(5), IPAddress.Parse("2001:db8::1"));
        var update = Assert.Single(Split(output.WrittenSpan, BgpDecodeContext.FourOctetAsDefault));
        Assert.Equal(AfiSafi.IPv4Unicast, update.MpReach!.AfiSafi);
        Assert.Equal(5, update.MpReach.Nlri.Count);
        Assert.Throws<ArgumentException>(() => new UpdateBuilder(BgpDecodeContext.Default).WriteAnnouncements(output, attributes, IPv4Prefixes(1)));
    }

    [Fact]
    public void Withdrawals_of_both_families_with_add_path()
    {
        var context = BgpDecodeContext.FourOctetAsDefault.WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Both).WithAddPath(AfiSafi.IPv6Unicast, AddPathDirection.Both);
        var v4 = IPv4Prefixes(2000).Select((n, i) => new Nlri((uint)i, n.Prefix)).ToArray();
        var v6 = Enumerable.Range(0, 2000).Select(i => new Nlri((uint)i, Prefix.FromIPv6(0x20010db800000000UL | (ulong)i << 16, 0, 48))).ToArray();
        var output = new ArrayBufferWriter<byte>();
        new UpdateBuilder(context).WriteWithdrawals(output, [.. v4, .. v6]);
        var messages = Split(output.WrittenSpan, context);
        Assert.Equal(v4, messages.SelectMany(m => m.Withdrawn));
        Assert.Equal(v6, messages.Where(m => m.MpUnreach is not null).SelectMany(m => m.MpUnreach!.Withdrawn));
        Assert.All(messages, m => Assert.Null(m.Attributes is { } a && a.GetEncodedLength(context) > 0 ? a : null));
    }

    [Fact]
    public void Attributes_too_large_for_a_prefix_are_refused()
    {
        var huge = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Empty, NextHop = 1, LargeCommunities = Enumerable.Range(0, 340).Select(i => new LargeCommunity(1, 2, (uint)i)).ToArray() };
        Assert.Throws<InvalidOperationException>(() => new UpdateBuilder(BgpDecodeContext.Default).WriteAnnouncements(new ArrayBufferWriter<byte>(), huge, IPv4Prefixes(1)));
    }
}
