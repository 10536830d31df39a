using System.Net;
using BenchmarkDotNet.Attributes;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Fsm;

/// <summary>
/// The same job as <see cref="FrrAnnounceBenchmark"/> done by GoBGP 3.10: gobgpd (AS 65001 on 127.0.0.1) peers with
/// the same kind of FRR bgpd, <c>gobgp mrt inject global</c> loads 100,000 /32 routes from an MRT file into its
/// global RIB, and the time is until FRR's summary shows all of them received (polled every 150 ms).
/// </summary>
[Config(typeof(FrrTarget.ThreeColdRuns))]
public class GoBgpAnnounceBenchmark
{
    private const int Routes = FrrTarget.Routes;
    private FrrBgpd? _frr;
    private GoBgpDaemon? _gobgp;
    private string _mrt = "";


    [GlobalSetup]
    public void WriteRoutes()
    {
        _mrt = Path.Combine(Path.GetTempPath(), $"bgpkit-gobgp-{Environment.ProcessId}.mrt");
        MrtRibFile.Write(_mrt, 0x0B000000u, Routes, 65001);
    }

    [IterationSetup]
    public void Setup()
    {
        var goPort = FreePort.Tcp(IPAddress.Loopback);
        var frrPort = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
        _frr = FrrBgpd.StartAsync(FrrTarget.Config(goPort), frrPort).GetAwaiter().GetResult();
        _gobgp = GoBgpDaemon.StartAsync(GoBgpDaemon.Config(65001, "127.0.0.1", goPort, "127.0.0.2", 65002, frrPort), "127.0.0.1").GetAwaiter().GetResult();
        Poll.UntilAsync(() => _frr.NeighborState("127.0.0.1") == "Established", "FRR established with GoBGP", TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "GoBGP: inject 100,000 /32 (MRT) and announce into FRR until FRR has them all")]
    public async Task AnnounceIntoFrr()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _gobgp!.Gobgp("mrt", "inject", "global", _mrt);
        var injected = clock.Elapsed;
        await Poll.UntilAsync(() => _frr!.PrefixesReceived("127.0.0.1") == Routes, "FRR has 100,000 routes from GoBGP", TimeSpan.FromMinutes(5));
        // The split: loading GoBGP's RIB through its CLI and gRPC, then the rest of the way into FRR.
        Console.WriteLine($"// gobgp mrt inject returned after {injected.TotalSeconds:F2} s; FRR had all routes after {clock.Elapsed.TotalSeconds:F2} s");
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _gobgp?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _frr?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void RemoveRoutes() => File.Delete(_mrt);
}
