using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;

namespace BgpKit.Benchmarks.Fsm;

/// <summary>
/// The receive path of a session (issue 15): <c>UpdateIngest.Apply</c> of one-prefix UPDATEs, each with its own
/// attribute set (MED and a community carry the route's number), as the race's "distinct" stream sends them, and the
/// attribute interning it rests on. Per-UPDATE figures: divide by <see cref="Updates"/>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class IngestBenchmarks
{
    /// <summary>In-process (no generated project to build on a busy machine), 1 warmup + 5 measured runs.</summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() => AddJob(Job.Default
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(5));
    }

    public const int Updates = 100_000;
    private readonly BgpDecodeContext _context = BgpDecodeContext.FourOctetAsDefault;
    private byte[][] _bodies = [];
    private AdjRibIn _warm = new();
    private UpdateIngest? _warmIngest;

    [GlobalSetup]
    public void Setup()
    {
        var stream = Race.RaceStreams.Encode("distinct", Updates);
        var bodies = new List<byte[]>(Updates);
        var bytes = stream.AsSpan();
        while (bytes.Length > 0)
        {
            var length = bytes[16] << 8 | bytes[17];
            bodies.Add(bytes[19..length].ToArray());
            bytes = bytes[length..];
        }
        _bodies = [.. bodies];
        _warm = new AdjRibIn();
        _warmIngest = new UpdateIngest(_warm, null);
        foreach (var body in _bodies)
        {
            _warmIngest.Apply(body, _context);
        }
    }

    /// <summary>Cold: every UPDATE brings a set not seen before (decoded once, interned, the route stored).</summary>
    [Benchmark(Description = "Apply 100,000 one-prefix UPDATEs, distinct sets, into an empty Adj-RIB-In")]
    public int ApplyDistinctNewSets()
    {
        var rib = new AdjRibIn();
        rib.EnsureCapacity(Updates);
        var ingest = new UpdateIngest(rib, null);
        foreach (var body in _bodies)
        {
            ingest.Apply(body, _context);
        }
        return rib.Count;
    }

    /// <summary>Steady state: the same UPDATEs again, every set already held (a peer re-sending its table).</summary>
    [Benchmark(Description = "Apply the same 100,000 UPDATEs again (every set known)")]
    public int ApplyDistinctKnownSets()
    {
        foreach (var body in _bodies)
        {
            _warmIngest!.Apply(body, _context);
        }
        return _warm.Count;
    }

    /// <summary>Interning alone: finding each UPDATE's set from its attribute octets.</summary>
    [Benchmark(Description = "Find 100,000 held attribute sets from their octets")]
    public int InternLookupByOctets()
    {
        var found = 0;
        foreach (var body in _bodies)
        {
            var withdrawn = body[0] << 8 | body[1];
            var field = body.AsSpan(4 + withdrawn, body[2 + withdrawn] << 8 | body[3 + withdrawn]);
            found += _warm.Interner.TryGet(field, _context, out _) ? 1 : 0;
        }
        return found;
    }
}
