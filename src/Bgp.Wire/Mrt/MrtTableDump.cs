using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Mrt;

//  TABLE_DUMP (RFC 6396 4.2); subtype 1 = AFI_IPv4, 2 = AFI_IPv6:
//  +-----------------+-----------------+-------------------------+
//  | View Number (2) | Sequence (2)    | Prefix (4 or 16)        |
//  +-----------------+--------+--------+-------------------------+
//  | Prefix Length (1)        | Status (1) | Originated Time (4)  |
//  +--------------------------+----------------------------------+
//  | Peer IP (4 or 16)        | Peer AS (2) | Attribute Length (2) |
//  +--------------------------+----------------------------------+
//  | BGP Attributes (2-octet AS numbers)                          |

/// <summary>A TABLE_DUMP record: one route of one peer (RFC 6396 4.2), with 2-octet AS numbers.</summary>
public readonly ref struct MrtTableDump
{
    /// <summary>The view number.</summary>
    public ushort View { get; private init; }

    /// <summary>The sequence number.</summary>
    public ushort Sequence { get; private init; }

    /// <summary>Address family (1 IPv4, 2 IPv6).</summary>
    public ushort Afi { get; private init; }

    /// <summary>The prefix address (4 or 16 octets, all of them).</summary>
    public ReadOnlySpan<byte> Prefix { get; private init; }

    /// <summary>The prefix length in bits.</summary>
    public int PrefixLength { get; private init; }

    /// <summary>The status octet (unused, 1).</summary>
    public byte Status { get; private init; }

    /// <summary>When the route was received, seconds since 1970-01-01 UTC.</summary>
    public uint OriginatedTime { get; private init; }

    /// <summary>The peer's address (4 or 16 octets).</summary>
    public ReadOnlySpan<byte> PeerAddress { get; private init; }

    /// <summary>The peer's AS.</summary>
    public ushort PeerAsn { get; private init; }

    /// <summary>The path attributes, with 2-octet AS numbers.</summary>
    public ReadOnlySpan<byte> Attributes { get; private init; }

    /// <summary>Decodes a TABLE_DUMP body; false with a reason when it is damaged.</summary>
    public static bool TryDecode(ushort subtype, ReadOnlySpan<byte> body, out MrtTableDump entry, out string? problem)
    {
        entry = default;
        problem = null;
        var addressLength = subtype switch { 1 => 4, 2 => 16, _ => 0 };
        if (addressLength == 0)
        {
            problem = $"TABLE_DUMP subtype {subtype} is not AFI_IPv4 or AFI_IPv6";
            return false;
        }
        var fixedLength = 4 + addressLength + 2 + 4 + addressLength + 4;
        if (body.Length < fixedLength)
        {
            problem = "TABLE_DUMP record shorter than its fixed fields";
            return false;
        }
        var prefixLength = body[4 + addressLength];
        if (prefixLength > addressLength * 8)
        {
            problem = $"TABLE_DUMP prefix length {prefixLength} is too long";
            return false;
        }
        var peerAt = 4 + addressLength + 6;
        var afterPeer = peerAt + addressLength;
        int attributeLength = BinaryPrimitives.ReadUInt16BigEndian(body[(afterPeer + 2)..]);
        if (body.Length < fixedLength + attributeLength)
        {
            problem = "TABLE_DUMP attributes run past the record";
            return false;
        }
        entry = new MrtTableDump
        {
            View = BinaryPrimitives.ReadUInt16BigEndian(body),
            Sequence = BinaryPrimitives.ReadUInt16BigEndian(body[2..]),
            Afi = (ushort)subtype,
            Prefix = body.Slice(4, addressLength),
            PrefixLength = prefixLength,
            Status = body[5 + addressLength],
            OriginatedTime = BinaryPrimitives.ReadUInt32BigEndian(body[(6 + addressLength)..]),
            PeerAddress = body.Slice(peerAt, addressLength),
            PeerAsn = BinaryPrimitives.ReadUInt16BigEndian(body[afterPeer..]),
            Attributes = body.Slice(fixedLength, attributeLength),
        };
        return true;
    }
}
