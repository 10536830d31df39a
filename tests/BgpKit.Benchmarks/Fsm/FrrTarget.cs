using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Fsm;

/// <summary>What the end-to-end announce benchmarks share: the route count, FRR's configuration and the job.</summary>
internal static class FrrTarget
{
    public const int Routes = 100_000;

    /// <summary>
    /// FRR bgpd as AS 65002 on 127.0.0.2 with the announcing speaker (AS 65001, 127.0.0.1) as neighbor. It sends
    /// nothing back: without the deny route-map FRR re-advertises every route to the eBGP peer it came from, and
    /// the speaker under test would spend the run processing its own routes.
    /// </summary>
    public static string Config(int speakerPort) =>
        FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, speakerPort, ipv4: "  neighbor 127.0.0.1 route-map NOTHING out")
        + "route-map NOTHING deny 10\n";

    /// <summary>In-process, three cold runs, each with its own daemons (20 minutes allowed: a loaded machine is slow).</summary>
    public sealed class ThreeColdRuns : ManualConfig
    {
        public ThreeColdRuns() => AddJob(Job.Default
            .WithToolchain(new BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain(TimeSpan.FromMinutes(20), logOutput: true))
            .WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(3));
    }
}
