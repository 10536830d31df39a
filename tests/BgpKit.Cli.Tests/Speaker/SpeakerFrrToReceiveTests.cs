using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using BgpKit.Cli;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// <c>bgpkit speaker</c> in its own process with a manifest directory holding MetalLB's configuration and an
/// FRRConfiguration for the same router, against real FRR bgpd on loopback announcing seven prefixes:
/// toReceive (filtered, with ge/le) lets exactly the matching four into the Adj-RIB-In, as
/// <c>bgpkit show bgp routes --received</c> shows, and <c>show bgp neighbors</c> counts the three refused;
/// editing the FRRConfiguration to <c>mode: all</c> brings the other three in without resetting the session.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerFrrToReceiveTests : IAsyncLifetime
{
    private const string Us = "127.0.0.1";
    private const string Router = "127.0.0.2";
    private static readonly string[] Announced = ["10.10.0.0/16", "10.10.1.0/24", "10.10.2.0/25", "10.20.0.0/24", "10.20.1.0/28", "172.16.0.0/12", "192.168.5.0/24"];
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-speaker-toreceive-e2e-").FullName;
    private FrrBgpd? _bgpd;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartFrrAsync(string? extra = null)
    {
        var networks = string.Join('\n', Announced.Select(p => "  network " + p));
        _bgpd = await FrrBgpd.StartAsync(FrrBgpd.Config(64512, Router, Us, 64513, FreePort.Tcp(), extra, ipv4: networks), MetalLbPort.Tcp(IPAddress.Parse(Router)), Router);
    }

    public async Task DisposeAsync()
    {
        if (_bgpd is not null)
        {
            await _bgpd.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private string MetalLb() => $$"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: router, namespace: metallb-system}
        spec: {myASN: 64513, peerASN: 64512, peerAddress: {{Router}}, peerPort: {{_bgpd!.Port}}, sourceAddress: {{Us}}, holdTime: 9s, keepaliveTime: 3s}
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool, namespace: metallb-system}
        spec: {addresses: [10.100.0.0/24], avoidBuggyIPs: true}
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: adv, namespace: metallb-system}
        spec: {ipAddressPools: [pool]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: default}
        spec:
          type: LoadBalancer
          ports: [{port: 80, protocol: TCP}]
        """;

    private string FrrConfiguration(string allowed) => $$"""
        apiVersion: frrk8s.metallb.io/v1beta1
        kind: FRRConfiguration
        metadata: {name: receive, namespace: metallb-system}
        spec:
          bgp:
            routers:
            - asn: 64513
              neighbors:
              - address: {{Router}}
                asn: 64512
                port: {{_bgpd!.Port}}
                sourceaddress: {{Us}}
                holdTime: 9s
                keepaliveTime: 3s
                toReceive:
                  allowed: {{allowed}}
        """;

    /// <summary>Replaces a manifest in one rename, so the speaker never reads half a file.</summary>
    private void Write(string name, string text)
    {
        var temp = Path.Combine(_dir, "." + name + ".tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, Path.Combine(_dir, name), overwrite: true);
    }

    [Fact]
    public async Task ToReceive_filtered_with_ge_le_accepts_exactly_the_matching_routes_and_mode_all_brings_the_rest_without_a_reset()
    {
        await StartFrrAsync();
        var bgpd = _bgpd!;
        Write("metallb.yaml", MetalLb());
        Write("frr.yaml", FrrConfiguration("{mode: filtered, prefixes: [{prefix: 10.10.0.0/16, le: 24}, {prefix: 10.20.0.0/16, ge: 28}, {prefix: 172.16.0.0/12}]}"));
        var status = $"127.0.0.1:{FreePort.Tcp()}";
        using var speaker = Interop.BgpKitProcess.Start("speaker", null, "speaker", "--config", _dir, "--node", "node-1",
            "--bgp-listen", "none", "--status", status, "--log-level", "all");
        try
        {
            await Poll.UntilAsync(() => bgpd.NeighborState(Us) == "Established" && bgpd.PrefixesReceived(Us) == 1,
                "the session Established with the service route at FRR", TimeSpan.FromSeconds(60)).WithText(() => speaker.Log + bgpd.ReadLog());
            string[] accepted = ["10.10.0.0/16", "10.10.1.0/24", "10.20.1.0/28", "172.16.0.0/12"];
            await Poll.UntilAsync(() => Received(status).SequenceEqual(accepted), "the four routes toReceive accepts", TimeSpan.FromSeconds(30))
                .WithText(() => string.Join(", ", Received(status)) + "\n" + speaker.Log);
            var neighbor = await Poll.ForAsync(() => Neighbor(status), n => n["prefixesRefused"]!.GetValue<long>() == 3,
                "three refused in show bgp neighbors", TimeSpan.FromSeconds(30));
            Assert.Equal("10.10.0.0/16 le 24,10.20.0.0/16 ge 28,172.16.0.0/12", neighbor["toReceive"]!.GetValue<string>());
            Assert.Equal(1, neighbor["establishedTransitions"]!.GetValue<long>());
            var table = await Show(status, "bgp", "routes", "--received");
            Assert.Equal(0, table.Code);
            Assert.Contains("10.20.1.0/28", table.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("10.20.0.0/24", table.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("192.168.5.0/24", table.Out, StringComparison.Ordinal);
            var neighbors = await Show(status, "bgp", "neighbors");
            Assert.Contains("received 4, refused by toReceive 3 (accepts 10.10.0.0/16 le 24,10.20.0.0/16 ge 28,172.16.0.0/12)\n", neighbors.Out, StringComparison.Ordinal);
            var config = await Show(status, "config");
            Assert.Contains("accepts 10.10.0.0/16 le 24,10.20.0.0/16 ge 28,172.16.0.0/12\n", config.Out, StringComparison.Ordinal);
            var established = FrrEstablished();

            Write("frr.yaml", FrrConfiguration("{mode: all}"));
            await Poll.UntilAsync(() => Received(status).SequenceEqual(Announced.Order(StringComparer.Ordinal)), "all seven routes after mode: all", TimeSpan.FromSeconds(60))
                .WithText(() => string.Join(", ", Received(status)) + "\n" + speaker.Log);
            Assert.Equal(1, Neighbor(status)["establishedTransitions"]!.GetValue<long>());
            Assert.Equal("all", Neighbor(status)["toReceive"]!.GetValue<string>());
            Assert.Equal(established, FrrEstablished());
            Assert.Equal("Established", bgpd.NeighborState(Us));
            Assert.True(bgpd.ShowJson($"show bgp neighbors {Us} json")[Us]!["messageStats"]!["routeRefreshRecv"]!.GetValue<long>() >= 1, "FRR got no ROUTE-REFRESH");
        }
        finally
        {
            speaker.Kill();
        }
    }

    [Fact]
    public async Task A_peer_without_ROUTE_REFRESH_is_reset_to_bring_in_what_the_new_filter_accepts()
    {
        // FRR sends no capabilities at all: it cannot be asked to send its routes again.
        await StartFrrAsync($" neighbor {Us} dont-capability-negotiate");
        var bgpd = _bgpd!;
        Write("metallb.yaml", MetalLb());
        Write("frr.yaml", FrrConfiguration("{mode: filtered, prefixes: [{prefix: 172.16.0.0/12}]}"));
        var status = $"127.0.0.1:{FreePort.Tcp()}";
        using var speaker = Interop.BgpKitProcess.Start("speaker", null, "speaker", "--config", _dir, "--node", "node-1",
            "--bgp-listen", "none", "--status", status, "--log-level", "all");
        try
        {
            await Poll.UntilAsync(() => Received(status).SequenceEqual(["172.16.0.0/12"]), "the one route toReceive accepts", TimeSpan.FromSeconds(60))
                .WithText(() => string.Join(", ", Received(status)) + "\n" + speaker.Log + bgpd.ReadLog());
            Assert.DoesNotContain("route-refresh", Neighbor(status)["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()));
            Assert.Equal(1, FrrEstablished());

            Write("frr.yaml", FrrConfiguration("{mode: all}"));
            await Poll.UntilAsync(() => Received(status).SequenceEqual(Announced.Order(StringComparer.Ordinal)), "all seven routes after the reset", TimeSpan.FromSeconds(60))
                .WithText(() => string.Join(", ", Received(status)) + "\n" + speaker.Log);
            // A new session: FRR counts a second establishment (our side starts a new peer, its counters anew).
            Assert.Equal(2, FrrEstablished());
        }
        finally
        {
            speaker.Kill();
        }
    }

    private int FrrEstablished() => _bgpd!.ShowJson($"show bgp neighbors {Us} json")[Us]!["connectionsEstablished"]!.GetValue<int>();

    private static string[] Received(string status)
    {
        var (code, output, _) = Show(status, "bgp", "routes", "--received", "--json").GetAwaiter().GetResult();
        return code != 0 ? [] : JsonNode.Parse(output)!.AsArray().Select(r => r!["prefix"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
    }

    private static JsonNode Neighbor(string status)
    {
        var (code, output, error) = Show(status, "bgp", "neighbors", "--json").GetAwaiter().GetResult();
        Assert.True(code == 0, error);
        return JsonNode.Parse(output)!.AsArray().Single()!;
    }

    private static async Task<(int Code, string Out, string Err)> Show(string status, params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ShowCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await root.Parse(["show", .. args, "--status", status]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
