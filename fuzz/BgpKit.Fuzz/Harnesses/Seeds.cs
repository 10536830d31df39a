using BgpKit.Bgp.Wire.Capture;
using BgpKit.Bgp.Wire.IO;
using BgpKit.Bgp.Wire.Mrt;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>Seed inputs cut from the corpus: BGP messages and BFD packets from captures, records from MRT dumps.</summary>
internal static class Seeds
{
    private static List<byte[]>? _messages;
    private static List<byte[]>? _bfd;

    public static IReadOnlyList<byte[]> BgpMessages(string? corpus)
    {
        Load(corpus);
        return _messages!;
    }

    public static IReadOnlyList<byte[]> BfdPackets(string? corpus)
    {
        Load(corpus);
        return _bfd!;
    }

    private static void Load(string? corpus)
    {
        if (_messages is not null)
        {
            return;
        }
        _messages = [];
        _bfd = [];
        if (corpus is null)
        {
            return;
        }
        foreach (var path in Directory.EnumerateFiles(corpus).Order(StringComparer.Ordinal))
        {
            if (!(path.EndsWith(".pcap", StringComparison.Ordinal) || path.EndsWith(".pcapng", StringComparison.Ordinal) || path.EndsWith(".cap", StringComparison.Ordinal)))
            {
                continue;
            }
            using var decoder = CaptureDecoder.Open(CompressedInput.OpenFile(path), out _, [1179]);
            if (decoder is null)
            {
                continue;
            }
            var perFile = 0;
            while (decoder.TryRead(out var item) && perFile < 40)
            {
                if (item.Kind == CaptureItemKind.BgpMessage)
                {
                    _messages.Add(item.Data.ToArray());
                    perFile++;
                }
                else if (item.Kind == CaptureItemKind.BfdPacket && _bfd.Count < 200)
                {
                    _bfd.Add(item.Data.ToArray());
                }
            }
        }
    }

    /// <summary>A few records (header included) from each MRT dump.</summary>
    public static IReadOnlyList<byte[]> MrtRecords(string? corpus)
    {
        var records = new List<byte[]>();
        if (corpus is null)
        {
            return records;
        }
        foreach (var path in Directory.EnumerateFiles(corpus).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!(name.StartsWith("bgpdump_", StringComparison.Ordinal) || name.StartsWith("mrtparse_", StringComparison.Ordinal) || name.StartsWith("bgpkit_", StringComparison.Ordinal) || name.StartsWith("libbgpstream_", StringComparison.Ordinal)))
            {
                continue;
            }
            using var reader = MrtReader.OpenFile(path);
            var count = 0;
            // The peer index table comes first: keep it with the next records so RIB entries resolve.
            var chunk = new MemoryStream();
            while (count < 12 && reader.TryReadRecord(out var record))
            {
                var header = new byte[12];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header, record.Timestamp);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), record.Type);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), record.Subtype);
                var body = record.Body.Span;
                var microseconds = record.Type == (ushort)MrtRecordType.Bgp4MpEt ? 4 : 0;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), (uint)(body.Length + microseconds));
                chunk.Write(header);
                if (microseconds > 0)
                {
                    var us = new byte[4];
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(us, (uint)record.Microseconds);
                    chunk.Write(us);
                }
                chunk.Write(body);
                count++;
                if (chunk.Length > 2048)
                {
                    break;
                }
            }
            records.Add(chunk.ToArray());
        }
        return records;
    }
}
