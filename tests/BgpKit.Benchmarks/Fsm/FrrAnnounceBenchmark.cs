using System.Net;
using BenchmarkDotNet.Attributes;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Fsm;

/// <summary>
/// End to end: a BgpSpeaker announces 100,000 /32 routes to a real FRR bgpd over loopback; the time is until
/// FRR's summary shows all of them received (polled every 150 ms). Routes per second = 100,000 / time.
/// </summary>
[Config(typeof(FrrTarget.ThreeColdRuns))]
public class FrrAnnounceBenchmark
{
    private const int Routes = FrrTarget.Routes;
    private FrrBgpd? _frr;
    private BgpSpeaker? _speaker;
    private List<Prefix> _prefixes = [];

    [IterationSetup]
    public void Setup()
    {
        _prefixes = Enumerable.Range(0, Routes).Select(i => Prefix.FromIPv4(0x0B000000u + (uint)i, 32)).ToList();
        var ourPort = FreePort.Tcp(IPAddress.Loopback);
        var frrPort = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
        _frr = FrrBgpd.StartAsync(FrrTarget.Config(ourPort), frrPort).GetAwaiter().GetResult();
        _speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Loopback, ListenAddress = IPAddress.Loopback, ListenPort = ourPort });
        _speaker.StartAsync().GetAwaiter().GetResult();
        _speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = IPAddress.Parse("127.0.0.2"),
            RemoteAs = 65002,
            Transport = new TransportOptions { RemotePort = frrPort, LocalAddress = IPAddress.Loopback, Ttl = 64 },
        }).GetAwaiter().GetResult();
        _speaker.WaitForStateAsync(IPAddress.Parse("127.0.0.2"), SessionState.Established).WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Announce 100,000 /32 into FRR until FRR has them all")]
    public async Task AnnounceIntoFrr()
    {
        await _speaker!.AnnounceAsync(_prefixes, new PathAttributes { Communities = [new Community(65001, 1)] });
        await Poll.UntilAsync(() => _frr!.PrefixesReceived("127.0.0.1") == Routes, "FRR has 100,000 routes", TimeSpan.FromMinutes(5));
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _speaker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _frr?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
