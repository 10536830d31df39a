using System.Net;
using System.Text.Json.Nodes;
using BgpKit.BgpKit.Cli.Tests.Interop;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// The IPv6 side of <see cref="SpeakerKernelRoutesFrrTests"/>: two FRR bgpd routers with IPv6 sessions give the same
/// IPv6 prefix; the node's kernel holds one multipath route via both routers' global addresses (the MP_REACH_NLRI
/// next hop, not the link-local one), loses a next hop while a router is down, and is left clean by SIGTERM.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerKernelRoutesIpv6FrrTests : IAsyncLifetime
{
    private const string Shared = "2001:db8:100::/48";
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-kernel-routes6-e2e-").FullName;
    private readonly string _subnet = $"fd00:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}::";
    private NetBridge _lan = null!;
    private string _node = null!;
    private readonly IPAddress[] _routers = new IPAddress[2];
    private readonly FrrBgpdProcess[] _frr = new FrrBgpdProcess[2];
    private IPAddress _nodeAddress = null!;
    private BgpKitProcess? _speaker;

    public async Task InitializeAsync()
    {
        _lan = NetBridge.Create("bgpkit-kr6");
        _node = Attach("node", 11, out _nodeAddress);
        var names = new string[2];
        for (var i = 0; i < 2; i++)
        {
            names[i] = Attach($"r{i + 1}", 2 + i, out _routers[i]);
        }
        for (var i = 0; i < 2; i++)
        {
            _frr[i] = await FrrBgpdProcess.StartAsync(RouterConfig(i), 179, _routers[i].ToString(), names[i]);
        }
        var neighbors = string.Concat(_routers.Select(r => $"""
                      - address: "{r}"
                        asn: 64512
                        holdTime: 9s
                        keepaliveTime: 3s
                        connectTime: 1s
                        toReceive:
                          allowed:
                            mode: all

            """));
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
                    id: 10.0.0.11
                    neighbors:
            {neighbors}
            """);
    }

    // A namespace on the bridge with an IPv6 address of its own (no duplicate address detection, so it is usable at once).
    private string Attach(string role, int host, out IPAddress address)
    {
        var (name, _) = _lan.AddNamespace(role, host);
        var links = (JsonArray)JsonNode.Parse(PeerDaemon.Run("ip", "-n", name, "-j", "link", "show"))!;
        var device = links.Select(l => l!["ifname"]!.GetValue<string>()).Single(n => n != "lo");
        address = IPAddress.Parse($"{_subnet}{host:x}");
        PeerDaemon.Run("ip", "-n", name, "-6", "addr", "add", $"{address}/64", "dev", device, "nodad");
        return name;
    }

    public async Task DisposeAsync()
    {
        _speaker?.Dispose();
        foreach (var frr in _frr)
        {
            if (frr is not null)
            {
                await frr.DisposeAsync();
            }
        }
        _lan.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string RouterConfig(int i) => $"""
        router bgp 64512
         bgp router-id 10.0.0.{2 + i}
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor {_nodeAddress} remote-as 64513
         neighbor {_nodeAddress} passive
         neighbor {_nodeAddress} timers 3 9
         address-family ipv6 unicast
          neighbor {_nodeAddress} activate
          network {Shared}
         exit-address-family

        """;

    private string[] NextHops()
    {
        var routes = (JsonArray)JsonNode.Parse(PeerDaemon.Run("ip", "-n", _node, "-6", "-j", "route", "show", "proto", "186"))!;
        var route = routes.SingleOrDefault(r => r!["dst"]!.GetValue<string>() == Shared);
        return route is null ? [] : ((route["nexthops"] as JsonArray)?.Select(h => h!["gateway"]!.GetValue<string>()) ?? [route["gateway"]!.GetValue<string>()])
            .Order(StringComparer.Ordinal).ToArray();
    }

    private async Task UntilNextHopsAsync(string what, params IPAddress[] expected)
    {
        var want = expected.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray();
        string[] last = [];
        await Poll.UntilAsync(() => (last = NextHops()).SequenceEqual(want), what, TimeSpan.FromSeconds(60))
            .WithText(() => $"next hops: {string.Join(",", last)}\n{_speaker?.Log}");
    }

    [Fact]
    public async Task An_IPv6_ECMP_route_follows_a_router_going_away_and_coming_back_and_goes_with_SIGTERM()
    {
        _speaker = BgpKitProcess.Start("node-1", _node, "speaker", "--config", _dir, "--node", "node-1",
            "--bgp-listen", "none", "--status", "none", "--log-level", "debug");
        await UntilNextHopsAsync("an IPv6 ECMP route via both routers' global addresses", _routers);

        _frr[1].Kill();
        await UntilNextHopsAsync("the route via r1 alone once r2's bgpd is gone", _routers[0]);
        await _frr[1].RestartAsync(RouterConfig(1));
        await UntilNextHopsAsync("both next hops again", _routers);

        _speaker.Terminate();
        Assert.True(_speaker.WaitForExit(TimeSpan.FromSeconds(30)), "speaker exits after SIGTERM\n" + _speaker.Log);
        Assert.Equal(0, _speaker.ExitCode);
        Assert.Empty(NextHops());
    }
}
