using System.Globalization;
using Xunit.Abstractions;

namespace BgpKit.Simulation;

/// <summary>The simulation as tests: CI's 500 seeds, one seed from the environment, and determinism.</summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    /// <summary>CI's seeds; a long run takes any range through the console entry (README).</summary>
    private const int CiSeeds = 500;

    /// <summary>CI's fault steps per seed: shorter than a long run's 200 to keep 500 seeds near a minute on two cores.</summary>
    private const int CiSteps = 40;

    [Fact]
    public void Five_hundred_seeds_keep_every_invariant()
    {
        var summary = SimulationRunner.RunRange(1, CiSeeds, CiSteps, Environment.ProcessorCount, _ => { });
        output.WriteLine(summary.Describe(TimeSpan.Zero));
        Assert.True(summary.Failures.Count == 0, string.Join("\n", summary.Failures.OrderBy(f => f.Seed).Take(5).Select(SimulationRunner.Describe)));
    }

    [Fact]
    public void The_seed_in_BGPKIT_SIM_SEED_passes()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("BGPKIT_SIM_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 1;
        var cluster = new Cluster(seed, keepTrace: true);
        var result = cluster.Run(SimulationRunner.DefaultSteps);
        if (!result.Passed)
        {
            foreach (var line in cluster.Trace.Lines)
            {
                output.WriteLine(line);
            }
        }
        Assert.True(result.Passed, SimulationRunner.Describe(result));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(4242)]
    public void A_seed_run_twice_gives_the_same_trace_byte_for_byte(int seed)
    {
        var first = new Cluster(seed, keepTrace: true);
        var a = first.Run(SimulationRunner.DefaultSteps);
        var b = new Cluster(seed).Run(SimulationRunner.DefaultSteps);
        Assert.Equal(a.TraceHash, b.TraceHash);
        Assert.True(first.Trace.Count > 100, "the trace should record the run");
    }

    [Fact]
    public void Different_seeds_give_different_traces()
    {
        Assert.NotEqual(new Cluster(1).Run(50).TraceHash, new Cluster(2).Run(50).TraceHash);
    }
}
