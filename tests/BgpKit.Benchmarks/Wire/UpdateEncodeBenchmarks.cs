using System.Buffers;
using BenchmarkDotNet.Attributes;
using BgpKit.Bgp.Wire;

namespace BgpKit.Benchmarks.Wire;

/// <summary>
/// Packing 100,000 IPv4 /24 prefixes that share one attribute set into 4096-octet UPDATEs.
/// Target: at least 1 GB/s of output (output bytes / mean time; the byte count is printed at setup).
/// </summary>
[MemoryDiagnoser]
public class UpdateEncodeBenchmarks
{
    private static readonly BgpDecodeContext Context = BgpDecodeContext.FourOctetAsDefault;
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly UpdateBuilder _builder = new(Context);
    private Nlri[] _prefixes = [];
    private PathAttributes _attributes = new();

    /// <summary>Octets one run writes.</summary>
    public int OutputBytes { get; private set; }

    /// <summary>Prepares the prefixes and measures the output size once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _attributes = new PathAttributes
        {
            Origin = Origin.Igp,
            AsPath = AsPath.Sequence(65000, 3356, 1299, 64512),
            NextHop = 0xC0000201,
            MultiExitDisc = 100,
            Communities = [Community.Parse("65000:100"), Community.Parse("65000:200")],
        };
        _prefixes = new Nlri[100_000];
        for (var i = 0; i < _prefixes.Length; i++)
        {
            _prefixes[i] = Prefix.FromIPv4((uint)(0x0A000000 + (i << 8)), 24);
        }
        Pack100kPrefixes();
        OutputBytes = _output.WrittenCount;
        Console.WriteLine($"// UpdateEncodeBenchmarks: {OutputBytes} octets per run");
    }

    /// <summary>Packs the 100,000 prefixes; returns the number of UPDATEs.</summary>
    [Benchmark]
    public int Pack100kPrefixes()
    {
        _output.ResetWrittenCount();
        return _builder.WriteAnnouncements(_output, _attributes, _prefixes);
    }
}
