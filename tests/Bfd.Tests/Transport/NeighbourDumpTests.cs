using System.Buffers.Binary;
using BgpKit.Bfd.Transport;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>
/// The rtnetlink neighbour dump, as bytes: the request field by field, and the reply scan over hand-built
/// messages (the layout of linux/neighbour.h), including truncated and garbage ones, which end in "not found".
/// </summary>
public sealed class NeighbourDumpTests
{
    private const uint Sequence = 7;
    private const int Interface = 3;
    private const ushort Reachable = 0x02;
    private static readonly byte[] Peer = Convert.FromHexString("fd000b6d000000000000000000000002");
    private static readonly byte[] Other = Convert.FromHexString("fd000b6d000000000000000000000009");
    private static readonly byte[] PeerMac = [0x1E, 0x11, 0x7E, 0xDE, 0x9D, 0x30];

    [Fact]
    public void Request_asks_for_a_dump_of_one_interfaces_IPv6_neighbours()
    {
        var request = new byte[NeighbourDump.RequestLength];
        Assert.Equal(36, NeighbourDump.WriteRequest(request, 0x01020304, 10, 3));
        Assert.Equal(Convert.FromHexString(
            // nlmsghdr: length 36, RTM_GETNEIGH (30), NLM_F_REQUEST | NLM_F_DUMP (0x301), sequence, port id 0
            "24000000" + "1E00" + "0103" + "04030201" + "00000000" +
            // ndmsg: AF_INET6 (10), pad, ifindex 3, state 0, flags 0, type 0
            "0A000000" + "03000000" + "0000" + "00" + "00" +
            // NDA_IFINDEX (8), length 8: 3
            "0800" + "0800" + "03000000"), request);
    }

    [Fact]
    public void Finds_the_neighbour_among_others_and_stops_at_done()
    {
        var replies = Concat(
            NewNeigh(Interface, Reachable, Other, [0x02, 0, 0, 0, 0, 9]),
            NewNeigh(Interface + 1, Reachable, Peer, [0x02, 0, 0, 0, 0, 8]),
            NewNeigh(Interface, Reachable, Peer, PeerMac),
            Done());
        var mac = new byte[6];
        Assert.Equal(NeighbourDump.Scan.Found, NeighbourDump.Find(replies, Sequence, Interface, Peer, mac));
        Assert.Equal(PeerMac, mac);

        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(NewNeigh(Interface, Reachable, Other, PeerMac), Done()), Sequence, Interface, Peer, mac));
        // No NLMSG_DONE yet: the dump continues in the next read.
        Assert.Equal(NeighbourDump.Scan.More, NeighbourDump.Find(NewNeigh(Interface, Reachable, Other, PeerMac), Sequence, Interface, Peer, mac));
        Assert.Equal(NeighbourDump.Scan.More, NeighbourDump.Find([], Sequence, Interface, Peer, mac));
    }

    [Fact]
    public void Reader_yields_every_usable_neighbour_of_the_interface_then_says_the_dump_ended()
    {
        var replies = Concat(
            NewNeigh(Interface, Reachable, Other, [0x02, 0, 0, 0, 0, 9]),
            NewNeigh(Interface, 0x20, Peer, [0x02, 0, 0, 0, 0, 7]),
            NewNeigh(Interface + 1, Reachable, Peer, [0x02, 0, 0, 0, 0, 8]),
            NewNeigh(Interface, 0x04, Peer, PeerMac),
            Done());
        var reader = new NeighbourDump.Reader(replies, Sequence, Interface);
        var seen = new List<string>();
        while (reader.TryRead(out var destination, out var lladdr))
        {
            seen.Add(Convert.ToHexString(destination) + "=" + Convert.ToHexString(lladdr));
        }
        Assert.Equal([Convert.ToHexString(Other) + "=020000000009", Convert.ToHexString(Peer) + "=1E117EDE9D30"], seen);
        Assert.Equal(NeighbourDump.Scan.NotFound, reader.Ending);

        // Without NLMSG_DONE the dump goes on in the next read.
        var partial = new NeighbourDump.Reader(NewNeigh(Interface, Reachable, Other, PeerMac), Sequence, Interface);
        Assert.True(partial.TryRead(out _, out _));
        Assert.False(partial.TryRead(out _, out _));
        Assert.Equal(NeighbourDump.Scan.More, partial.Ending);
    }

    [Theory]
    [InlineData(0x02, true)]   // NUD_REACHABLE
    [InlineData(0x04, true)]   // NUD_STALE
    [InlineData(0x08, true)]   // NUD_DELAY
    [InlineData(0x10, true)]   // NUD_PROBE
    [InlineData(0x80, true)]   // NUD_PERMANENT
    [InlineData(0x01, false)]  // NUD_INCOMPLETE
    [InlineData(0x20, false)]  // NUD_FAILED
    [InlineData(0x40, false)]  // NUD_NOARP
    [InlineData(0x00, false)]  // NUD_NONE
    public void Only_states_the_kernel_would_send_to_count(ushort state, bool usable)
    {
        var mac = new byte[6];
        var scan = NeighbourDump.Find(Concat(NewNeigh(Interface, state, Peer, PeerMac), Done()), Sequence, Interface, Peer, mac);
        Assert.Equal(usable ? NeighbourDump.Scan.Found : NeighbourDump.Scan.NotFound, scan);
    }

    [Fact]
    public void Replies_to_another_request_and_errors_are_not_answers()
    {
        var mac = new byte[6];
        var stale = NewNeigh(Interface, Reachable, Peer, PeerMac);
        BinaryPrimitives.WriteUInt32LittleEndian(stale.AsSpan(8), Sequence - 1);
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(stale, Done()), Sequence, Interface, Peer, mac));

        // NLMSG_ERROR (2) ends the dump.
        var error = Done();
        BinaryPrimitives.WriteUInt16LittleEndian(error.AsSpan(4), 2);
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(error, NewNeigh(Interface, Reachable, Peer, PeerMac)), Sequence, Interface, Peer, mac));
    }

    [Fact]
    public void Malformed_messages_and_attributes_end_in_not_found()
    {
        var mac = new byte[6];
        var good = NewNeigh(Interface, Reachable, Peer, PeerMac);

        // Message length beyond the buffer, below the header, and a buffer cut inside a header.
        var longer = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(longer, (uint)good.Length + 4);
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(longer, Sequence, Interface, Peer, mac));
        var shorter = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(shorter, 8);
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(shorter, Sequence, Interface, Peer, mac));
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(Done(), good)[..10], Sequence + 1, Interface, Peer, mac));

        // A message too short for its ndmsg.
        var headerOnly = good[..(NeighbourDump.HeaderLength + 4)];
        BinaryPrimitives.WriteUInt32LittleEndian(headerOnly, (uint)headerOnly.Length);
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(headerOnly, Done()), Sequence, Interface, Peer, mac));

        // Attribute length zero, and an attribute longer than its message.
        foreach (var badLength in new ushort[] { 0, 3, 200 })
        {
            var bad = (byte[])good.Clone();
            BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(NeighbourDump.HeaderLength + NeighbourDump.NdmsgLength), badLength);
            Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(bad, Done()), Sequence, Interface, Peer, mac));
        }

        // A link-layer address that is not 6 bytes (e.g. a tunnel's 4-byte one), and a missing one.
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(NewNeigh(Interface, Reachable, Peer, [1, 2, 3, 4]), Done()), Sequence, Interface, Peer, mac));
        Assert.Equal(NeighbourDump.Scan.NotFound, NeighbourDump.Find(Concat(NewNeigh(Interface, Reachable, Peer, null), Done()), Sequence, Interface, Peer, mac));
    }

    [Fact]
    public void Every_truncation_and_random_corruption_end_in_an_answer_not_an_exception()
    {
        var full = Concat(NewNeigh(Interface, Reachable, Other, PeerMac), NewNeigh(Interface, Reachable, Peer, PeerMac), Done());
        var mac = new byte[6];
        for (var cut = 0; cut < full.Length; cut++)
        {
            var scan = NeighbourDump.Find(full.AsSpan(0, cut), Sequence, Interface, Peer, mac);
            // Found only once the whole second message is there.
            Assert.Equal(cut >= full.Length - 20, scan == NeighbourDump.Scan.Found);
        }
        // Random corruption of a valid reply: any byte anywhere, any number of times.
        var corruption = Gen.ArrayOf(Gen.Choose(0, full.Length - 1).SelectMany(_ => Gen.Choose(0, 255), (i, v) => (Index: i, Value: (byte)v)));
        Check.One(BfdArbitraries.Config.WithMaxTest(2000), Prop.ForAll(Arb.From(corruption), changes =>
        {
            var bytes = (byte[])full.Clone();
            foreach (var (index, value) in changes)
            {
                bytes[index] = value;
            }
            var scan = NeighbourDump.Find(bytes, Sequence, Interface, Peer, new byte[6]);
            return scan is NeighbourDump.Scan.Found or NeighbourDump.Scan.More or NeighbourDump.Scan.NotFound;
        }));
    }

    private static byte[] Concat(params byte[][] messages) => messages.SelectMany(m => m).ToArray();

    private static byte[] NewNeigh(int ifindex, ushort state, byte[] destination, byte[]? lladdr)
    {
        var body = new List<byte>();
        var ndmsg = new byte[NeighbourDump.NdmsgLength];
        ndmsg[0] = 10;
        BinaryPrimitives.WriteInt32LittleEndian(ndmsg.AsSpan(4), ifindex);
        BinaryPrimitives.WriteUInt16LittleEndian(ndmsg.AsSpan(8), state);
        ndmsg[11] = 1;
        body.AddRange(ndmsg);
        body.AddRange(Attribute(1, destination));
        if (lladdr is not null)
        {
            body.AddRange(Attribute(2, lladdr));
        }
        // NDA_PROBES (4), a u32 the kernel sends too: skipped.
        body.AddRange(Attribute(4, [0, 0, 0, 0]));
        return Message(28, body.ToArray());
    }

    private static byte[] Done() => Message(3, [0, 0, 0, 0]);

    private static byte[] Message(ushort type, byte[] body)
    {
        var message = new byte[NeighbourDump.HeaderLength + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), Sequence);
        body.CopyTo(message, NeighbourDump.HeaderLength);
        return message;
    }

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var padded = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(padded, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(padded.AsSpan(2), type);
        value.CopyTo(padded, 4);
        return padded;
    }
}
