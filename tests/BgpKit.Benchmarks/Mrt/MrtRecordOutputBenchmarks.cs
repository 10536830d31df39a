using BenchmarkDotNet.Attributes;
using BgpKit.Cli.Decode;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Mrt;

/// <summary>
/// The record -> output path of <c>bgpkit decode</c> (framing, JSON into pooled buffers, written to
/// <see cref="Stream.Null"/>), on decompressed dumps held in memory: the corpus's TABLE_DUMP RIB
/// (115,521 records, one entry each) and the TABLE_DUMP_V2 built from it (<see cref="TableDumpV2Dump"/>,
/// 112,988 RIB records, 462,084 entries).
/// </summary>
/// <remarks>
/// <c>Cold</c> starts from an empty attribute-set cache, as one <c>bgpkit decode</c> does (every distinct
/// set is decoded through the codec and rendered once: 20,934 sets in the TABLE_DUMP file); <c>Warm</c>
/// keeps the cache of a previous pass, so what it allocates is what printing a record costs (the reader's and
/// writer's buffers, a few hundred KB per pass, are the only allocation). Divide by the record or entry count.
/// </remarks>
[MemoryDiagnoser]
public class MrtRecordOutputBenchmarks
{
    private byte[] _tableDump = [];
    private byte[] _tableDumpV2 = [];
    private MrtJob.MrtState _warmV1 = new();
    private MrtJob.MrtState _warmV2 = new();

    [GlobalSetup]
    public void Setup()
    {
        _tableDump = TableDumpV2Dump.Decompress(SharedData.CorpusFile("bgpdump_bview.20020722.2337.gz"));
        _tableDumpV2 = TableDumpV2Dump.Build(_tableDump, peers: 4);
        _warmV1 = new MrtJob.MrtState();
        _warmV2 = new MrtJob.MrtState();
        Print(_tableDump, _warmV1);
        Print(_tableDumpV2, _warmV2);
    }

    /// <summary>TABLE_DUMP, every attribute set rendered for the first time.</summary>
    [Benchmark]
    public long TableDumpCold() => Print(_tableDump, null);

    /// <summary>TABLE_DUMP, attribute sets already rendered.</summary>
    [Benchmark]
    public long TableDumpWarm() => Print(_tableDump, _warmV1);

    /// <summary>TABLE_DUMP_V2 (4 peers per route), every attribute set rendered for the first time.</summary>
    [Benchmark]
    public long TableDumpV2Cold() => Print(_tableDumpV2, null);

    /// <summary>TABLE_DUMP_V2, attribute sets already rendered.</summary>
    [Benchmark(Baseline = true)]
    public long TableDumpV2Warm() => Print(_tableDumpV2, _warmV2);

    private static long Print(byte[] dump, MrtJob.MrtState? state)
    {
        var summary = new DecodeSummary();
        using (var lines = new JsonLineWriter(Stream.Null))
        {
            MrtJob.Run(new MemoryStream(dump, writable: false), lines, summary, state);
        }
        return summary.Total("mrt");
    }
}
