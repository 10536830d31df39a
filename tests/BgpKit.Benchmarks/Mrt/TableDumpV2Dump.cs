using System.Buffers.Binary;
using BgpKit.Bgp.Wire.IO;
using BgpKit.Bgp.Wire.Mrt;

namespace BgpKit.Benchmarks.Mrt;

/// <summary>
/// Builds a TABLE_DUMP_V2 RIB dump (RFC 6396 4.3) from the corpus's TABLE_DUMP one
/// (bgpdump_bview.20020722.2337.gz, 115,521 routes from one collector in 2002): the corpus holds no large
/// TABLE_DUMP_V2 dump, and this is the shape RIPE RIS and RouteViews write today.
/// </summary>
/// <remarks>
/// Each route keeps its peer (in a PEER_INDEX_TABLE), time and attributes (AS_PATH and AGGREGATOR widened
/// to 4-octet AS, as RFC 6396 4.3.4 requires), and routes of one prefix become the entries of one
/// RIB_IPV4_UNICAST record. <c>peers - 1</c> more peers (192.0.2.k, AS 64500+k) each add a copy of every route
/// with their AS prepended and themselves as NEXT_HOP, so that attribute sets repeat as they do
/// across the peers of a real collector; peers = 4 gives 462,084 entries.
/// </remarks>
internal static class TableDumpV2Dump
{
    public static byte[] Build(byte[] tableDump, int peers)
    {
        var output = new MemoryStream();
        var originalPeers = new List<(uint Address, ushort Asn)>();
        var peerIndex = new Dictionary<(uint, ushort), ushort>();
        var routes = new List<(byte[] Prefix, int Length, ushort Peer, uint Time, byte[] Attributes, uint Timestamp)>();
        using (var reader = new MrtReader(new MemoryStream(tableDump, writable: false)))
        {
            while (reader.TryReadRecord(out var record))
            {
                if (!MrtTableDump.TryDecode(record.Subtype, record.Body.Span, out var entry, out _) || entry.Afi != 1)
                {
                    continue;
                }
                var key = (BinaryPrimitives.ReadUInt32BigEndian(entry.PeerAddress), entry.PeerAsn);
                if (!peerIndex.TryGetValue(key, out var index))
                {
                    index = (ushort)originalPeers.Count;
                    peerIndex[key] = index;
                    originalPeers.Add(key);
                }
                routes.Add((entry.Prefix[..((entry.PrefixLength + 7) / 8)].ToArray(), entry.PrefixLength, index, entry.OriginatedTime, Widen(entry.Attributes), record.Timestamp));
            }
        }
        var timestamp = routes.Count > 0 ? routes[0].Timestamp : 0;

        // PEER_INDEX_TABLE (RFC 6396 4.3.1): collector id, view name, peers (type 2: IPv4 address, 4-octet AS).
        var table = new MemoryStream();
        Write32(table, 0xC0000201);
        Write16(table, 0);
        Write16(table, (ushort)(originalPeers.Count + peers - 1));
        foreach (var (address, asn) in originalPeers)
        {
            table.WriteByte(2);
            Write32(table, address);
            Write32(table, address);
            Write32(table, asn);
        }
        for (var k = 1; k < peers; k++)
        {
            table.WriteByte(2);
            Write32(table, 0xC0000200u + (uint)k);
            Write32(table, 0xC0000200u + (uint)k);
            Write32(table, 64500u + (uint)k);
        }
        WriteRecord(output, timestamp, 1, table.ToArray());

        uint sequence = 0;
        for (var i = 0; i < routes.Count;)
        {
            var end = i + 1;
            while (end < routes.Count && routes[end].Length == routes[i].Length && routes[end].Prefix.AsSpan().SequenceEqual(routes[i].Prefix))
            {
                end++;
            }
            var body = new MemoryStream();
            Write32(body, sequence++);
            body.WriteByte((byte)routes[i].Length);
            body.Write(routes[i].Prefix);
            Write16(body, (ushort)((end - i) * peers));
            for (var k = 0; k < peers; k++)
            {
                for (var r = i; r < end; r++)
                {
                    var route = routes[r];
                    var attributes = k == 0 ? route.Attributes : Prepend(route.Attributes, 64500u + (uint)k, 0xC0000200u + (uint)k);
                    Write16(body, k == 0 ? route.Peer : (ushort)(originalPeers.Count + k - 1));
                    Write32(body, route.Time);
                    Write16(body, (ushort)attributes.Length);
                    body.Write(attributes);
                }
            }
            WriteRecord(output, timestamp, 2, body.ToArray());
            i = end;
        }
        return output.ToArray();
    }

    /// <summary>Compresses as the collectors do: RIPE RIS with gzip, RouteViews with bzip2.</summary>
    public static void Save(byte[] dump, string path)
    {
        using var file = File.Create(path);
        using Stream compressor = path.EndsWith(".bz2", StringComparison.Ordinal)
            ? new ICSharpCode.SharpZipLib.BZip2.BZip2OutputStream(file)
            : new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Optimal);
        compressor.Write(dump);
    }

    public static byte[] Decompress(string path)
    {
        using var input = CompressedInput.OpenFile(path);
        var memory = new MemoryStream();
        input.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>AS_PATH and AGGREGATOR with 2-octet AS numbers -> 4-octet; other attributes as they are.</summary>
    private static byte[] Widen(ReadOnlySpan<byte> attributes)
    {
        var output = new MemoryStream();
        while (attributes.Length >= 3)
        {
            var flags = attributes[0];
            var type = attributes[1];
            var headerLength = (flags & 0x10) != 0 ? 4 : 3;
            int length = headerLength == 4 ? BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]) : attributes[2];
            var value = attributes.Slice(headerLength, length);
            if (type == 2)
            {
                var wide = new MemoryStream();
                while (value.Length >= 2)
                {
                    wide.WriteByte(value[0]);
                    wide.WriteByte(value[1]);
                    for (var a = 0; a < value[1]; a++)
                    {
                        Write32(wide, BinaryPrimitives.ReadUInt16BigEndian(value[(2 + 2 * a)..]));
                    }
                    value = value[(2 + 2 * value[1])..];
                }
                WriteAttribute(output, flags, type, wide.ToArray());
            }
            else if (type == 7 && length == 6)
            {
                var wide = new byte[8];
                BinaryPrimitives.WriteUInt32BigEndian(wide, BinaryPrimitives.ReadUInt16BigEndian(value));
                value[2..].CopyTo(wide.AsSpan(4));
                WriteAttribute(output, flags, type, wide);
            }
            else
            {
                WriteAttribute(output, flags, type, value.ToArray());
            }
            attributes = attributes[(headerLength + length)..];
        }
        return output.ToArray();
    }

    /// <summary>The route as another peer would have sent it: its AS first on the path, itself as NEXT_HOP.</summary>
    private static byte[] Prepend(byte[] attributes, uint asn, uint nextHop)
    {
        var output = new MemoryStream();
        ReadOnlySpan<byte> rest = attributes;
        while (rest.Length >= 3)
        {
            var flags = rest[0];
            var type = rest[1];
            var headerLength = (flags & 0x10) != 0 ? 4 : 3;
            int length = headerLength == 4 ? BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) : rest[2];
            var value = rest.Slice(headerLength, length);
            if (type == 2)
            {
                var path = new MemoryStream();
                path.WriteByte(2);
                path.WriteByte(1);
                Write32(path, asn);
                path.Write(value);
                WriteAttribute(output, flags, type, path.ToArray());
            }
            else if (type == 3 && length == 4)
            {
                var hop = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(hop, nextHop);
                WriteAttribute(output, flags, type, hop);
            }
            else
            {
                WriteAttribute(output, flags, type, value.ToArray());
            }
            rest = rest[(headerLength + length)..];
        }
        return output.ToArray();
    }

    private static void WriteAttribute(Stream output, byte flags, byte type, byte[] value)
    {
        var extended = value.Length > 255;
        output.WriteByte(extended ? (byte)(flags | 0x10) : (byte)(flags & ~0x10));
        output.WriteByte(type);
        if (extended)
        {
            Write16(output, (ushort)value.Length);
        }
        else
        {
            output.WriteByte((byte)value.Length);
        }
        output.Write(value);
    }

    private static void WriteRecord(Stream output, uint timestamp, ushort subtype, byte[] body)
    {
        Write32(output, timestamp);
        Write16(output, (ushort)MrtRecordType.TableDumpV2);
        Write16(output, subtype);
        Write32(output, (uint)body.Length);
        output.Write(body);
    }

    private static void Write16(Stream output, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        output.Write(bytes);
    }

    private static void Write32(Stream output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        output.Write(bytes);
    }
}
