using BenchmarkDotNet.Running;

namespace BgpKit.Benchmarks;

/// <summary>Runs the benchmarks: <c>dotnet run -c Release --project tests/BgpKit.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point; arguments go to BenchmarkSwitcher.</summary>
    public static void Main(string[] args)
    {
        // Real-time measurements: BFD against FRR bfdd (bfd-load, bfd-detect), the ingest race (race), decode-ratio; see README.md.
        if (Bfd.BfdLoadMeasurement.TryRun(args) || Race.IngestRace.TryRun(args) || Mrt.DecodeRatioMeasurement.TryRun(args))
        {
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
