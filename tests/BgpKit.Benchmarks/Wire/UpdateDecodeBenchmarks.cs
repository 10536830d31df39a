using System.Buffers;
using BenchmarkDotNet.Attributes;
using BgpKit.Bgp.Wire;

namespace BgpKit.Benchmarks.Wire;

/// <summary>
/// Decoding an UPDATE of 500 IPv4 /24 prefixes with ORIGIN, a 4-AS AS_PATH, NEXT_HOP, MED and COMMUNITIES,
/// and walking every prefix. Target: at most 3 us and 0 bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class UpdateDecodeBenchmarks
{
    private static readonly BgpDecodeContext Context = BgpDecodeContext.FourOctetAsDefault;
    private byte[] _message = [];

    /// <summary>Builds the message once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var attributes = new PathAttributes
        {
            Origin = Origin.Igp,
            AsPath = AsPath.Sequence(65000, 3356, 1299, 64512),
            NextHop = 0xC0000201,
            MultiExitDisc = 100,
            Communities = [Community.Parse("65000:100"), Community.Parse("65000:200")],
        };
        var prefixes = new Nlri[500];
        for (var i = 0; i < prefixes.Length; i++)
        {
            prefixes[i] = Prefix.FromIPv4((uint)(0x0A000000 + (i << 8)), 24);
        }
        var output = new ArrayBufferWriter<byte>();
        if (new UpdateBuilder(Context).WriteAnnouncements(output, attributes, prefixes) != 1)
        {
            throw new InvalidOperationException("500 prefixes should fit one UPDATE.");
        }
        _message = output.WrittenSpan.ToArray();
    }

    /// <summary>Validates the UPDATE and walks its 500 prefixes.</summary>
    [Benchmark]
    public int DecodeAndWalk500Prefixes()
    {
        var reader = UpdateReader.ReadMessage(_message, Context);
        var sum = 0;
        foreach (var nlri in reader.Nlri)
        {
            // Length and address both, so the JIT cannot drop the address read from the walk.
            sum += nlri.Prefix.Length + (int)(nlri.Prefix.IPv4Address >> 8);
        }
        return sum;
    }

    /// <summary>The same message materialized into an UpdateMessage (allocates, for comparison).</summary>
    [Benchmark]
    public int DecodeMaterialized() => ((UpdateMessage)BgpMessage.Decode(_message, Context)).Nlri.Count;
}
