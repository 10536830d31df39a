using System.Buffers.Binary;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// Builds the Ethernet frame of one echo packet (RFC 5881 section 4): UDP to port 3785, IP source and
/// destination both our own address, Ethernet destination the peer's MAC, so the peer's forwarding plane
/// routes it straight back to us. TTL / hop limit 255 (it returns with 254).
/// <code>
/// Ethernet: dst MAC (6) | src MAC (6) | type 0x0800 or 0x86DD (2)
/// IPv4:     0x45 | TOS 0xC0 | total length | id | flags/fragment 0 | TTL 255 | proto 17 | checksum | src | dst
/// IPv6:     version 6, traffic class 0xC0, flow label 0 (4) | payload length (2) | next header 17 | hop limit 255
///           | src (16) | dst (16)
/// UDP:      src port | 3785 | length | checksum (mandatory over IPv6, RFC 8200 section 8.1)
/// payload:  BfdEchoPacket (16 bytes)
/// </code>
/// </summary>
internal static class BfdEchoFrame
{
    public const int EthernetHeaderLength = 14;
    public const int Ipv4HeaderLength = 20;
    public const int UdpHeaderLength = 8;
    public const int Ipv6HeaderLength = 40;
    public const int Length = EthernetHeaderLength + Ipv4HeaderLength + UdpHeaderLength + BfdEchoPacket.Length;
    public const int Ipv6Length = EthernetHeaderLength + Ipv6HeaderLength + UdpHeaderLength + BfdEchoPacket.Length;

    /// <summary>Writes the frame into <paramref name="frame"/> (at least <see cref="Length"/> bytes); returns its length.</summary>
    public static int WriteIpv4(Span<byte> frame, ReadOnlySpan<byte> sourceMac, ReadOnlySpan<byte> destinationMac,
        ReadOnlySpan<byte> address, ushort sourcePort, ushort identification, ReadOnlySpan<byte> payload)
    {
        destinationMac[..6].CopyTo(frame);
        sourceMac[..6].CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);

        var ip = frame.Slice(EthernetHeaderLength, Ipv4HeaderLength);
        var udpLength = UdpHeaderLength + payload.Length;
        ip[0] = 0x45;
        // RFC 5881 does not set the precedence; Internetwork Control (like control packets of routing protocols).
        ip[1] = 0xC0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(Ipv4HeaderLength + udpLength));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0);
        ip[8] = BfdPorts.SingleHopTtl;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        address[..4].CopyTo(ip[12..]);
        address[..4].CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));

        var udp = frame.Slice(EthernetHeaderLength + Ipv4HeaderLength, udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], BfdPorts.Echo);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        payload.CopyTo(udp[UdpHeaderLength..]);
        // Pseudo-header: source, destination, zero, protocol, UDP length.
        uint pseudo = Sum(ip.Slice(12, 8)) + 17u + (uint)udpLength;
        var udpChecksum = Checksum(udp, pseudo);
        // RFC 768: a computed zero is sent as all ones.
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], udpChecksum == 0 ? (ushort)0xFFFF : udpChecksum);
        return EthernetHeaderLength + Ipv4HeaderLength + udpLength;
    }

    /// <summary>Writes the IPv6 frame into <paramref name="frame"/> (at least <see cref="Ipv6Length"/> bytes); returns its length.</summary>
    public static int WriteIpv6(Span<byte> frame, ReadOnlySpan<byte> sourceMac, ReadOnlySpan<byte> destinationMac,
        ReadOnlySpan<byte> address, ushort sourcePort, ReadOnlySpan<byte> payload)
    {
        destinationMac[..6].CopyTo(frame);
        sourceMac[..6].CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x86DD);

        var ip = frame.Slice(EthernetHeaderLength, Ipv6HeaderLength);
        var udpLength = UdpHeaderLength + payload.Length;
        // Version 6, traffic class 0xC0 (as the IPv4 frame's TOS), flow label 0.
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6C00_0000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)udpLength);
        ip[6] = 17;
        ip[7] = BfdPorts.SingleHopTtl;
        address[..16].CopyTo(ip[8..]);
        address[..16].CopyTo(ip[24..]);

        var udp = frame.Slice(EthernetHeaderLength + Ipv6HeaderLength, udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], BfdPorts.Echo);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        payload.CopyTo(udp[UdpHeaderLength..]);
        // RFC 8200 section 8.1: the pseudo-header is source, destination, upper-layer length (32 bits), three
        // zero bytes and next header; the checksum is mandatory, and a computed zero is sent as all ones.
        uint pseudo = Sum(ip.Slice(8, 32)) + (uint)udpLength + 17u;
        var udpChecksum = Checksum(udp, pseudo);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], udpChecksum == 0 ? (ushort)0xFFFF : udpChecksum);
        return EthernetHeaderLength + Ipv6HeaderLength + udpLength;
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/>, starting from a partial sum.</summary>
    internal static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        var sum = initial + Sum(data);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    internal static uint Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }
        return sum;
    }
}
