using System.Net;
using System.Text.Json.Nodes;
using BgpKit.BgpKit.Cli.Tests.Interop;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// Received routes in the kernel, judged by <c>ip -j route show proto 186</c> in the node's namespace: two FRR
/// bgpd routers and <c>bgpkit speaker</c> (each in its own namespace on one bridge), an FRRConfiguration that
/// receives everything from both. Both routers give 198.51.100.0/24 (one ECMP route with both next hops), one
/// also 198.51.102.0/24. A router whose bgpd is killed and restarted, three times, takes its next hop away and
/// back; a withdrawal removes its route; SIGTERM leaves nothing; after kill -9 the routes stay, and the next
/// start removes the stale ones.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerKernelRoutesFrrTests : IAsyncLifetime
{
    private const string Shared = "198.51.100.0/24";
    private const string OnlyR1 = "198.51.102.0/24";
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-kernel-routes-e2e-").FullName;
    private NetBridge _lan = null!;
    private (string Namespace, IPAddress Address) _node;
    private (string Namespace, IPAddress Address) _r1;
    private (string Namespace, IPAddress Address) _r2;
    private FrrBgpdProcess _frr1 = null!;
    private FrrBgpdProcess _frr2 = null!;
    private BgpKitProcess? _speaker;

    public async Task InitializeAsync()
    {
        _lan = NetBridge.Create("bgpkit-kr");
        _r1 = _lan.AddNamespace("r1", 2);
        _r2 = _lan.AddNamespace("r2", 3);
        _node = _lan.AddNamespace("node", 11);
        _frr1 = await FrrBgpdProcess.StartAsync(RouterConfig(_r1.Address, Shared, OnlyR1), 179, _r1.Address.ToString(), _r1.Namespace);
        _frr2 = await FrrBgpdProcess.StartAsync(RouterConfig(_r2.Address, Shared), 179, _r2.Address.ToString(), _r2.Namespace);
        File.WriteAllText(Path.Combine(_dir, "frr.yaml"), $"""
            apiVersion: frrk8s.metallb.io/v1beta1
            kind: FRRConfiguration
            metadata:
              name: receive
              namespace: frr-k8s-system
            spec:
              bgp:
                routers:
                  - asn: 64513
                    neighbors:
                      - address: {_r1.Address}
                        asn: 64512
                        holdTime: 9s
                        keepaliveTime: 3s
                        connectTime: 1s
                        toReceive:
                          allowed:
                            mode: all
                      - address: {_r2.Address}
                        asn: 64512
                        holdTime: 9s
                        keepaliveTime: 3s
                        connectTime: 1s
                        toReceive:
                          allowed:
                            mode: all
            """);
    }

    public async Task DisposeAsync()
    {
        _speaker?.Dispose();
        await _frr1.DisposeAsync();
        await _frr2.DisposeAsync();
        _lan.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string RouterConfig(IPAddress self, params string[] networks) => $"""
        router bgp 64512
         bgp router-id {self}
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor {_node.Address} remote-as 64513
         neighbor {_node.Address} passive
         neighbor {_node.Address} timers 3 9
         address-family ipv4 unicast
        {string.Concat(networks.Select(n => $"  network {n}\n"))} exit-address-family

        """;

    private readonly int _statusPort = FreePort.Tcp();

    private BgpKitProcess StartSpeaker() => BgpKitProcess.Start("node-1", _node.Namespace, "speaker", "--config", _dir, "--node", "node-1",
        "--bgp-listen", "none", "--status", $"{_node.Address}:{_statusPort}", "--log-level", "debug");

    private string Metrics()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return http.GetStringAsync($"http://{_node.Address}:{_statusPort}/metrics").GetAwaiter().GetResult();
    }

    /// <summary>Our routes in the node's kernel: prefix to its sorted next hops.</summary>
    private Dictionary<string, string[]> Kernel()
    {
        var routes = (JsonArray)JsonNode.Parse(PeerDaemon.Run("ip", "-n", _node.Namespace, "-j", "route", "show", "proto", "186"))!;
        return routes.ToDictionary(r => r!["dst"]!.GetValue<string>(), r =>
            ((r!["nexthops"] as JsonArray)?.Select(h => h!["gateway"]!.GetValue<string>()) ?? [r["gateway"]!.GetValue<string>()]).Order(StringComparer.Ordinal).ToArray());
    }

    private static string Show(Dictionary<string, string[]> table) => string.Join("; ", table.Select(kv => $"{kv.Key} via {string.Join(",", kv.Value)}"));

    private async Task UntilKernelAsync(string what, Func<Dictionary<string, string[]>, bool> accept)
    {
        Dictionary<string, string[]> last = [];
        await Poll.UntilAsync(() => accept(last = Kernel()), what, TimeSpan.FromSeconds(60))
            .WithText(() => $"kernel: {Show(last)}\n{_speaker?.Log}");
    }

    private string[] Both => [_r1.Address.ToString(), _r2.Address.ToString()];

    private bool Full(Dictionary<string, string[]> k) =>
        k.Count == 2 && k.TryGetValue(Shared, out var shared) && shared.SequenceEqual(Both) && k.TryGetValue(OnlyR1, out var one) && one.SequenceEqual([_r1.Address.ToString()]);

    private bool WithoutR2(Dictionary<string, string[]> k) =>
        k.Count == 2 && k.TryGetValue(Shared, out var shared) && shared.SequenceEqual([_r1.Address.ToString()]) && k.ContainsKey(OnlyR1);

    [Fact]
    public async Task ECMP_follows_a_flapping_router_and_withdrawals_and_nothing_is_left_after_SIGTERM_or_a_crash()
    {
        _speaker = StartSpeaker();
        await UntilKernelAsync("an ECMP route via both routers and r1's own route", Full);
        var metrics = await Poll.ForAsync(Metrics, t => t.Contains("bgpkit_kernel_routes 2\n", StringComparison.Ordinal), "/metrics counting 2 kernel routes");
        Assert.Contains("bgpkit_kernel_route_changes_total{operation=\"add\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("bgpkit_kernel_route_errors_total{", metrics, StringComparison.Ordinal);

        for (var flap = 0; flap < 3; flap++)
        {
            _frr2.Kill();
            await UntilKernelAsync($"flap {flap}: the shared route via r1 alone once r2's bgpd is gone", WithoutR2);
            await _frr2.RestartAsync(RouterConfig(_r2.Address, Shared));
            await UntilKernelAsync($"flap {flap}: both next hops again once r2 is back", Full);
        }

        PeerDaemon.Run("vtysh", "--vty_socket", _frr1.Directory, "-d", "bgpd", "-c", "configure terminal", "-c", "router bgp 64512",
            "-c", "address-family ipv4 unicast", "-c", $"no network {OnlyR1}");
        await UntilKernelAsync("r1's withdrawn route gone, the ECMP route kept", k => k.Count == 1 && k.TryGetValue(Shared, out var s) && s.SequenceEqual(Both));

        _speaker.Terminate();
        Assert.True(_speaker.WaitForExit(TimeSpan.FromSeconds(30)), "speaker exits after SIGTERM\n" + _speaker.Log);
        Assert.Equal(0, _speaker.ExitCode);
        Assert.Empty(Kernel());

        // A crash leaves the routes behind; the next start removes them before installing what it receives.
        _speaker.Dispose();
        _speaker = StartSpeaker();
        await UntilKernelAsync("the ECMP route again after a restart", k => k.Count == 1 && k.TryGetValue(Shared, out var s) && s.SequenceEqual(Both));
        _speaker.Kill();
        Assert.Equal(Both, Kernel()[Shared]);
        _frr2.Kill();
        _frr1.Kill();
        _speaker.Dispose();
        _speaker = StartSpeaker();
        await UntilKernelAsync("the stale routes of the killed speaker removed at start (both routers are down)", k => k.Count == 0);
        await Poll.UntilAsync(() => _speaker.Log.Contains("removed 1 left by an earlier run", StringComparison.Ordinal), "the start to report the stale route")
            .WithText(() => _speaker.Log);
    }
}
