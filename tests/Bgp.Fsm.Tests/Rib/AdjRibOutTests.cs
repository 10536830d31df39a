using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Rib;

public class AdjRibOutTests
{
    private static readonly PathAttributes A = new() { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001), NextHop = 0x0A000001, Communities = [new Community(65001, 1)] };
    private static readonly PathAttributes B = new() { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001), NextHop = 0x0A000001, MultiExitDisc = 7 };

    internal static Prefix Host(int i) => Prefix.FromIPv4(0x0B000000u + (uint)i, 32);

    private static List<UpdateMessage> Produce(AdjRibOut rib, BgpDecodeContext? context = null, int max = int.MaxValue)
    {
        context ??= BgpDecodeContext.FourOctetAsDefault;
        var output = new ArrayBufferWriter<byte>();
        rib.Produce(new UpdateBuilder(context), output, max, v6 => v6 ? IPAddress.Parse("2001:db8::1") : IPAddress.Parse("10.0.0.1"), a => a, out _, out _);
        var messages = new List<UpdateMessage>();
        var bytes = output.WrittenSpan;
        while (bytes.Length > 0)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[16..]);
            Assert.True(length <= context.MaxMessageLength);
            messages.Add((UpdateMessage)BgpMessage.Decode(bytes[..length], context));
            bytes = bytes[length..];
        }
        return messages;
    }

    [Fact]
    public void Prefixes_sharing_attributes_are_packed_and_split_at_4096_octets()
    {
        var rib = new AdjRibOut();
        for (var i = 0; i < 2000; i++)
        {
            rib.Set(Host(i), A);
        }
        var messages = Produce(rib);
        // 2000 /32 NLRI are 10000 octets: three 4096-octet UPDATEs, not 2000.
        Assert.Equal(3, messages.Count);
        Assert.Equal(2000, messages.Sum(m => m.Nlri.Count));
        Assert.All(messages, m => Assert.Equal(A, m.Attributes));
    }

    [Fact]
    public void Extended_message_packs_into_one_UPDATE()
    {
        var rib = new AdjRibOut();
        for (var i = 0; i < 2000; i++)
        {
            rib.Set(Host(i), A);
        }
        Assert.Single(Produce(rib, new BgpDecodeContext { FourOctetAs = true, ExtendedMessage = true }));
    }

    [Fact]
    public void Only_differences_are_sent()
    {
        var rib = new AdjRibOut();
        for (var i = 0; i < 10; i++)
        {
            rib.Set(Host(i), A);
        }
        Produce(rib);
        Assert.Empty(Produce(rib));

        rib.Set(Host(3), A);      // unchanged: nothing
        rib.Set(Host(4), B);      // changed attributes
        rib.Remove(Host(5));      // withdrawn
        var messages = Produce(rib);
        Assert.Equal([Host(5)], messages.SelectMany(m => m.Withdrawn).Select(n => n.Prefix));
        Assert.Equal([Host(4)], messages.SelectMany(m => m.Nlri).Select(n => n.Prefix));
        Assert.Equal(B, messages.Single(m => m.Nlri.Count > 0).Attributes);
    }

    [Fact]
    public void Announce_then_withdraw_before_sending_sends_nothing()
    {
        var rib = new AdjRibOut();
        rib.Set(Host(1), A);
        rib.Remove(Host(1));
        Assert.Empty(Produce(rib));
    }

    [Fact]
    public void A_new_session_gets_everything_again()
    {
        var rib = new AdjRibOut();
        for (var i = 0; i < 100; i++)
        {
            rib.Set(Host(i), i % 2 == 0 ? A : B);
        }
        Produce(rib);
        rib.ResetForNewSession();
        var messages = Produce(rib);
        Assert.Equal(100, messages.Sum(m => m.Nlri.Count));
        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public void Batches_respect_the_prefix_budget()
    {
        var rib = new AdjRibOut();
        for (var i = 0; i < 100; i++)
        {
            rib.Set(Host(i), A);
        }
        Assert.Equal(40, Produce(rib, max: 40).Sum(m => m.Nlri.Count));
        Assert.Equal(60, rib.PendingCount);
    }

    [Fact]
    public void IPv6_prefixes_go_in_MP_REACH_with_the_session_next_hop()
    {
        var rib = new AdjRibOut();
        rib.Set(Prefix.Parse("2001:db8:1::/48"), A);
        var update = Assert.Single(Produce(rib));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), update.MpReach!.NextHop);
        Assert.Equal(Prefix.Parse("2001:db8:1::/48"), update.MpReach.Nlri.Single().Prefix);
    }
}
