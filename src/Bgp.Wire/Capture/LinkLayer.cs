using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Capture;

/// <summary>
/// Strips link-layer headers down to a network-layer payload named by an EtherType. Knows nothing of
/// IP; <see cref="NetworkLayer"/> takes it from there.
/// </summary>
internal static class LinkLayer
{
    internal const ushort EtherTypeIpv4 = 0x0800;
    internal const ushort EtherTypeIpv6 = 0x86DD;
    internal const ushort EtherTypeMplsUnicast = 0x8847;
    internal const ushort EtherTypeMplsMulticast = 0x8848;
    internal const ushort EtherTypeVlan = 0x8100;
    internal const ushort EtherTypeQinQ = 0x88A8;
    internal const ushort EtherTypeQinQOld = 0x9100;
    internal const ushort EtherTypePppoeSession = 0x8864;
    internal const ushort EtherTypeTransparentBridging = 0x6558;

    /// <summary>A pseudo EtherType: raw IP whose version the first nibble tells.</summary>
    internal const ushort EtherTypeGuessIp = 0xFFFF;

    /// <summary>
    /// Finds the network payload of a frame of <paramref name="linkType"/>. False when the link type is not
    /// supported or the frame is too short for its own header.
    /// </summary>
    public static bool TryStrip(int linkType, ReadOnlySpan<byte> frame, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        switch ((CaptureLinkType)linkType)
        {
            case CaptureLinkType.Ethernet:
                return TryStripEthernet(frame, out etherType, out payload);
            case CaptureLinkType.Null:
            case CaptureLinkType.Loop:
                // The address family is in the writer's byte order (and its values differ by OS for IPv6),
                // so the IP version nibble is the reliable witness.
                return Guess(frame, 4, out etherType, out payload);
            case CaptureLinkType.Raw:
            case CaptureLinkType.RawBsd:
            case CaptureLinkType.RawOpenBsd:
                return Guess(frame, 0, out etherType, out payload);
            case CaptureLinkType.Ipv4:
                etherType = EtherTypeIpv4;
                payload = frame;
                return true;
            case CaptureLinkType.Ipv6:
                etherType = EtherTypeIpv6;
                payload = frame;
                return true;
            case CaptureLinkType.LinuxSll:
                // packet type (2), ARPHRD (2), address length (2), address (8), protocol (2)
                return TryEtherTypeAt(frame, 14, 16, out etherType, out payload);
            case CaptureLinkType.LinuxSll2:
                // protocol (2), reserved (2), ifindex (4), ARPHRD (2), packet type (1), address length (1), address (8)
                return TryEtherTypeAt(frame, 0, 20, out etherType, out payload);
            case CaptureLinkType.Ppp:
            case CaptureLinkType.PppHdlc:
                return TryStripPpp(frame, out etherType, out payload);
            case CaptureLinkType.CiscoHdlc:
                // address (1), control (1), protocol (2, an EtherType)
                return TryEtherTypeAt(frame, 2, 4, out etherType, out payload);
            case CaptureLinkType.FrameRelay:
                return TryStripFrameRelay(frame, out etherType, out payload);
            case CaptureLinkType.JuniperEthernet:
                return TryStripJuniper(frame, out etherType, out payload);
            default:
                return false;
        }
    }

    //  Ethernet II: destination (6) | source (6) | [802.1Q/802.1ad tag (4)]* | EtherType (2) | payload
    //  An EtherType below 0x0600 is an 802.3 length; only LLC/SNAP (AA AA 03, OUI, type) is followed.
    internal static bool TryStripEthernet(ReadOnlySpan<byte> frame, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        var offset = 12;
        while (true)
        {
            if (frame.Length < offset + 2)
            {
                return false;
            }
            var type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
            if (type is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld)
            {
                offset += 4;
                continue;
            }
            if (type < 0x0600)
            {
                var llc = frame[(offset + 2)..];
                if (llc.Length >= 8 && llc[0] == 0xAA && llc[1] == 0xAA && llc[2] == 0x03)
                {
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(llc[6..]);
                    payload = llc[8..];
                    return true;
                }
                return false;
            }
            etherType = type;
            payload = frame[(offset + 2)..];
            return true;
        }
    }

    /// <summary>Maps a PPP protocol number (RFC 1661, 1332, 5072, 3032) to an EtherType.</summary>
    internal static bool TryPppProtocol(ushort protocol, out ushort etherType)
    {
        etherType = protocol switch
        {
            0x0021 => EtherTypeIpv4,
            0x0057 => EtherTypeIpv6,
            0x0281 => EtherTypeMplsUnicast,
            0x0283 => EtherTypeMplsMulticast,
            _ => 0,
        };
        return etherType != 0;
    }

    private static bool TryStripPpp(ReadOnlySpan<byte> frame, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        // Some routers log Cisco HDLC frames under the PPP link type; their address octet gives them away.
        if (frame.Length >= 4 && (frame[0] == 0x0F || frame[0] == 0x8F) && frame[1] == 0x00)
        {
            return TryEtherTypeAt(frame, 2, 4, out etherType, out payload);
        }
        if (frame.Length >= 2 && frame[0] == 0xFF && frame[1] == 0x03)
        {
            frame = frame[2..];
        }
        if (frame.IsEmpty)
        {
            return false;
        }
        ushort protocol;
        // Protocol-field compression (RFC 1661 6.5): an odd first octet is a one-octet protocol.
        if ((frame[0] & 1) == 1)
        {
            protocol = frame[0];
            frame = frame[1..];
        }
        else
        {
            if (frame.Length < 2)
            {
                return false;
            }
            protocol = BinaryPrimitives.ReadUInt16BigEndian(frame);
            frame = frame[2..];
        }
        if (!TryPppProtocol(protocol, out etherType))
        {
            return false;
        }
        payload = frame;
        return true;
    }

    //  Frame Relay: Q.922 address (2) then either RFC 2427 (control 0x03, NLPID 0xCC IPv4 / 0x8E IPv6 /
    //  0x80 SNAP) or Cisco's encapsulation (an EtherType right after the address).
    private static bool TryStripFrameRelay(ReadOnlySpan<byte> frame, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        if (frame.Length < 4)
        {
            return false;
        }
        var rest = frame[2..];
        if (rest[0] == 0x03)
        {
            var nlpid = rest[1];
            var offset = 2;
            if (nlpid == 0x00 && rest.Length > 2)
            {
                nlpid = rest[2];
                offset = 3;
            }
            switch (nlpid)
            {
                case 0xCC:
                    etherType = EtherTypeIpv4;
                    payload = rest[offset..];
                    return true;
                case 0x8E:
                    etherType = EtherTypeIpv6;
                    payload = rest[offset..];
                    return true;
                case 0x80 when rest.Length >= offset + 6:
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(rest[(offset + 4)..]);
                    payload = rest[(offset + 6)..];
                    return true;
                default:
                    return false;
            }
        }
        etherType = BinaryPrimitives.ReadUInt16BigEndian(rest);
        payload = rest[2..];
        return true;
    }

    //  Juniper pseudo-header: magic "MGC" (3) | flags (1) | [extension length (2) | TLVs] | L2 frame.
    //  Flag 0x80: extensions present; flag 0x02: the L2 header was stripped (4 octets of cookie, then IP).
    private static bool TryStripJuniper(ReadOnlySpan<byte> frame, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        if (frame.Length < 4 || frame[0] != 0x4d || frame[1] != 0x47 || frame[2] != 0x43)
        {
            return false;
        }
        var flags = frame[3];
        var offset = 4;
        if ((flags & 0x80) != 0)
        {
            if (frame.Length < 6)
            {
                return false;
            }
            offset += 2 + BinaryPrimitives.ReadUInt16BigEndian(frame[4..]);
        }
        if (frame.Length < offset)
        {
            return false;
        }
        if ((flags & 0x02) != 0)
        {
            return Guess(frame, offset + 4, out etherType, out payload);
        }
        return TryStripEthernet(frame[offset..], out etherType, out payload);
    }

    private static bool TryEtherTypeAt(ReadOnlySpan<byte> frame, int typeOffset, int headerLength, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        if (frame.Length < headerLength)
        {
            return false;
        }
        etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[typeOffset..]);
        payload = frame[headerLength..];
        return true;
    }

    private static bool Guess(ReadOnlySpan<byte> frame, int offset, out ushort etherType, out ReadOnlySpan<byte> payload)
    {
        etherType = 0;
        payload = default;
        if (frame.Length <= offset)
        {
            return false;
        }
        etherType = EtherTypeGuessIp;
        payload = frame[offset..];
        return true;
    }
}
