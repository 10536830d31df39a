using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Capture;

/// <summary>An IP datagram's addresses and transport payload, found inside any tunnels.</summary>
internal ref struct IpDatagram
{
    public ReadOnlySpan<byte> Source;
    public ReadOnlySpan<byte> Destination;
    public byte Protocol;
    public ReadOnlySpan<byte> Payload;
}

/// <summary>Why a frame carried no usable transport payload.</summary>
internal enum NetworkSkip
{
    None,
    NotIp,
    Truncated,
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

    public static NetworkSkip TryDecode(ushort etherType, ReadOnlySpan<byte> payload, out IpDatagram result)
    {
        result = default;
        var skip = Walk(etherType, payload, out var source, out var destination, out var protocol, out var transport);
        if (skip == NetworkSkip.None)
        {
            result.Source = source;
            result.Destination = destination;
            result.Protocol = protocol;
            result.Payload = transport;
        }
        return skip;
    }

    private static NetworkSkip Walk(ushort etherType, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> outSource, out ReadOnlySpan<byte> outDestination, out byte outProtocol, out ReadOnlySpan<byte> outTransport)
    {
        var skip = WalkLocal(etherType, payload, out var source, out var destination, out var protocol, out var transport);
        outSource = source;
        outDestination = destination;
        outProtocol = protocol;
        outTransport = transport;
        return skip;
    }

    private static NetworkSkip WalkLocal(ushort etherType, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> outSource, out ReadOnlySpan<byte> outDestination, out byte outProtocol, out ReadOnlySpan<byte> outTransport)
    {
        outSource = default;
        outDestination = default;
        outProtocol = 0;
        outTransport = default;
        ReadOnlySpan<byte> source = default;
        ReadOnlySpan<byte> destination = default;
        byte protocol = 0;
        ReadOnlySpan<byte> transport = default;
        for (var depth = 0; depth < MaxNesting; depth++)
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
                        _ => (ushort)0,
                    };
                    if (etherType == 0)
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
                        var skip = TryIpv4(payload, out source, out destination, out protocol, out transport);
                        if (skip != NetworkSkip.None)
                        {
                            return skip;
                        }
                        break;
                    }
                case LinkLayer.EtherTypeIpv6:
                    {
                        var skip = TryIpv6(payload, out source, out destination, out protocol, out transport);
                        if (skip != NetworkSkip.None)
                        {
                            return skip;
                        }
                        break;
                    }
                default:
                    return NetworkSkip.NotIp;
            }

            // An IP datagram: stop at TCP/UDP, or step into a tunnel.
            switch (protocol)
            {
                case 4:
                    etherType = LinkLayer.EtherTypeIpv4;
                    payload = transport;
                    continue;
                case 41:
                    etherType = LinkLayer.EtherTypeIpv6;
                    payload = transport;
                    continue;
                case 47:
                    if (!TryGre(transport, out etherType, out payload))
                    {
                        return NetworkSkip.Truncated;
                    }
                    continue;
                default:
                    outSource = source;
                    outDestination = destination;
                    outProtocol = protocol;
                    outTransport = transport;
                    return NetworkSkip.None;
            }
        }
        return NetworkSkip.NotIp;
    }

    //  IPv4 (RFC 791): version/IHL (1) | TOS (1) | total length (2) | id (2) | flags/fragment offset (2) |
    //  TTL (1) | protocol (1) | checksum (2) | source (4) | destination (4) | options | payload
    private static NetworkSkip TryIpv4(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> source, out ReadOnlySpan<byte> destination, out byte protocol, out ReadOnlySpan<byte> transport)
    {
        source = default;
        destination = default;
        protocol = 0;
        transport = default;
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
        // Fragments are not reassembled (BGP speakers set DF and TCP segments fit the MTU); a first
        // fragment still holds the transport header and the start of its data, so it is kept.
        var fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        if ((fragment & 0x1fff) != 0)
        {
            return NetworkSkip.Fragment;
        }
        protocol = packet[9];
        source = packet.Slice(12, 4);
        destination = packet.Slice(16, 4);
        transport = packet[headerLength..end];
        return NetworkSkip.None;
    }

    //  IPv6 (RFC 8200): version/class/flow (4) | payload length (2) | next header (1) | hop limit (1) |
    //  source (16) | destination (16) | extension headers | payload
    private static NetworkSkip TryIpv6(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> source, out ReadOnlySpan<byte> destination, out byte protocol, out ReadOnlySpan<byte> transport)
    {
        source = default;
        destination = default;
        protocol = 0;
        transport = default;
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
        var next = packet[6];
        var rest = packet[40..end];
        source = packet.Slice(8, 16);
        destination = packet.Slice(24, 16);
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
                case 44:  // fragment
                    if (rest.Length < 8)
                    {
                        return NetworkSkip.Truncated;
                    }
                    var offsetAndMore = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
                    if (offsetAndMore != 0)
                    {
                        return NetworkSkip.Fragment;
                    }
                    // An atomic fragment (RFC 6946) is a whole datagram.
                    next = rest[0];
                    rest = rest[8..];
                    continue;
                default:
                    protocol = next;
                    transport = rest;
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
