using System.Globalization;
using System.Text;

namespace BgpKit.Simulation;

/// <summary>Runs seeds and words their outcome (the tests and the console entry share it).</summary>
internal static class SimulationRunner
{
    /// <summary>Fault-phase steps per seed (one virtual second each), before the heal and the convergence wait.</summary>
    public const int DefaultSteps = 200;

    public static string Describe(SimResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"seed {result.Seed}: {(result.Passed ? "passed" : "FAILED")}, trace {(result.TraceHash.Length >= 16 ? result.TraceHash[..16] : "-")}");
        if (result.ConvergedAfter is { } c)
        {
            text.Append(CultureInfo.InvariantCulture, $", converged {c:F0}s after healing");
        }
        foreach (var v in result.Violations)
        {
            text.Append("\n  ").Append(v);
        }
        if (!result.Passed)
        {
            text.Append("\n  replay: ").Append(result.ReplayCommand);
            text.Append(CultureInfo.InvariantCulture, $"\n  or: BGPKIT_SIM_SEED={result.Seed} dotnet test tests/BgpKit.Simulation -c Release --filter FullyQualifiedName~{nameof(SimulationTests)}.{nameof(SimulationTests.The_seed_in_BGPKIT_SIM_SEED_passes)}");
        }
        return text.ToString();
    }

    public static RangeSummary RunRange(int from, int to, int steps, int parallel, Action<SimResult> failed, Action<RangeSummary>? progress = null, Action<SimResult>? each = null)
    {
        var summary = new RangeSummary();
        var gate = new object();
        var done = 0;
        Parallel.For(from, to + 1, new ParallelOptions { MaxDegreeOfParallelism = parallel }, seed =>
        {
            SimResult result;
            try
            {
                result = new Cluster(seed).Run(steps);
            }
            catch (Exception e)
            {
                result = new SimResult(seed, [$"threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}"], "", new SimStats(), null);
            }
            lock (gate)
            {
                summary.Add(result);
                each?.Invoke(result);
                if (!result.Passed)
                {
                    failed(result);
                }
                if (++done % 500 == 0)
                {
                    progress?.Invoke(summary);
                }
            }
        });
        return summary;
    }
}

/// <summary>A range's totals.</summary>
internal sealed class RangeSummary
{
    public int Seeds { get; private set; }
    public SimStats Stats { get; } = new();
    public List<SimResult> Failures { get; } = [];
    public double MaxConvergence { get; private set; }
    public int SlowestSeed { get; private set; }
    private double _convergenceSum;
    private int _converged;

    public void Add(SimResult result)
    {
        Seeds++;
        Stats.Add(result.Stats);
        if (!result.Passed)
        {
            Failures.Add(result);
        }
        if (result.ConvergedAfter is { } c)
        {
            if (c > MaxConvergence)
            {
                MaxConvergence = c;
                SlowestSeed = result.Seed;
            }
            _convergenceSum += c;
            _converged++;
        }
    }

    public string Describe(TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{Seeds} seeds, {Stats.Steps} fault steps, {Failures.Count} failed, {elapsed.TotalSeconds:F0}s; convergence after heal mean {(_converged == 0 ? 0 : _convergenceSum / _converged):F1}s, max {MaxConvergence:F0}s (seed {SlowestSeed}; bound {Cluster.ConvergenceBound.TotalSeconds}s)\nfaults: ")
        + string.Join(", ", Stats.Faults.Select(p => $"{p.Key} {p.Value}"));
}
