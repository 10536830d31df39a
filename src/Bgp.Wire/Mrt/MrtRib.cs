using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Mrt;

//  RIB_IPV4_UNICAST and friends (RFC 6396 4.3.2), RIB_GENERIC (4.3.3), ADD-PATH forms (RFC 8050 4):
//  +---------------------+------------------------------+---------------------+
//  | Sequence Number (4) | [AFI (2) SAFI (1)] generic   | Prefix Length (1)   |
//  +---------------------+------------------------------+---------------------+
//  | Prefix (ceil(len/8))                  | Entry Count (2)  | RIB Entries ... |
//  RIB entry (4.3.4): Peer Index (2) | Originated Time (4) | [Path Identifier (4) ADD-PATH]
//                     | Attribute Length (2) | BGP Attributes (4-octet AS always)
//  RIB_GENERIC_ADDPATH (RFC 8050 4.2) is the exception: the Path Identifier heads the NLRI
//  (Sequence | AFI | SAFI | Path Identifier (4) | Prefix Length | Prefix | Entry Count | entries
//  without a Path Identifier). gobgp and OpenBSD bgpd write it like the other ADDPATH subtypes instead
//  (the Path Identifier in each entry); the decoder takes whichever layout accounts for the record exactly.

/// <summary>One RIB entry of a TABLE_DUMP_V2 record.</summary>
public readonly ref struct MrtRibEntry
{
    internal MrtRibEntry(ushort peerIndex, uint originatedTime, uint? pathId, ReadOnlySpan<byte> attributes)
    {
        PeerIndex = peerIndex;
        OriginatedTime = originatedTime;
        PathId = pathId;
        Attributes = attributes;
    }

    /// <summary>Index into the PEER_INDEX_TABLE.</summary>
    public ushort PeerIndex { get; }

    /// <summary>When the route was received, seconds since 1970-01-01 UTC.</summary>
    public uint OriginatedTime { get; }

    /// <summary>The ADD-PATH path identifier (RFC 8050), when the subtype carries one.</summary>
    public uint? PathId { get; }

    /// <summary>
    /// The path attributes, encoded with 4-octet AS numbers; MP_REACH_NLRI may be in the abbreviated
    /// form of RFC 6396 4.3.4 (next hop only).
    /// </summary>
    public ReadOnlySpan<byte> Attributes { get; }
}

/// <summary>A TABLE_DUMP_V2 RIB record: one prefix and the routes each peer had for it.</summary>
public readonly ref struct MrtRib
{
    private readonly ReadOnlySpan<byte> _entries;

    private MrtRib(uint sequence, ushort afi, byte safi, ReadOnlySpan<byte> nlri, int prefixLength, ushort entryCount, bool addPath, ReadOnlySpan<byte> entries, uint? nlriPathId = null)
    {
        NlriPathId = nlriPathId;
        Sequence = sequence;
        Afi = afi;
        Safi = safi;
        PrefixOctets = nlri;
        PrefixLength = prefixLength;
        EntryCount = entryCount;
        HasPathIds = addPath;
        _entries = entries;
    }

    /// <summary>The record's sequence number.</summary>
    public uint Sequence { get; }

    /// <summary>Address family (1 IPv4, 2 IPv6).</summary>
    public ushort Afi { get; }

    /// <summary>Subsequent address family (1 unicast, 2 multicast, others for RIB_GENERIC).</summary>
    public byte Safi { get; }

    /// <summary>The prefix's significant octets (ceil(<see cref="PrefixLength"/>/8) of them).</summary>
    public ReadOnlySpan<byte> PrefixOctets { get; }

    /// <summary>The prefix length in bits.</summary>
    public int PrefixLength { get; }

    /// <summary>How many entries the record says it holds.</summary>
    public ushort EntryCount { get; }

    /// <summary>Whether entries carry ADD-PATH path identifiers (RFC 8050).</summary>
    public bool HasPathIds { get; }

    /// <summary>
    /// For RIB_GENERIC_ADDPATH laid out as RFC 8050 4.2 says, the Path Identifier at the head of the NLRI
    /// (every entry's <see cref="MrtRibEntry.PathId"/> is this value too); null otherwise.
    /// </summary>
    public uint? NlriPathId { get; }

    /// <summary>Decodes the fixed part of a RIB record of <paramref name="subtype"/>; false with a reason when damaged.</summary>
    public static bool TryDecode(ushort subtype, ReadOnlySpan<byte> body, out MrtRib rib, out string? problem)
    {
        rib = default;
        problem = null;
        ushort afi;
        byte safi;
        var addPath = subtype >= (ushort)TableDumpV2Subtype.RibIpv4UnicastAddPath;
        switch ((TableDumpV2Subtype)subtype)
        {
            case TableDumpV2Subtype.RibIpv4Unicast or TableDumpV2Subtype.RibIpv4UnicastAddPath:
                (afi, safi) = (1, 1);
                break;
            case TableDumpV2Subtype.RibIpv4Multicast or TableDumpV2Subtype.RibIpv4MulticastAddPath:
                (afi, safi) = (1, 2);
                break;
            case TableDumpV2Subtype.RibIpv6Unicast or TableDumpV2Subtype.RibIpv6UnicastAddPath:
                (afi, safi) = (2, 1);
                break;
            case TableDumpV2Subtype.RibIpv6Multicast or TableDumpV2Subtype.RibIpv6MulticastAddPath:
                (afi, safi) = (2, 2);
                break;
            case TableDumpV2Subtype.RibGeneric or TableDumpV2Subtype.RibGenericAddPath:
                (afi, safi) = (0, 0);
                break;
            default:
                problem = $"TABLE_DUMP_V2 subtype {subtype} is not a RIB";
                return false;
        }
        if (body.Length < 5)
        {
            problem = "RIB record shorter than its sequence number and prefix length";
            return false;
        }
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(body);
        var rest = body[4..];
        if (afi == 0)
        {
            if (rest.Length < 4)
            {
                problem = "RIB_GENERIC record shorter than its AFI and SAFI";
                return false;
            }
            afi = BinaryPrimitives.ReadUInt16BigEndian(rest);
            safi = rest[2];
            rest = rest[3..];
        }
        if ((TableDumpV2Subtype)subtype == TableDumpV2Subtype.RibGenericAddPath)
        {
            // RFC 8050 4.2 first; then the layout gobgp and OpenBSD bgpd write (see the top of this file).
            if (rest.Length >= 4
                && TryDecodePrefixAndEntries(sequence, afi, safi, rest[4..], addPath: false, out var rfc, out _)
                && rfc.EntriesFitExactly())
            {
                rib = new MrtRib(sequence, afi, safi, rfc.PrefixOctets, rfc.PrefixLength, rfc.EntryCount, false, rfc._entries, BinaryPrimitives.ReadUInt32BigEndian(rest));
                return true;
            }
            if (TryDecodePrefixAndEntries(sequence, afi, safi, rest, addPath: true, out var inEntries, out _) && inEntries.EntriesFitExactly())
            {
                rib = inEntries;
                return true;
            }
            if (rest.Length < 4)
            {
                problem = "RIB_GENERIC_ADDPATH record shorter than its path identifier";
                return false;
            }
            // Neither layout fits: report the damage as the RFC layout sees it.
            if (!TryDecodePrefixAndEntries(sequence, afi, safi, rest[4..], addPath: false, out rfc, out problem))
            {
                return false;
            }
            rib = new MrtRib(sequence, afi, safi, rfc.PrefixOctets, rfc.PrefixLength, rfc.EntryCount, false, rfc._entries, BinaryPrimitives.ReadUInt32BigEndian(rest));
            return true;
        }
        return TryDecodePrefixAndEntries(sequence, afi, safi, rest, addPath, out rib, out problem);
    }

    private static bool TryDecodePrefixAndEntries(uint sequence, ushort afi, byte safi, ReadOnlySpan<byte> rest, bool addPath, out MrtRib rib, out string? problem)
    {
        rib = default;
        problem = null;
        if (rest.IsEmpty)
        {
            problem = "RIB record ends before its prefix length";
            return false;
        }
        int bits = rest[0];
        var maxBits = afi == 2 ? 128 : afi == 1 ? 32 : 255;
        if (bits > maxBits)
        {
            problem = $"RIB prefix length {bits} is too long for AFI {afi}";
            return false;
        }
        var octets = (bits + 7) / 8;
        if (rest.Length < 1 + octets + 2)
        {
            problem = "RIB record ends inside its prefix";
            return false;
        }
        var prefix = rest.Slice(1, octets);
        var count = BinaryPrimitives.ReadUInt16BigEndian(rest[(1 + octets)..]);
        rib = new MrtRib(sequence, afi, safi, prefix, bits, count, addPath, rest[(3 + octets)..]);
        return true;
    }

    /// <summary>Whether the entries, walked by their count, end exactly where the record does.</summary>
    private bool EntriesFitExactly()
    {
        var rest = _entries;
        var fixedLength = HasPathIds ? 12 : 8;
        for (var i = 0; i < EntryCount; i++)
        {
            if (rest.Length < fixedLength)
            {
                return false;
            }
            var length = fixedLength + BinaryPrimitives.ReadUInt16BigEndian(rest[(fixedLength - 2)..]);
            if (rest.Length < length)
            {
                return false;
            }
            rest = rest[length..];
        }
        return rest.IsEmpty;
    }

    /// <summary>Walks the entries; stops early (with <see cref="Enumerator.Problem"/> set) at a damaged one.</summary>
    public Enumerator GetEnumerator() => new(_entries, EntryCount, HasPathIds, NlriPathId);

    /// <summary>Walks the RIB entries of one record without allocating.</summary>
    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;
        private int _remaining;
        private readonly bool _addPath;
        private readonly uint? _nlriPathId;

        internal Enumerator(ReadOnlySpan<byte> entries, int count, bool addPath, uint? nlriPathId)
        {
            _rest = entries;
            _remaining = count;
            _addPath = addPath;
            _nlriPathId = nlriPathId;
        }

        /// <summary>The entry at the current position.</summary>
        public MrtRibEntry Current { get; private set; }

        /// <summary>Why the walk stopped before the entry count, or null.</summary>
        public string? Problem { get; private set; }

        /// <summary>Moves to the next entry.</summary>
        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }
            var fixedLength = _addPath ? 12 : 8;
            if (_rest.Length < fixedLength)
            {
                Problem = $"RIB entry header truncated with {_remaining} entries left";
                _remaining = 0;
                return false;
            }
            var peer = BinaryPrimitives.ReadUInt16BigEndian(_rest);
            var originated = BinaryPrimitives.ReadUInt32BigEndian(_rest[2..]);
            var pathId = _addPath ? BinaryPrimitives.ReadUInt32BigEndian(_rest[6..]) : _nlriPathId;
            int attributeLength = BinaryPrimitives.ReadUInt16BigEndian(_rest[(fixedLength - 2)..]);
            if (_rest.Length < fixedLength + attributeLength)
            {
                Problem = $"RIB entry attributes run past the record with {_remaining} entries left";
                _remaining = 0;
                return false;
            }
            Current = new MrtRibEntry(peer, originated, pathId, _rest.Slice(fixedLength, attributeLength));
            _rest = _rest[(fixedLength + attributeLength)..];
            _remaining--;
            return true;
        }
    }
}
