using System.Buffers.Binary;
using System.Net;
using BgpKit.Bfd.Transport;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>
/// The rtnetlink neighbour dump, as bytes: the request field by field, and the replies read into a table from
/// hand-built messages (the layout of linux/neighbour.h), including truncated and garbage ones, which end the dump.
/// </summary>
public sealed class NeighbourDumpTests
{
    private const uint Sequence = 7;
    private const int Interface = 3;
    private const ushort Reachable = 0x02;
    private static readonly byte[] Peer = Convert.FromHexString("fd000b6d000000000000000000000002");
    private static readonly byte[] Other = Convert.FromHexString("fd000b6d000000000000000000000009");
    private static readonly byte[] Peer4 = [10, 0, 0, 2];
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
    public void Request_for_the_ARP_table_differs_only_in_the_family()
    {
        var ipv4 = new byte[NeighbourDump.RequestLength];
        var ipv6 = new byte[NeighbourDump.RequestLength];
        NeighbourDump.WriteRequest(ipv4, 9, 2, 3);
        NeighbourDump.WriteRequest(ipv6, 9, 10, 3);
        // ndm_family: AF_INET (2) rather than AF_INET6 (10).
        Assert.Equal(2, ipv4[NeighbourDump.HeaderLength]);
        ipv4[NeighbourDump.HeaderLength] = 10;
        Assert.Equal(ipv6, ipv4);
    }

    [Fact]
    public void Collects_every_usable_neighbour_of_the_interface_then_says_the_dump_ended()
    {
        var replies = Concat(
            NewNeigh(Interface, Reachable, Other, [0x02, 0, 0, 0, 0, 9]),
            NewNeigh(Interface, 0x20, Peer, [0x02, 0, 0, 0, 0, 7]),
            NewNeigh(Interface + 1, Reachable, Peer, [0x02, 0, 0, 0, 0, 8]),
            NewNeigh(Interface, 0x04, Peer, PeerMac),
            Done(),
            // After NLMSG_DONE: not read.
            NewNeigh(Interface, Reachable, Peer4, PeerMac));
        var table = new Dictionary<IPAddress, byte[]>();
        Assert.Equal(NeighbourDump.Progress.Ended, NeighbourDump.Collect(replies, Sequence, Interface, table));
        Assert.Equal(
            [$"{new IPAddress(Peer)}=1E117EDE9D30", $"{new IPAddress(Other)}=020000000009"],
            table.Select(e => $"{e.Key}={Convert.ToHexString(e.Value)}").Order());

        // Without NLMSG_DONE the dump goes on in the next read, which adds to the same table.
        Assert.Equal(NeighbourDump.Progress.More, NeighbourDump.Collect(NewNeigh(Interface, Reachable, Other, PeerMac), Sequence, Interface, table));
        Assert.Equal(PeerMac, table[new IPAddress(Other)]);
        Assert.Equal(NeighbourDump.Progress.More, NeighbourDump.Collect([], Sequence, Interface, table));
    }

    [Fact]
    public void An_AF_INET_dump_is_the_ARP_table()
    {
        var replies = Concat(NewNeigh(Interface, Reachable, Peer4, PeerMac, family: 2), Done());
        var table = new Dictionary<IPAddress, byte[]>();
        Assert.Equal(NeighbourDump.Progress.Ended, NeighbourDump.Collect(replies, Sequence, Interface, table));
        Assert.Equal(PeerMac, Assert.Single(table, e => e.Key.Equals(IPAddress.Parse("10.0.0.2"))).Value);
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
        Assert.Equal(usable, Collect(Concat(NewNeigh(Interface, state, Peer, PeerMac), Done())).Count == 1);
    }

    [Fact]
    public void Replies_to_another_request_and_errors_are_not_answers()
    {
        var stale = NewNeigh(Interface, Reachable, Peer, PeerMac);
        BinaryPrimitives.WriteUInt32LittleEndian(stale.AsSpan(8), Sequence - 1);
        Assert.Empty(Collect(Concat(stale, Done())));

        // NLMSG_ERROR (2) ends the dump.
        var error = Done();
        BinaryPrimitives.WriteUInt16LittleEndian(error.AsSpan(4), 2);
        var table = new Dictionary<IPAddress, byte[]>();
        Assert.Equal(NeighbourDump.Progress.Ended, NeighbourDump.Collect(Concat(error, NewNeigh(Interface, Reachable, Peer, PeerMac)), Sequence, Interface, table));
        Assert.Empty(table);
    }

    [Fact]
    public void Malformed_messages_and_attributes_end_the_dump_and_are_left_out()
    {
        var good = NewNeigh(Interface, Reachable, Peer, PeerMac);
        var before = NewNeigh(Interface, Reachable, Other, PeerMac);
        var table = new Dictionary<IPAddress, byte[]>();

        // Message length beyond the buffer, below the header, and a buffer cut inside a header: the dump
        // ends there, and what came before still counts.
        var longer = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(longer, (uint)good.Length + 4);
        Assert.Equal(NeighbourDump.Progress.Ended, NeighbourDump.Collect(Concat(before, longer), Sequence, Interface, table));
        Assert.Equal(new IPAddress(Other), Assert.Single(table).Key);
        var shorter = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(shorter, 8);
        Assert.Equal(NeighbourDump.Progress.Ended, NeighbourDump.Collect(shorter, Sequence, Interface, table));
        Assert.Equal(NeighbourDump.Progress.Ended, NeighbourDump.Collect(Concat(Done(), good)[..10], Sequence + 1, Interface, table));
        Assert.Single(table);

        // A message too short for its ndmsg.
        var headerOnly = good[..(NeighbourDump.HeaderLength + 4)];
        BinaryPrimitives.WriteUInt32LittleEndian(headerOnly, (uint)headerOnly.Length);
        Assert.Empty(Collect(Concat(headerOnly, Done())));

        // Attribute length zero, and an attribute longer than its message.
        foreach (var badLength in new ushort[] { 0, 3, 200 })
        {
            var bad = (byte[])good.Clone();
            BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(NeighbourDump.HeaderLength + NeighbourDump.NdmsgLength), badLength);
            Assert.Empty(Collect(Concat(bad, Done())));
        }

        // A link-layer address that is not 6 bytes (e.g. a tunnel's 4-byte one), a missing one, and a
        // destination that is neither IPv4 nor IPv6.
        Assert.Empty(Collect(Concat(NewNeigh(Interface, Reachable, Peer, [1, 2, 3, 4]), Done())));
        Assert.Empty(Collect(Concat(NewNeigh(Interface, Reachable, Peer, null), Done())));
        Assert.Empty(Collect(Concat(NewNeigh(Interface, Reachable, Peer[..8], PeerMac), Done())));
    }

    [Fact]
    public void Every_truncation_and_random_corruption_end_in_an_answer_not_an_exception()
    {
        var full = Concat(NewNeigh(Interface, Reachable, Other, PeerMac), NewNeigh(Interface, Reachable, Peer, PeerMac), Done());
        for (var cut = 0; cut < full.Length; cut++)
        {
            var table = new Dictionary<IPAddress, byte[]>();
            NeighbourDump.Collect(full.AsSpan(0, cut), Sequence, Interface, table);
            // The peer is there only once the whole second message is.
            Assert.Equal(cut >= full.Length - 20, table.ContainsKey(new IPAddress(Peer)));
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
            var table = new Dictionary<IPAddress, byte[]>();
            var progress = NeighbourDump.Collect(bytes, Sequence, Interface, table);
            return progress is NeighbourDump.Progress.More or NeighbourDump.Progress.Ended
                && table.Count <= 2 && table.Values.All(mac => mac.Length == 6);
        }));
    }

    private static Dictionary<IPAddress, byte[]> Collect(byte[] replies)
    {
        var table = new Dictionary<IPAddress, byte[]>();
        NeighbourDump.Collect(replies, Sequence, Interface, table);
        return table;
    }

    private static byte[] Concat(params byte[][] messages) => messages.SelectMany(m => m).ToArray();

    private static byte[] NewNeigh(int ifindex, ushort state, byte[] destination, byte[]? lladdr, byte family = 10)
    {
        var body = new List<byte>();
        var ndmsg = new byte[NeighbourDump.NdmsgLength];
        ndmsg[0] = family;
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
