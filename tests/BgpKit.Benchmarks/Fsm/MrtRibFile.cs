using System.Buffers.Binary;

namespace BgpKit.Benchmarks.Fsm;

/// <summary>
/// Writes an MRT TABLE_DUMP_V2 file (RFC 6396 section 4.3) of IPv4 /32 routes with one attribute set, for
/// <c>gobgp mrt inject global FILE</c>: GoBGP's fastest way to load many routes into its global RIB.
/// </summary>
internal static class MrtRibFile
{
    private const ushort TableDumpV2 = 13;
    private const ushort PeerIndexTable = 1;
    private const ushort RibIPv4Unicast = 2;

    /// <summary>Writes <paramref name="count"/> consecutive /32 routes from <paramref name="first"/> (host order), community <paramref name="asn"/>:1.</summary>
    public static void Write(string path, uint first, int count, ushort asn)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        // PEER_INDEX_TABLE: collector id, empty view name, one peer (IPv4 address, 4-octet AS).
        Span<byte> peers = stackalloc byte[4 + 2 + 2 + 1 + 4 + 4 + 4];
        BinaryPrimitives.WriteUInt32BigEndian(peers, 0x7F000001);
        BinaryPrimitives.WriteUInt16BigEndian(peers[4..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(peers[6..], 1);
        peers[8] = 0b10;
        BinaryPrimitives.WriteUInt32BigEndian(peers[9..], 0x7F000001);
        BinaryPrimitives.WriteUInt32BigEndian(peers[13..], 0x7F000001);
        BinaryPrimitives.WriteUInt32BigEndian(peers[17..], asn);
        WriteRecord(file, PeerIndexTable, peers);

        // Locally originated: ORIGIN IGP, empty AS_PATH (GoBGP prepends its AS towards an eBGP peer), NEXT_HOP, COMMUNITIES.
        ReadOnlySpan<byte> attributes =
        [
            0x40, 1, 1, 0,
            0x40, 2, 0,
            0x40, 3, 4, 127, 0, 0, 1,
            0xC0, 8, 4, (byte)(asn >> 8), (byte)asn, 0, 1,
        ];
        Span<byte> rib = stackalloc byte[4 + 1 + 4 + 2 + 2 + 4 + 2 + attributes.Length];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(rib, (uint)i);
            rib[4] = 32;
            BinaryPrimitives.WriteUInt32BigEndian(rib[5..], first + (uint)i);
            BinaryPrimitives.WriteUInt16BigEndian(rib[9..], 1);
            BinaryPrimitives.WriteUInt16BigEndian(rib[11..], 0);
            BinaryPrimitives.WriteUInt32BigEndian(rib[13..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(rib[17..], (ushort)attributes.Length);
            attributes.CopyTo(rib[19..]);
            WriteRecord(file, RibIPv4Unicast, rib);
        }
        // The gobgp 3.10 CLI drops the last few hundred entries of an injection (the end of its gRPC stream never
        // reaches gobgpd). Repeating the first route pads that tail: a repeat is the same path, no new prefix.
        for (var i = 0; i < 2000; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(rib, (uint)(count + i));
            BinaryPrimitives.WriteUInt32BigEndian(rib[5..], first);
            WriteRecord(file, RibIPv4Unicast, rib);
        }
    }

    private static void WriteRecord(Stream file, ushort subtype, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], TableDumpV2);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], subtype);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)body.Length);
        file.Write(header);
        file.Write(body);
    }
}
