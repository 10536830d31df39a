using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>
/// Builds the frames layer 2 mode sends: ARP replies and gratuitous ARP (RFC 826, RFC 5227 section
/// 3), Neighbor Advertisements solicited and unsolicited (RFC 4861 sections 4.4 and 7.2.6). Each
/// writes a whole Ethernet frame into a span and returns its length.
/// </summary>
internal static class Layer2FrameWriter
{
    /// <summary>Ethernet header plus an Ethernet/IPv4 ARP packet.</summary>
    public const int ArpFrameLength = Layer2Frame.EthernetHeader + Layer2Frame.ArpLength;

    /// <summary>Ethernet, IPv6 and a Neighbor Advertisement with the Target Link-Layer Address option.</summary>
    public const int AdvertisementFrameLength = Layer2Frame.EthernetHeader + Layer2Frame.Ipv6Header + 32;

    private static ReadOnlySpan<byte> Broadcast => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    /// <summary>All-nodes multicast ff02::1 (RFC 4291 section 2.7.1) and its Ethernet mapping 33:33:00:00:00:01.</summary>
    public static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    /// <summary>The ARP reply to <paramref name="request"/>: <paramref name="mac"/> has the requested address.</summary>
    public static int ArpReply(Span<byte> frame, ReadOnlySpan<byte> mac, in Layer2Request request)
    {
        var senderMac = request.SenderMac.GetAddressBytes();
        return Arp(frame, senderMac, mac, 2, request.Target, senderMac, request.SenderAddress);
    }

    /// <summary>
    /// Gratuitous ARP for <paramref name="address"/>, broadcast: a request (<paramref name="reply"/> false)
    /// or a reply; both name the address as sender and target, as MetalLB sends them at takeover.
    /// </summary>
    public static int GratuitousArp(Span<byte> frame, ReadOnlySpan<byte> mac, IPAddress address, bool reply) =>
        Arp(frame, Broadcast, mac, reply ? (ushort)2 : (ushort)1, address, Broadcast, address);

    private static int Arp(Span<byte> frame, ReadOnlySpan<byte> ethernetDestination, ReadOnlySpan<byte> mac, ushort operation,
        IPAddress senderAddress, ReadOnlySpan<byte> targetMac, IPAddress targetAddress)
    {
        if (frame.Length < ArpFrameLength)
        {
            throw new ArgumentException($"an ARP frame needs {ArpFrameLength} bytes", nameof(frame));
        }
        Ethernet(frame, ethernetDestination, mac, Layer2Frame.EtherTypeArp);
        var arp = frame[Layer2Frame.EthernetHeader..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], operation);
        mac.CopyTo(arp[8..]);
        senderAddress.TryWriteBytes(arp[14..], out _);
        targetMac.CopyTo(arp[18..]);
        targetAddress.TryWriteBytes(arp[24..], out _);
        return ArpFrameLength;
    }

    /// <summary>
    /// The Neighbor Advertisement answering <paramref name="request"/> (Solicited and Override set) to the
    /// soliciting node; to all nodes when it solicited from the unspecified address (duplicate address
    /// detection, RFC 4861 section 7.2.4). Its source is the target address itself, as Linux answers for
    /// its own addresses: ndisc6 1.0.5 ignores a link-local-sourced answer about a global target.
    /// </summary>
    public static int SolicitedAdvertisement(Span<byte> frame, ReadOnlySpan<byte> mac, in Layer2Request request)
    {
        bool dad = request.SenderAddress.Equals(IPAddress.IPv6None);
        var destinationMac = request.SenderMac.GetAddressBytes();
        if (dad || destinationMac.Length != 6)
        {
            return Advertisement(frame, mac, request.Target, AllNodes, request.Target, solicited: false);
        }
        return Advertisement(frame, mac, request.Target, request.SenderAddress, request.Target, solicited: true, destinationMac);
    }

    /// <summary>An unsolicited Neighbor Advertisement from <paramref name="target"/> to all nodes (Override set), sent at takeover (RFC 4861 section 7.2.6).</summary>
    public static int UnsolicitedAdvertisement(Span<byte> frame, ReadOnlySpan<byte> mac, IPAddress target) =>
        Advertisement(frame, mac, target, AllNodes, target, solicited: false);

    private static int Advertisement(Span<byte> frame, ReadOnlySpan<byte> mac, IPAddress source, IPAddress destination, IPAddress target, bool solicited,
        ReadOnlySpan<byte> destinationMac = default)
    {
        if (frame.Length < AdvertisementFrameLength)
        {
            throw new ArgumentException($"a Neighbor Advertisement frame needs {AdvertisementFrameLength} bytes", nameof(frame));
        }
        Span<byte> ethernetDestination = stackalloc byte[6];
        if (destinationMac.IsEmpty)
        {
            // RFC 2464 section 7: 33:33 and the low 32 bits of the IPv6 multicast address.
            Span<byte> group = stackalloc byte[16];
            destination.TryWriteBytes(group, out _);
            ethernetDestination[0] = 0x33;
            ethernetDestination[1] = 0x33;
            group[12..].CopyTo(ethernetDestination[2..]);
        }
        else
        {
            destinationMac.CopyTo(ethernetDestination);
        }
        Ethernet(frame, ethernetDestination, mac, Layer2Frame.EtherTypeIpv6);
        var ip = frame[Layer2Frame.EthernetHeader..];
        const int icmpLength = 32;
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], icmpLength);
        ip[6] = Layer2Frame.Icmpv6;
        ip[7] = 255; // RFC 4861 section 7.1.2: receivers drop anything else.
        source.TryWriteBytes(ip[8..], out _);
        destination.TryWriteBytes(ip[24..], out _);
        var icmp = ip.Slice(Layer2Frame.Ipv6Header, icmpLength);
        icmp.Clear();
        icmp[0] = Layer2Frame.NeighborAdvertisementType;
        // R = 0 (not a router), S = solicited, O = 1: our MAC replaces whatever the cache holds.
        icmp[4] = (byte)((solicited ? 0x40 : 0) | 0x20);
        target.TryWriteBytes(icmp[8..], out _);
        icmp[24] = 2; // Target Link-Layer Address
        icmp[25] = 1;
        mac.CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Layer2Frame.Checksum(ip.Slice(8, 16), ip.Slice(24, 16), icmp));
        return AdvertisementFrameLength;
    }

    private static void Ethernet(Span<byte> frame, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source, ushort etherType)
    {
        destination.CopyTo(frame);
        source.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }

    /// <summary>The solicited-node multicast group of <paramref name="address"/>: ff02::1:ffXX:XXXX (RFC 4291 section 2.7.1).</summary>
    public static IPAddress SolicitedNode(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        Span<byte> group = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, bytes[13], bytes[14], bytes[15]];
        return new IPAddress(group);
    }
}
