using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Capture;

/// <summary>
/// An IP datagram's addresses and transport payload, found inside any tunnels; or, when the walk
/// stopped at a fragment, that fragment's identification, offset and data.
/// </summary>
internal ref struct IpDatagram
{
    public ReadOnlySpan<byte> Source;
    public ReadOnlySpan<byte> Destination;
    /// <summary>The transport protocol; for an IPv6 fragment, the Next Header of its Fragment header.</summary>
    public byte Protocol;
    /// <summary>The transport payload; for a fragment, the fragment's data.</summary>
    public ReadOnlySpan<byte> Payload;
    public bool IsIpv6;
    public uint FragmentId;
    /// <summary>Where the fragment's data begins in the original datagram's payload, in octets.</summary>
    public int FragmentOffset;
    public bool MoreFragments;
    /// <summary>The fragment was cut by the capture's snap length (or its length is unknown): it cannot be placed.</summary>
    public bool Cut;
}

/// <summary>Why a frame carried no usable transport payload.</summary>
internal enum NetworkSkip
{
    None,
    NotIp,
    Truncated,
    /// <summary>The datagram is a fragment: <see cref="IpDatagram"/> holds it for reassembly.</summary>
    Fragment,
}

/// <summary>
/// Walks from a network payload (named by an EtherType) through MPLS, PPPoE, GRE and IP-in-IP to
/// the innermost IPv4 or IPv6 datagram, then past IPv6 extension headers to TCP or UDP.
/// </summary>
internal static class NetworkLayer
{
    internal const byte ProtocolTcp = 6;
    internal const byte ProtocolUdp = 17;
    private const int MaxNesting = 6;
    private const ushort NoEtherType = 0;

    public static NetworkSkip TryDecode(ushort etherType, ReadOnlySpan<byte> payload, out IpDatagram result) =>
        Walk(etherType, payload, default, out result);

    /// <summary>
    /// Continues the walk with a reassembled datagram: its IPv6 extension headers (after the Fragment
    /// header), then any tunnel it carries.
    /// </summary>
    public static NetworkSkip TryDecodeReassembled(ReassembledDatagram datagram, out IpDatagram result)
    {
        var ip = new IpDatagram { Source = datagram.Source, Destination = datagram.Destination, IsIpv6 = datagram.IsIpv6 };
        if (datagram.IsIpv6)
        {
            var skip = WalkIpv6Extensions(datagram.Protocol, datagram.Payload, ref ip);
            if (skip != NetworkSkip.None)
            {
                result = ip;
                return skip;
            }
        }
        else
        {
            ip.Protocol = datagram.Protocol;
            ip.Payload = datagram.Payload;
        }
        return Walk(NoEtherType, default, ip, out result);
    }

    /// <summary>Starts at <paramref name="etherType"/>, or, when it is <see cref="NoEtherType"/>, at the IP datagram <paramref name="start"/>.</summary>
    private static NetworkSkip Walk(ushort etherType, ReadOnlySpan<byte> payload, IpDatagram start, out IpDatagram result)
    {
        result = default;
        var ip = start;
        var haveIp = etherType == NoEtherType;
        for (var depth = 0; depth < MaxNesting; depth++)
        {
            if (!haveIp)
            {
                switch (etherType)
                {
                    case LinkLayer.EtherTypeGuessIp:
                        if (payload.IsEmpty)
                        {
                            return NetworkSkip.Truncated;
                        }
                        etherType = (payload[0] >> 4) switch
                        {
                            4 => LinkLayer.EtherTypeIpv4,
                            6 => LinkLayer.EtherTypeIpv6,
                            _ => NoEtherType,
                        };
                        if (etherType == NoEtherType)
                        {
                            return NetworkSkip.NotIp;
                        }
                        continue;
                    case LinkLayer.EtherTypeMplsUnicast:
                    case LinkLayer.EtherTypeMplsMulticast:
                        // RFC 3032: 4-octet label stack entries until the bottom-of-stack bit; the payload's
                        // first nibble tells IPv4 from IPv6 (there is no explicit type).
                        while (true)
                        {
                            if (payload.Length < 4)
                            {
                                return NetworkSkip.Truncated;
                            }
                            var bottom = (payload[2] & 1) != 0;
                            payload = payload[4..];
                            if (bottom)
                            {
                                break;
                            }
                        }
                        etherType = LinkLayer.EtherTypeGuessIp;
                        continue;
                    case LinkLayer.EtherTypePppoeSession:
                        // RFC 2516: version/type (1), code (1), session (2), length (2), then a PPP protocol.
                        if (payload.Length < 8 || !LinkLayer.TryPppProtocol(BinaryPrimitives.ReadUInt16BigEndian(payload[6..]), out etherType))
                        {
                            return NetworkSkip.NotIp;
                        }
                        payload = payload[8..];
                        continue;
                    case LinkLayer.EtherTypeTransparentBridging:
                        if (!LinkLayer.TryStripEthernet(payload, out etherType, out payload))
                        {
                            return NetworkSkip.Truncated;
                        }
                        continue;
                    case LinkLayer.EtherTypeIpv4:
                        {
                            ip = default;
                            var skip = TryIpv4(payload, ref ip);
                            if (skip != NetworkSkip.None)
                            {
                                result = ip;
                                return skip;
                            }
                            break;
                        }
                    case LinkLayer.EtherTypeIpv6:
                        {
                            ip = default;
                            var skip = TryIpv6(payload, ref ip);
                            if (skip != NetworkSkip.None)
                            {
                                result = ip;
                                return skip;
                            }
                            break;
                        }
                    default:
                        return NetworkSkip.NotIp;
                }
            }
            haveIp = false;

            // An IP datagram: stop at TCP/UDP, or step into a tunnel.
            switch (ip.Protocol)
            {
                case 4:
                    etherType = LinkLayer.EtherTypeIpv4;
                    payload = ip.Payload;
                    continue;
                case 41:
                    etherType = LinkLayer.EtherTypeIpv6;
                    payload = ip.Payload;
                    continue;
                case 47:
                    if (!TryGre(ip.Payload, out etherType, out payload))
                    {
                        return NetworkSkip.Truncated;
                    }
                    continue;
                default:
                    result = ip;
                    return NetworkSkip.None;
            }
        }
        return NetworkSkip.NotIp;
    }

    //  IPv4 (RFC 791): version/IHL (1) | TOS (1) | total length (2) | id (2) | flags/fragment offset (2) |
    //  TTL (1) | protocol (1) | checksum (2) | source (4) | destination (4) | options | payload
    private static NetworkSkip TryIpv4(ReadOnlySpan<byte> packet, ref IpDatagram ip)
    {
        if (packet.Length < 20 || packet[0] >> 4 != 4)
        {
            return packet.Length < 20 ? NetworkSkip.Truncated : NetworkSkip.NotIp;
        }
        var headerLength = (packet[0] & 0x0f) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (headerLength < 20 || packet.Length < headerLength)
        {
            return NetworkSkip.Truncated;
        }
        // TSO captures record a zero total length; then the captured length is all we have.
        var end = totalLength == 0 ? packet.Length : Math.Min(totalLength, packet.Length);
        if (end < headerLength)
        {
            return NetworkSkip.Truncated;
        }
        ip.Protocol = packet[9];
        ip.Source = packet.Slice(12, 4);
        ip.Destination = packet.Slice(16, 4);
        ip.Payload = packet[headerLength..end];
        // Flags (3 bits: reserved, DF, MF) and the offset in 8-octet units (13 bits).
        var fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        if ((fragment & 0x3fff) != 0)
        {
            // A fragment cut by the snap length (or of unknown length) cannot be placed.
            ip.Cut = totalLength == 0 || end < totalLength;
            ip.FragmentId = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
            ip.FragmentOffset = (fragment & 0x1fff) * 8;
            ip.MoreFragments = (fragment & 0x2000) != 0;
            return NetworkSkip.Fragment;
        }
        return NetworkSkip.None;
    }

    //  IPv6 (RFC 8200): version/class/flow (4) | payload length (2) | next header (1) | hop limit (1) |
    //  source (16) | destination (16) | extension headers | payload
    private static NetworkSkip TryIpv6(ReadOnlySpan<byte> packet, ref IpDatagram ip)
    {
        if (packet.Length < 40)
        {
            return NetworkSkip.Truncated;
        }
        if (packet[0] >> 4 != 6)
        {
            return NetworkSkip.NotIp;
        }
        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        var end = payloadLength == 0 ? packet.Length : Math.Min(40 + payloadLength, packet.Length);
        ip.IsIpv6 = true;
        ip.Source = packet.Slice(8, 16);
        ip.Destination = packet.Slice(24, 16);
        var skip = WalkIpv6Extensions(packet[6], packet[40..end], ref ip);
        ip.Cut = skip == NetworkSkip.Fragment && (payloadLength == 0 || end < 40 + payloadLength);
        return skip;
    }

    /// <summary>Steps over IPv6 extension headers from <paramref name="next"/> to the transport, or stops at a Fragment header.</summary>
    private static NetworkSkip WalkIpv6Extensions(byte next, ReadOnlySpan<byte> rest, ref IpDatagram ip)
    {
        for (var i = 0; i < 16; i++)
        {
            switch (next)
            {
                case 0:   // hop-by-hop options
                case 43:  // routing
                case 60:  // destination options
                case 135: // mobility
                    if (rest.Length < 8)
                    {
                        return NetworkSkip.Truncated;
                    }
                    var length = (rest[1] + 1) * 8;
                    if (rest.Length < length)
                    {
                        return NetworkSkip.Truncated;
                    }
                    next = rest[0];
                    rest = rest[length..];
                    continue;
                case 51:  // authentication header (RFC 4302): length in 4-octet units minus 2
                    if (rest.Length < 8)
                    {
                        return NetworkSkip.Truncated;
                    }
                    var ahLength = (rest[1] + 2) * 4;
                    if (rest.Length < ahLength)
                    {
                        return NetworkSkip.Truncated;
                    }
                    next = rest[0];
                    rest = rest[ahLength..];
                    continue;
                case 44:  // fragment: next header (1) | reserved (1) | offset (13 bits), reserved (2), M (1) | id (4)
                    if (rest.Length < 8)
                    {
                        return NetworkSkip.Truncated;
                    }
                    var offsetAndMore = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
                    if ((offsetAndMore & 0xfff9) != 0)
                    {
                        ip.Protocol = rest[0];
                        ip.FragmentId = BinaryPrimitives.ReadUInt32BigEndian(rest[4..]);
                        ip.FragmentOffset = offsetAndMore & 0xfff8;
                        ip.MoreFragments = (offsetAndMore & 1) != 0;
                        ip.Payload = rest[8..];
                        return NetworkSkip.Fragment;
                    }
                    // An atomic fragment (RFC 6946) is a whole datagram.
                    next = rest[0];
                    rest = rest[8..];
                    continue;
                default:
                    ip.Protocol = next;
                    ip.Payload = rest;
                    return NetworkSkip.None;
            }
        }
        return NetworkSkip.NotIp;
    }

    //  GRE (RFC 2784, 2890): C|R|K|S flags and version (2) | protocol type (2) | [checksum+reserved (4)]
    //  | [key (4)] | [sequence (4)] | payload
    private static bool TryGre(ReadOnlySpan<byte> packet, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        if (packet.Length < 4)
        {
            return false;
        }
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var length = 4;
        if ((flags & 0xC000) != 0)
        {
            length += 4;
        }
        if ((flags & 0x2000) != 0)
        {
            length += 4;
        }
        if ((flags & 0x1000) != 0)
        {
            length += 4;
        }
        if (packet.Length < length)
        {
            return false;
        }
        etherType = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        payload = packet[length..];
        return true;
    }
}
