using System.Buffers.Binary;
using System.IO.Compression;
using BgpKit.Bgp.Wire.IO;
using BgpKit.Bgp.Wire.Mrt;
using BgpKit.TestSupport;
using ICSharpCode.SharpZipLib.BZip2;

namespace BgpKit.Bgp.Wire.Tests.Mrt;

public class MrtReaderTests
{
    internal static byte[] Record(uint timestamp, ushort type, ushort subtype, byte[] body)
    {
        var record = new byte[12 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(record, timestamp);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(6), subtype);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(8), (uint)body.Length);
        body.CopyTo(record, 12);
        return record;
    }

    private static readonly byte[] Dump =
    [
        .. Record(1000, 16, 0, [0xFD, 0xE8, 0xFD, 0xE9, 0, 0, 0, 1, 10, 0, 0, 1, 10, 0, 0, 2, 0, 1, 0, 2]),
        .. Record(1001, 17, 4, [0, 0, 0x01, 0xF4, 0, 0, 0xFD, 0xE8, 0, 0, 0xFD, 0xE9, 0, 0, 0, 1, 10, 0, 0, 1, 10, 0, 0, 2, .. Keepalive()]),
    ];

    private static byte[] Keepalive() => [.. Enumerable.Repeat((byte)0xFF, 16), 0, 19, 4];

    private static List<(uint Ts, int Us, ushort Type, ushort Subtype, int Length)> ReadAll(Stream stream, out string? problem)
    {
        using var reader = new MrtReader(CompressedInput.Open(stream));
        var records = new List<(uint, int, ushort, ushort, int)>();
        while (reader.TryReadRecord(out var r))
        {
            records.Add((r.Timestamp, r.Microseconds, r.Type, r.Subtype, r.Body.Length));
        }
        problem = reader.Problem;
        return records;
    }

    [Fact]
    public void Records_stream_one_by_one_and_et_records_give_their_microseconds()
    {
        var records = ReadAll(new MemoryStream(Dump), out var problem);
        Assert.Null(problem);
        Assert.Equal([(1000u, 0, (ushort)16, (ushort)0, 20), (1001u, 500, (ushort)17, (ushort)4, 20 + 19)], records);
    }

    [Fact]
    public void Gzip_and_bzip2_are_told_by_content()
    {
        var gz = new MemoryStream();
        using (var g = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            g.Write(Dump);
        }
        var bz = new MemoryStream();
        using (var b = new BZip2OutputStream(bz) { IsStreamOwner = false })
        {
            b.Write(Dump);
        }
        Assert.Equal(2, ReadAll(new MemoryStream(gz.ToArray()), out _).Count);
        Assert.Equal(2, ReadAll(new MemoryStream(bz.ToArray()), out _).Count);
    }

    [Fact]
    public void A_truncated_last_record_is_reported_not_thrown()
    {
        var records = ReadAll(new MemoryStream(Dump[..^3]), out var problem);
        Assert.Single(records);
        Assert.Contains("truncated body", problem);
        ReadAll(new MemoryStream(Dump[..37]), out problem);
        Assert.Contains("truncated header", problem);
    }

    [Fact]
    public void Bgp4mp_state_change_and_message_decode()
    {
        using var reader = new MrtReader(new MemoryStream(Dump));
        Assert.True(reader.TryReadRecord(out var first));
        Assert.True(MrtBgp4Mp.TryDecode(first.Subtype, first.Body.Span, out var state, out _));
        Assert.Equal(Bgp4MpKind.StateChange, state.Kind);
        Assert.Equal((65000u, 65001u, (ushort)1, (ushort)2), (state.PeerAsn, state.LocalAsn, state.OldState, state.NewState));
        Assert.True(reader.TryReadRecord(out var second));
        Assert.True(MrtBgp4Mp.TryDecode(second.Subtype, second.Body.Span, out var message, out _));
        Assert.True(message.FourOctetAs);
        Assert.Equal(Keepalive(), message.Message.ToArray());
        Assert.False(MrtBgp4Mp.TryDecode(3, second.Body.Span, out _, out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void Rib_records_walk_their_entries_and_report_damage()
    {
        // sequence 7, 10.1.0.0/16, two entries (the second with attributes cut short)
        byte[] body = [0, 0, 0, 7, 16, 10, 1, 0, 2, 0, 0, 0, 0, 0, 1, 0, 3, 0x40, 1, 0, 0, 1, 0, 0, 0, 2, 0, 9, 0x40];
        Assert.True(MrtRib.TryDecode((ushort)TableDumpV2Subtype.RibIpv4Unicast, body, out var rib, out _));
        Assert.Equal((1, 16, 2), (rib.Afi, rib.PrefixLength, (int)rib.EntryCount));
        var entries = rib.GetEnumerator();
        Assert.True(entries.MoveNext());
        Assert.Equal(new byte[] { 0x40, 1, 0 }, entries.Current.Attributes.ToArray());
        Assert.False(entries.MoveNext());
        Assert.NotNull(entries.Problem);
        Assert.False(MrtRib.TryDecode((ushort)TableDumpV2Subtype.RibIpv4Unicast, [0, 0, 0, 7, 33, 1, 2, 3, 4, 5, 0, 0], out _, out _));
    }

    [Fact]
    public void Corpus_table_dump_v2_peer_table_and_rib_entries_decode()
    {
        using var reader = MrtReader.OpenFile(SharedData.CorpusFile("mrtparse_quagga_rib.mrt"));
        MrtPeerIndexTable? peers = null;
        var entries = 0;
        while (reader.TryReadRecord(out var record))
        {
            if (record.Subtype == 1)
            {
                peers = MrtPeerIndexTable.TryDecode(record.Body.Span, out _);
                continue;
            }
            Assert.True(MrtRib.TryDecode(record.Subtype, record.Body.Span, out var rib, out var problem), problem);
            var walk = rib.GetEnumerator();
            while (walk.MoveNext())
            {
                Assert.InRange(walk.Current.PeerIndex, 0, peers!.Peers.Count - 1);
                entries++;
            }
            Assert.Null(walk.Problem);
        }
        Assert.Null(reader.Problem);
        Assert.NotNull(peers);
        Assert.True(entries > 0);
    }

    [Fact]
    public void Corpus_table_dump_v1_decodes()
    {
        using var reader = MrtReader.OpenFile(SharedData.CorpusFile("mrtparse_openbgpd_rib_table.mrt"));
        var count = 0;
        while (reader.TryReadRecord(out var record))
        {
            Assert.True(MrtTableDump.TryDecode(record.Subtype, record.Body.Span, out var entry, out var problem), problem);
            Assert.Equal(record.Subtype == 1 ? 4 : 16, entry.PeerAddress.Length);
            count++;
        }
        Assert.Equal(31, count);
    }

    // Found by AFL++ (fuzz/regressions/mrt): a 12-octet header claiming a 64 MiB body made the reader reserve
    // the whole 64 MiB before learning that the file held a few octets more.
    [Fact]
    public void A_header_claiming_a_huge_body_in_a_short_file_is_truncated_without_reserving_it()
    {
        var header = Record(0, 13, 2, []);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), MrtReader.MaxRecordLength);
        byte[] file = [.. header, .. new byte[100]];
        using var reader = new MrtReader(new MemoryStream(file));
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(reader.TryReadRecord(out _));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("truncated body (100 of 67108864 octets", reader.Problem, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} octets");
    }

    // Found by libFuzzer (fuzz/regressions/mrt/86b8210829f14a20.bin): a 21-octet PEER_INDEX_TABLE whose peer
    // count said 65,535 made the decoder reserve 65,535 peer slots (512 KiB) before finding the first peer missing.
    [Fact]
    public void A_peer_index_table_claiming_more_peers_than_it_holds_is_damage_found_before_reserving_them()
    {
        byte[] body = [0, 0, 0, 1, 0, 0, 0xFF, 0xFF, 0, 1, 2, 3, 4, 10, 0, 0, 1, 0xFD, 0xE9, 0, 0];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var table = MrtPeerIndexTable.TryDecode(body, out var problem);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Null(table);
        Assert.Equal("PEER_INDEX_TABLE claims 65535 peers, more than its 13 remaining octets can hold", problem);
        Assert.True(allocated < 4096, $"allocated {allocated} octets");

        // One peer in 11 octets is exactly enough.
        byte[] one = [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 2, 3, 4, 10, 0, 0, 1, 0xFD, 0xE9];
        var decoded = MrtPeerIndexTable.TryDecode(one, out problem);
        Assert.Null(problem);
        Assert.Equal(65001u, Assert.Single(decoded!.Peers).Asn);
    }

    [Fact]
    public void A_body_larger_than_the_first_buffer_is_read_whole_across_short_reads()
    {
        var body = new byte[200_000];
        new Random(7).NextBytes(body);
        var file = Record(1, 16, 4, body);
        using var reader = new MrtReader(new BufferedStream(new MemoryStream(file), 1000));
        Assert.True(reader.TryReadRecord(out var record));
        Assert.True(record.Body.Span.SequenceEqual(body));
        Assert.Null(reader.Problem);
    }
}
