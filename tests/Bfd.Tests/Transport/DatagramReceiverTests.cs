using System.Runtime.InteropServices;
using BgpKit.Bfd.Transport;
using Xunit;

namespace BgpKit.Bfd.Tests.Transport;

public sealed class DatagramReceiverTests
{
    // One cmsghdr as Linux lays it out on 64-bit: cmsg_len (8, the header plus data), level (4), type (4), data,
    // padded to 8 octets.
    private static byte[] Cmsg(int level, int type, byte[] data, int? declaredLength = null)
    {
        var length = 16 + data.Length;
        var message = new byte[(length + 7) & ~7];
        MemoryMarshal.Write(message, (ulong)(declaredLength ?? length));
        MemoryMarshal.Write(message.AsSpan(8), level);
        MemoryMarshal.Write(message.AsSpan(12), type);
        data.CopyTo(message, 16);
        return message;
    }

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        MemoryMarshal.Write(bytes, value);
        return bytes;
    }

    [Fact]
    public void Reads_the_IPv4_TTL_and_the_destination_from_IP_PKTINFO()
    {
        // struct in_pktinfo: ifindex 3, spec_dst 10.0.0.9, addr (the header's destination) 10.0.0.1.
        byte[] pktinfo = [3, 0, 0, 0, 10, 0, 0, 9, 10, 0, 0, 1];
        var control = Cmsg(0, 2, Int(255)).Concat(Cmsg(0, 8, pktinfo)).ToArray();
        Span<byte> destination = stackalloc byte[16];

        var (ttl, length) = DatagramReceiver.ReadControl(control, destination);

        Assert.Equal(255, ttl);
        Assert.Equal(4, length);
        Assert.Equal(new byte[] { 10, 0, 0, 1 }, destination[..4].ToArray());
    }

    [Fact]
    public void Reads_the_IPv6_hop_limit_and_the_destination_from_IPV6_PKTINFO()
    {
        var address = Enumerable.Range(0, 16).Select(i => (byte)(0xF0 + i)).ToArray();
        var control = Cmsg(41, 50, address.Concat(Int(7)).ToArray()).Concat(Cmsg(41, 52, Int(254))).ToArray();
        Span<byte> destination = stackalloc byte[16];

        var (ttl, length) = DatagramReceiver.ReadControl(control, destination);

        Assert.Equal(254, ttl);
        Assert.Equal(16, length);
        Assert.Equal(address, destination.ToArray());
    }

    [Fact]
    public void Without_room_for_a_destination_only_the_TTL_is_read()
    {
        var control = Cmsg(0, 8, new byte[12]).Concat(Cmsg(0, 2, Int(64))).ToArray();

        Assert.Equal((64, 0), DatagramReceiver.ReadControl(control, []));
    }

    [Fact]
    public void Absent_or_malformed_ancillary_data_gives_no_TTL_and_never_reads_past_the_end()
    {
        Span<byte> destination = stackalloc byte[16];
        Assert.Equal((-1, 0), DatagramReceiver.ReadControl([], destination));
        // A header that claims more than there is, one that claims less than a header, and a cut header.
        Assert.Equal((-1, 0), DatagramReceiver.ReadControl(Cmsg(0, 2, Int(255), declaredLength: 64), destination));
        Assert.Equal((-1, 0), DatagramReceiver.ReadControl(Cmsg(0, 2, Int(255), declaredLength: 8), destination));
        Assert.Equal((-1, 0), DatagramReceiver.ReadControl(Cmsg(0, 2, Int(255))[..12], destination));
        // A TTL message too short to hold its int, then a good one after it.
        var control = Cmsg(0, 2, [1, 2]).Concat(Cmsg(0, 2, Int(200))).ToArray();
        Assert.Equal((200, 0), DatagramReceiver.ReadControl(control, destination));
    }

    [Fact]
    public void Random_ancillary_data_never_throws()
    {
        var random = new Random(20261121);
        var destination = new byte[16];
        for (var i = 0; i < 20_000; i++)
        {
            var control = new byte[random.Next(0, 80)];
            random.NextBytes(control);
            if (control.Length >= 8 && random.Next(2) == 0)
            {
                // Plausible lengths, so the walk goes past the first header often.
                MemoryMarshal.Write(control, (ulong)random.Next(0, control.Length + 8));
            }
            var (_, length) = DatagramReceiver.ReadControl(control, destination);
            Assert.True(length is 0 or 4 or 16);
        }
    }
}
