using System.Buffers;
using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Engines;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;

namespace BgpKit.Benchmarks.Fsm;

/// <summary>
/// Adj-RIB-In insert of 1,000,000 routes from real UPDATEs (200 attribute sets, /32 prefixes packed
/// into 4096-octet UPDATEs by Bgp.Wire's UpdateBuilder), and Adj-RIB-Out producing the UPDATEs for
/// 100,000 /32 routes. Divide the time and the allocation by the route count for per-route figures.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortConfig))]
public class AdjRibBenchmarks
{
    /// <summary>In-process (no generated project to build on a busy machine), 1 warmup + 5 measured runs.</summary>
    private sealed class InProcessShortConfig : ManualConfig
    {
        public InProcessShortConfig() => AddJob(Job.Default
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(5));
    }

    public const int InRoutes = 1_000_000;
    public const int OutRoutes = 100_000;
    private List<byte[]> _bodies = [];
    private readonly BgpDecodeContext _context = BgpDecodeContext.FourOctetAsDefault;
    private PathAttributes _outAttributes = new();

    [GlobalSetup]
    public void Setup()
    {
        _bodies = Encode(InRoutes, 200, _context);
        _outAttributes = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001), NextHop = 0x0A000001, Communities = [new Community(65001, 1)] };
    }

    /// <summary>UPDATE bodies announcing <paramref name="routes"/> /32s spread over <paramref name="sets"/> attribute sets.</summary>
    public static List<byte[]> Encode(int routes, int sets, BgpDecodeContext context)
    {
        var builder = new UpdateBuilder(context);
        var output = new ArrayBufferWriter<byte>(64 * 1024 * 1024);
        var perSet = routes / sets;
        for (var s = 0; s < sets; s++)
        {
            var attributes = new PathAttributes
            {
                Origin = Origin.Igp,
                AsPath = AsPath.Sequence(65002, 64512 + (uint)s),
                NextHop = 0xC0000201,
                MultiExitDisc = (uint)s,
                Communities = [new Community(65002, (ushort)s)],
            };
            var nlri = new Nlri[perSet];
            for (var i = 0; i < perSet; i++)
            {
                nlri[i] = Prefix.FromIPv4(0x0A000000u + (uint)(s * perSet + i), 32);
            }
            builder.WriteAnnouncements(output, attributes, nlri);
        }
        var bodies = new List<byte[]>();
        var bytes = output.WrittenSpan;
        while (bytes.Length > 0)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[16..]);
            bodies.Add(bytes[19..length].ToArray());
            bytes = bytes[length..];
        }
        return bodies;
    }

    [Benchmark(Description = "Adj-RIB-In: insert 1,000,000 routes from UPDATEs")]
    public int AdjRibInInsert()
    {
        var rib = new AdjRibIn();
        rib.EnsureCapacity(InRoutes);
        var ingest = new UpdateIngest(rib, null);
        foreach (var body in _bodies)
        {
            ingest.Apply(body, _context);
        }
        return rib.Count;
    }

    [Benchmark(Description = "Adj-RIB-Out: UPDATEs for 100,000 /32 routes")]
    public long AdjRibOutProduce()
    {
        var rib = new AdjRibOut();
        for (var i = 0; i < OutRoutes; i++)
        {
            rib.Set(Prefix.FromIPv4(0x0B000000u + (uint)i, 32), _outAttributes);
        }
        var output = new ArrayBufferWriter<byte>(1024 * 1024);
        var builder = new UpdateBuilder(_context);
        return rib.Produce(builder, output, int.MaxValue, _ => IPAddress.Loopback, a => a, out _, out _) + output.WrittenCount;
    }
}
