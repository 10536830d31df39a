using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using BgpKit.BgpKit.Cli.Tests.Interop;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// BGPPeer <c>enableGracefulRestart</c> end to end: <c>bgpkit speaker</c> (127.0.0.1) announces two Service routes to
/// FRR bgpd 8.4 (127.0.0.2, graceful restart helper as FRR is by default), which passes them on to GoBGP 3.10
/// (127.0.0.3) downstream. The speaker is killed with SIGKILL (or stopped with SIGTERM) and started again with the same manifests and
/// <c>--state-dir</c>: GoBGP must see no withdrawal the whole time (its monitor stream, its counters and its RIB
/// sampled throughout), and FRR must hold the routes as stale meanwhile, see our R bit, and end with them fresh.
/// Without <c>enableGracefulRestart</c> the same kill withdraws them downstream.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerGracefulRestartFrrTests : IAsyncLifetime
{
    private const string Us = "127.0.0.1";
    private const string Router = "127.0.0.2";
    private const string Downstream = "127.0.0.3";
    private static readonly string[] ServiceRoutes = ["198.51.100.1/32", "198.51.100.2/32"];
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-speaker-gr-e2e-").FullName;
    private FrrBgpd _frr = null!;
    private GoBgpDaemon _gobgp = null!;
    private Process? _monitor;
    private readonly ConcurrentQueue<string> _monitorLines = new();

    private string ConfigDir => Path.Combine(_dir, "manifests");

    private string StateDir => Path.Combine(_dir, "state");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ConfigDir);
        var frrPort = MetalLbPort.Tcp(IPAddress.Parse(Router));
        var gobgpPort = FreePort.Tcp(IPAddress.Parse(Downstream));
        // GoBGP 3.10 takes a 127.x next hop as a withdrawal (INTEROP.md): FRR hands it 192.0.2.254 instead.
        var frrConfig = FrrBgpd.Config(64512, Router, Us, 64513, FreePort.Tcp(),
            extra: $" neighbor {Downstream} remote-as 64514\n neighbor {Downstream} port {gobgpPort}\n neighbor {Downstream} update-source {Router}",
            ipv4: $"  neighbor {Downstream} route-map downstream out")
            + "route-map downstream permit 10\n set ip next-hop 192.0.2.254\n";
        _frr = await FrrBgpd.StartAsync(frrConfig, frrPort, Router);
        _gobgp = await GoBgpDaemon.StartAsync(GoBgpDaemon.Config(64514, Downstream, gobgpPort, Router, 64512, frrPort), Downstream);
        await Poll.UntilAsync(() => _frr.NeighborState(Downstream) == "Established", "FRR and GoBGP Established", TimeSpan.FromSeconds(60))
            .WithText(() => _frr.ReadLog());
    }

    public async Task DisposeAsync()
    {
        if (_monitor is { } m)
        {
            if (!m.HasExited)
            {
                m.Kill();
                m.WaitForExit(10_000);
            }
            m.Dispose();
        }
        await _gobgp.DisposeAsync();
        await _frr.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Manifests(bool gracefulRestart) => $"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {"{"}name: router, namespace: metallb-system{"}"}
        spec:
          myASN: 64513
          peerASN: 64512
          peerAddress: {Router}
          peerPort: {_frr.Port}
          sourceAddress: {Us}
          holdTime: 30s
          enableGracefulRestart: {(gracefulRestart ? "true" : "false")}
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {"{"}name: pool, namespace: metallb-system{"}"}
        spec:
          addresses: [198.51.100.1-198.51.100.2]
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {"{"}name: adv, namespace: metallb-system{"}"}
        spec: {"{"}ipAddressPools: [pool]{"}"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: api, namespace: default{"}"}
        spec: {"{"}type: LoadBalancer, ports: [{"{"}port: 80, protocol: TCP{"}"}]{"}"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: web, namespace: default{"}"}
        spec: {"{"}type: LoadBalancer, ports: [{"{"}port: 80, protocol: TCP{"}"}]{"}"}
        """;

    private BgpKitProcess StartSpeaker() => BgpKitProcess.Start("speaker", null, "speaker", "--config", ConfigDir, "--node", "node-1",
        "--bgp-listen", "none", "--status", "none", "--state-dir", StateDir, "--log-level", "all");

    /// <summary>The Service routes GoBGP holds (from FRR).</summary>
    private HashSet<string> Downstream_routes()
    {
        var rib = _gobgp.GobgpJson("global", "rib", "-a", "ipv4").AsObject();
        return rib.Select(kv => kv.Key).Where(ServiceRoutes.Contains).ToHashSet(StringComparer.Ordinal);
    }

    private long DownstreamWithdrawnPrefixes() =>
        _gobgp.GobgpJson("neighbor", Router)["state"]?["messages"]?["received"]?["withdraw_prefix"]?.GetValue<long>() ?? 0;

    /// <summary>FRR's path for each Service route: present, and whether it is stale.</summary>
    private Dictionary<string, bool> FrrStale()
    {
        var routes = _frr.ShowJson("show bgp ipv4 unicast json")["routes"]?.AsObject();
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var prefix in ServiceRoutes)
        {
            if (routes?[prefix] is JsonArray paths && paths.Count > 0)
            {
                result[prefix] = paths.Any(p => p?["stale"]?.GetValue<bool>() == true);
            }
        }
        return result;
    }

    private JsonNode GracefulRestartInfo() => _frr.ShowJson($"show bgp neighbors {Us} json")[Us]!["gracefulRestartInfo"]!;

    /// <summary><c>gobgp monitor global rib --current -j</c>: the table, then one JSON line per best-path change, withdrawals included.</summary>
    private void StartMonitor()
    {
        var info = new ProcessStartInfo("gobgp") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-u", Downstream, "-p", _gobgp.ApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "monitor", "global", "rib", "--current", "-a", "ipv4" })
        {
            info.ArgumentList.Add(a);
        }
        _monitor = Process.Start(info)!;
        _monitor.OutputDataReceived += (_, e) => { if (e.Data is { } line) _monitorLines.Enqueue(line); };
        _monitor.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _monitorLines.Enqueue("stderr: " + line); };
        _monitor.BeginOutputReadLine();
        _monitor.BeginErrorReadLine();
    }

    private string[] MonitoredWithdrawals() =>
        _monitorLines.Where(l => l.Contains("\"withdrawal\":true", StringComparison.Ordinal) && ServiceRoutes.Any(r => l.Contains(r, StringComparison.Ordinal))).ToArray();

    private string Describe(BgpKitProcess? speaker) =>
        $"speaker:\n{speaker?.Log}\nmonitor:\n{string.Join('\n', _monitorLines)}\nfrr:\n{_frr.ReadLog()}";

    private async Task<BgpKitProcess> StartAndAnnounceAsync(bool gracefulRestart)
    {
        File.WriteAllText(Path.Combine(ConfigDir, "metallb.yaml"), Manifests(gracefulRestart));
        var speaker = StartSpeaker();
        await Poll.UntilAsync(() => Downstream_routes().Count == 2, "GoBGP holding both Service routes through FRR", TimeSpan.FromSeconds(90))
            .WithText(() => Describe(speaker));
        StartMonitor();
        // The monitor's first lines are the current table; give it the routes before anything happens.
        await Poll.UntilAsync(() => ServiceRoutes.All(r => _monitorLines.Any(l => l.Contains(r, StringComparison.Ordinal))), "the monitor stream listing the routes")
            .WithText(() => Describe(speaker));
        return speaker;
    }

    [Theory]
    [InlineData("SIGKILL")]
    [InlineData("SIGTERM")] // a pod deleted or rolled: no Cease for these peers, as MetalLB's FRR sends none
    public async Task A_stopped_and_restarted_speaker_with_enableGracefulRestart_causes_no_withdrawal_downstream(string signal)
    {
        var first = await StartAndAnnounceAsync(gracefulRestart: true);
        var cold = GracefulRestartInfo();
        Assert.True(cold["rBit"]?.GetValue<bool>() == false, "a first start has no R bit: " + cold.ToJsonString());
        Assert.Equal("Restart", cold["remoteGrMode"]?.GetValue<string>());
        Assert.True(cold["ipv4Unicast"]?["fBit"]?.GetValue<bool>() == true, cold.ToJsonString());
        Assert.Equal(120, cold["timers"]?["receivedRestartTimer"]?.GetValue<int>());
        Assert.Equal(0, DownstreamWithdrawnPrefixes());

        // Sample GoBGP's table during the whole restart: a withdrawal followed by a quick re-announcement must
        // not slip between two looks (the monitor and the counter catch even those).
        using var sampling = new CancellationTokenSource();
        var missing = new ConcurrentQueue<string>();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                try
                {
                    var held = Downstream_routes();
                    foreach (var r in ServiceRoutes.Where(r => !held.Contains(r)))
                    {
                        missing.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {r}");
                    }
                }
                catch (InvalidOperationException)
                {
                }
                await Task.Delay(100);
            }
        });

        var killedAt = Stopwatch.StartNew();
        if (signal == "SIGTERM")
        {
            first.Terminate();
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(60)), "bgpkit speaker stopping on SIGTERM");
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("without NOTIFICATION", first.Log, StringComparison.Ordinal);
        }
        else
        {
            first.Kill();
        }
        first.Dispose();
        await Poll.UntilAsync(() => _frr.NeighborState(Us) != "Established", "FRR to notice the speaker is gone", TimeSpan.FromSeconds(60)).WithText(() => Describe(null));
        // RFC 4724 helper: FRR keeps our routes, marked stale, for our restart time (120 s).
        await Poll.UntilAsync(() => FrrStale() is var s && s.Count == 2 && s.Values.All(v => v), "FRR holding both routes as stale").WithText(() => Describe(null));

        using var second = StartSpeaker();
        await Poll.UntilAsync(() => _frr.NeighborState(Us) == "Established", "the restarted speaker Established with FRR", TimeSpan.FromSeconds(90))
            .WithText(() => Describe(second));
        // Our End-of-RIB ends the restart at FRR: both routes refreshed (not stale), none removed.
        await Poll.UntilAsync(() => FrrStale() is var s && s.Count == 2 && s.Values.All(v => !v), "FRR's routes fresh again after our End-of-RIB", TimeSpan.FromSeconds(60))
            .WithText(() => Describe(second) + GracefulRestartInfo().ToJsonString());
        var restartTook = killedAt.Elapsed;
        var info = GracefulRestartInfo();
        // A barrier instead of a sleep: a route FRR originates now reaches GoBGP after anything FRR sent it before.
        _frr.Configure("router bgp 64512", "address-family ipv4 unicast", "network 203.0.113.0/24");
        await Poll.UntilAsync(() => _monitorLines.Any(l => l.Contains("203.0.113.0/24", StringComparison.Ordinal)), "GoBGP seeing FRR's marker route")
            .WithText(() => Describe(second));
        await sampling.CancelAsync();
        await sampler;

        Assert.True(info["rBit"]?.GetValue<bool>() == true, "FRR saw our R bit: " + info.ToJsonString());
        Assert.Empty(missing);
        Assert.Empty(MonitoredWithdrawals());
        Assert.Equal(0, DownstreamWithdrawnPrefixes());
        Assert.Equal(ServiceRoutes, Downstream_routes().Order(StringComparer.Ordinal));
        var state = new global::BgpKit.Bgp.Fsm.GracefulRestartStateFile(Path.Combine(StateDir, "graceful-restart.json")).Load()!;
        Assert.Equal(1, state.RestartCount);
        Assert.Contains("R bit", second.Log, StringComparison.Ordinal);
        Console.WriteLine($"graceful restart ({signal}): stop to FRR routes fresh again {restartTook.TotalSeconds:0.0} s; FRR gracefulRestartInfo after {info.ToJsonString()}, before {cold.ToJsonString()}");
    }

    [Fact]
    public async Task Without_enableGracefulRestart_the_same_kill_withdraws_the_routes_downstream()
    {
        var first = await StartAndAnnounceAsync(gracefulRestart: false);
        first.Kill();
        first.Dispose();
        await Poll.UntilAsync(() => Downstream_routes().Count == 0, "GoBGP losing both Service routes", TimeSpan.FromSeconds(60)).WithText(() => Describe(null));
        Assert.Equal(2, MonitoredWithdrawals().Length);
        Assert.Equal(2, DownstreamWithdrawnPrefixes());
        Assert.Empty(FrrStale());
    }
}
