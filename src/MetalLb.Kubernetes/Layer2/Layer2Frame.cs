using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>What a received frame asks: an ARP request or a Neighbor Solicitation.</summary>
internal enum Layer2RequestKind
{
    ArpRequest,
    NeighborSolicitation,
}

/// <summary>Why a received frame is not a request we answer; each is counted, none is an error.</summary>
internal enum Layer2Drop
{
    None,
    /// <summary>Shorter than its headers or its own length fields say.</summary>
    Truncated,
    /// <summary>ARP hardware/protocol types or lengths other than Ethernet/IPv4 (6/4); IPv6 payload length or hop limit wrong.</summary>
    BadLength,
    /// <summary>An ARP reply, or ICMPv6 other than a Neighbor Solicitation (the filter lets some through).</summary>
    NotRequest,
    /// <summary>An ICMPv6 checksum that does not verify.</summary>
    BadChecksum,
    /// <summary>An ND option of length zero or running past the packet (RFC 4861 section 4.6).</summary>
    BadOption,
    /// <summary>Sent by this interface (our own replies and gratuitous frames, looped back by the capture).</summary>
    Own,
    /// <summary>Neither ARP nor IPv6 (a VLAN-tagged frame, say).</summary>
    OtherProtocol,
}

/// <summary>A request parsed from a frame: who asks (link and network addresses) and for which address.</summary>
internal readonly record struct Layer2Request(
    Layer2RequestKind Kind,
    IPAddress Target,
    PhysicalAddress SenderMac,
    IPAddress SenderAddress,
    PhysicalAddress EthernetDestination);

/// <summary>
/// Reads the two requests layer 2 mode answers from raw Ethernet frames. Pure code over bytes: the
/// caller captures and sends.
/// <code>
/// Ethernet II:  | dst MAC (6) | src MAC (6) | EtherType (2) | payload
///
/// ARP, RFC 826 (EtherType 0x0806), 28 bytes for Ethernet/IPv4:
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      HTYPE (1 Ethernet)       |     PTYPE (0x0800 IPv4)       |
/// |  HLEN (6)     |  PLEN (4)     |   OPER (1 request, 2 reply)   |
/// |        SHA (6) ... SPA (4) ... THA (6) ... TPA (4)            |
///
/// Neighbor Solicitation, RFC 4861 section 4.3 (IPv6 next header 58, ICMPv6 type 135):
/// | IPv6 header (40): version, payload length, next header 58, hop limit 255, src, dst |
/// |  Type 135 | Code 0 | Checksum | Reserved (4) | Target Address (16) | Options ...    |
/// Option Source Link-Layer Address: | Type 1 | Length 1 (x8 bytes) | MAC (6) |
/// </code>
/// </summary>
internal static class Layer2Frame
{
    public const int EthernetHeader = 14;
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeIpv6 = 0x86DD;
    public const int ArpLength = 28;
    public const int Ipv6Header = 40;
    public const byte Icmpv6 = 58;
    public const byte NeighborSolicitationType = 135;
    public const byte NeighborAdvertisementType = 136;

    /// <summary>Reads <paramref name="frame"/>; false with the reason when it is not a request to answer.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> ownMac, out Layer2Request request, out Layer2Drop drop)
    {
        request = default;
        if (frame.Length < EthernetHeader)
        {
            drop = Layer2Drop.Truncated;
            return false;
        }
        if (frame.Slice(6, 6).SequenceEqual(ownMac))
        {
            drop = Layer2Drop.Own;
            return false;
        }
        var destination = new PhysicalAddress(frame[..6].ToArray());
        var payload = frame[EthernetHeader..];
        switch (BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12, 2)))
        {
            case EtherTypeArp:
                return TryReadArp(payload, destination, out request, out drop);
            case EtherTypeIpv6:
                return TryReadSolicitation(payload, destination, out request, out drop);
            default:
                drop = Layer2Drop.OtherProtocol;
                return false;
        }
    }

    private static bool TryReadArp(ReadOnlySpan<byte> arp, PhysicalAddress destination, out Layer2Request request, out Layer2Drop drop)
    {
        request = default;
        if (arp.Length < 8)
        {
            drop = Layer2Drop.Truncated;
            return false;
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != 0x0800 || arp[4] != 6 || arp[5] != 4)
        {
            drop = Layer2Drop.BadLength;
            return false;
        }
        if (arp.Length < ArpLength)
        {
            drop = Layer2Drop.Truncated;
            return false;
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(arp[6..]) != 1)
        {
            drop = Layer2Drop.NotRequest;
            return false;
        }
        request = new Layer2Request(Layer2RequestKind.ArpRequest, new IPAddress(arp.Slice(24, 4)), new PhysicalAddress(arp.Slice(8, 6).ToArray()),
            new IPAddress(arp.Slice(14, 4)), destination);
        drop = Layer2Drop.None;
        return true;
    }

    private static bool TryReadSolicitation(ReadOnlySpan<byte> packet, PhysicalAddress destination, out Layer2Request request, out Layer2Drop drop)
    {
        request = default;
        if (packet.Length < Ipv6Header)
        {
            drop = Layer2Drop.Truncated;
            return false;
        }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (packet[0] >> 4 != 6 || packet[6] != Icmpv6)
        {
            drop = Layer2Drop.NotRequest;
            return false;
        }
        if (packet.Length < Ipv6Header + payloadLength)
        {
            drop = Layer2Drop.Truncated;
            return false;
        }
        var icmp = packet.Slice(Ipv6Header, payloadLength);
        if (icmp.Length < 1 || icmp[0] != NeighborSolicitationType)
        {
            drop = icmp.Length < 1 ? Layer2Drop.Truncated : Layer2Drop.NotRequest;
            return false;
        }
        // RFC 4861 section 7.1.1: hop limit 255 (never forwarded), code 0, ICMP length 24 or more.
        if (packet[7] != 255 || icmp.Length < 24 || icmp[1] != 0)
        {
            drop = Layer2Drop.BadLength;
            return false;
        }
        var source = packet.Slice(8, 16);
        var ipDestination = packet.Slice(24, 16);
        if (Checksum(source, ipDestination, icmp) != 0)
        {
            drop = Layer2Drop.BadChecksum;
            return false;
        }
        var senderMac = PhysicalAddress.None;
        for (var options = icmp[24..]; options.Length > 0;)
        {
            // Every option has a non-zero length in units of 8 bytes, within the packet (section 4.6).
            if (options.Length < 2 || options[1] == 0 || options[1] * 8 > options.Length)
            {
                drop = Layer2Drop.BadOption;
                return false;
            }
            if (options[0] == 1 && options[1] == 1)
            {
                senderMac = new PhysicalAddress(options.Slice(2, 6).ToArray());
            }
            options = options[(options[1] * 8)..];
        }
        var target = new IPAddress(icmp.Slice(8, 16));
        if (target.IsIPv6Multicast)
        {
            drop = Layer2Drop.BadLength;
            return false;
        }
        request = new Layer2Request(Layer2RequestKind.NeighborSolicitation, target, senderMac, new IPAddress(source), destination);
        drop = Layer2Drop.None;
        return true;
    }

    /// <summary>
    /// The ICMPv6 checksum (RFC 4443 section 2.3) over the pseudo-header (RFC 8200 section 8.1) and
    /// <paramref name="icmp"/>: 0 when a received message verifies; the value to store when its checksum field is 0.
    /// </summary>
    public static ushort Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> icmp)
    {
        ulong sum = 0;
        Add(source);
        Add(destination);
        sum += (uint)icmp.Length;
        sum += Icmpv6;
        Add(icmp);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;

        void Add(ReadOnlySpan<byte> bytes)
        {
            int i = 0;
            for (; i + 1 < bytes.Length; i += 2)
            {
                sum += (uint)((bytes[i] << 8) | bytes[i + 1]);
            }
            if (i < bytes.Length)
            {
                sum += (uint)(bytes[i] << 8);
            }
        }
    }
}
