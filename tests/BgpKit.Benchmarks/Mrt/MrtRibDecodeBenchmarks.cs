using BenchmarkDotNet.Attributes;
using BgpKit.Bgp.Wire;
using BgpKit.Bgp.Wire.IO;
using BgpKit.Bgp.Wire.Mrt;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Mrt;

/// <summary>
/// Decoding the corpus RIB dump bgpdump_bview.20020722.2337.gz (115,521 TABLE_DUMP records, 1.2 MB gzip):
/// the record framing alone, and framing plus each entry's path attributes through the codec (the work
/// <c>bgpkit decode</c> does before printing). The file is decompressed once in setup.
/// </summary>
[MemoryDiagnoser]
public class MrtRibDecodeBenchmarks
{
    private static readonly BgpDecodeContext TwoOctetAs = new() { ExtendedMessage = true };
    private byte[] _dump = [];
    private readonly byte[] _scratch = new byte[8192];

    /// <summary>Decompresses the dump into memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        using var input = CompressedInput.OpenFile(SharedData.CorpusFile("bgpdump_bview.20020722.2337.gz"));
        var memory = new MemoryStream();
        input.CopyTo(memory);
        _dump = memory.ToArray();
    }

    /// <summary>MRT record framing and TABLE_DUMP fields only.</summary>
    [Benchmark]
    public int FramingOnly()
    {
        using var reader = new MrtReader(new MemoryStream(_dump, writable: false));
        var routes = 0;
        while (reader.TryReadRecord(out var record))
        {
            if (MrtTableDump.TryDecode(record.Subtype, record.Body.Span, out var entry, out _))
            {
                routes += entry.PrefixLength > 0 ? 1 : 0;
            }
        }
        return routes;
    }

    /// <summary>Framing plus each entry's attributes decoded into an <see cref="UpdateMessage"/>.</summary>
    [Benchmark]
    public int FramingAndAttributes()
    {
        using var reader = new MrtReader(new MemoryStream(_dump, writable: false));
        var paths = 0;
        while (reader.TryReadRecord(out var record))
        {
            if (!MrtTableDump.TryDecode(record.Subtype, record.Body.Span, out var entry, out _))
            {
                continue;
            }
            // The attributes become an UPDATE with no NLRI: withdrawn length 0, attribute length, attributes.
            var attributes = entry.Attributes;
            var length = 19 + 4 + attributes.Length;
            _scratch.AsSpan(0, 16).Fill(0xFF);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_scratch.AsSpan(16), (ushort)length);
            _scratch[18] = 2;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_scratch.AsSpan(19), 0);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_scratch.AsSpan(21), (ushort)attributes.Length);
            attributes.CopyTo(_scratch.AsSpan(23));
            try
            {
                var update = (UpdateMessage)BgpMessage.Decode(_scratch.AsSpan(0, length), TwoOctetAs);
                paths += update.Attributes?.AsPath?.Length ?? 0;
            }
            catch (BgpWireException)
            {
            }
        }
        return paths;
    }
}
