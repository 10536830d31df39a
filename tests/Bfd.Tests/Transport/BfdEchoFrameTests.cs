using System.Buffers.Binary;
using BgpKit.Bfd.Transport;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>The Ethernet + IPv4 + UDP frame of an echo packet, field by field, with both checksums verified.</summary>
public sealed class BfdEchoFrameTests
{
    private static readonly byte[] OurMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] PeerMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    private static readonly byte[] Address = [10, 252, 7, 1];

    [Fact]
    public void Frame_is_addressed_to_the_peers_MAC_and_to_ourselves()
    {
        Span<byte> payload = stackalloc byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, 0xA1B2C3D4, 0x0102030405060708);
        var frame = new byte[BfdEchoFrame.Length];
        var length = BfdEchoFrame.WriteIpv4(frame, OurMac, PeerMac, Address, 50000, 7, payload);

        Assert.Equal(58, length);
        Assert.Equal(Convert.FromHexString(
            // Ethernet: peer MAC, our MAC, IPv4
            "020000000002" + "020000000001" + "0800" +
            // IPv4: 0x45, TOS C0, length 44, id 7, no fragment, TTL 255, UDP, checksum (patched below), src, dst
            "45C0002C00070000FF11" + "0000" + "0AFC0701" + "0AFC0701" +
            // UDP: 50000 -> 3785, length 24, checksum (patched below)
            "C350" + "0EC9" + "0018" + "0000" +
            // payload: version 1, length 16, reserved, discriminator, nonce
            "01100000" + "A1B2C3D4" + "0102030405060708").AsSpan(0, 24).ToArray(), frame.AsSpan(0, 24).ToArray());
        Assert.Equal(Convert.FromHexString("0AFC07010AFC0701C3500EC90018"), frame.AsSpan(26, 14).ToArray());
        Assert.Equal(payload.ToArray(), frame.AsSpan(42, 16).ToArray());

        // A header with a correct checksum sums to zero; so does the UDP datagram with its pseudo-header.
        Assert.Equal(0, BfdEchoFrame.Checksum(frame.AsSpan(14, 20), 0));
        var pseudo = (uint)(0x0AFC + 0x0701) * 2 + 17 + 24;
        Assert.Equal(0, BfdEchoFrame.Checksum(frame.AsSpan(34, 24), pseudo));
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(40)));
    }

    [Fact]
    public void Echo_payload_round_trips_and_rejects_foreign_bytes()
    {
        Span<byte> payload = stackalloc byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, 42, 0xDEADBEEF);
        Assert.True(BfdEchoPacket.TryRead(payload, out var discriminator, out var nonce));
        Assert.Equal(42u, discriminator);
        Assert.Equal(0xDEADBEEFul, nonce);

        Assert.False(BfdEchoPacket.TryRead(payload[..15], out _, out _));
        payload[0] = 2;
        Assert.False(BfdEchoPacket.TryRead(payload, out _, out _));
        // A BFD Control packet (version 1, but its second byte is state and flags) is not an echo packet.
        Assert.False(BfdEchoPacket.TryRead(Convert.FromHexString("20C0031800000001000000000007A12000007A1200000000"), out _, out _));
    }
}
