using System.Net;
using System.Text.Json.Nodes;
using BgpKit.BgpKit.Cli.Tests.Interop;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// Every status endpoint of a running <c>bgpkit speaker</c> process, and <c>bgpkit show</c> reading them, with FRR as
/// the router. Run with <c>BGPKIT_EXE</c> (.ci/aot-check.sh) it checks the NativeAOT binary, where reflection-based JSON
/// is off: a view without source-generated metadata answers 500 there and nowhere else.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerStatusProcessTests : IAsyncLifetime
{
    private const string Us = "127.0.0.1";
    private const string Router = "127.0.0.2";
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-speaker-status-").FullName;
    private FrrBgpd _bgpd = null!;

    public async Task InitializeAsync() =>
        _bgpd = await FrrBgpd.StartAsync(FrrBgpd.Config(64512, Router, Us, 64513, FreePort.Tcp()), MetalLbPort.Tcp(IPAddress.Parse(Router)), Router);

    public async Task DisposeAsync()
    {
        await _bgpd.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Each_endpoint_answers_its_view_and_show_reads_them()
    {
        File.WriteAllText(Path.Combine(_dir, "metallb.yaml"), $"""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: {"{"}name: router, namespace: metallb-system{"}"}
            spec: {"{"}myASN: 64513, peerASN: 64512, peerAddress: {Router}, peerPort: {_bgpd.Port}, sourceAddress: {Us}, holdTime: 9s, keepaliveTime: 3s{"}"}
            ---
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {"{"}name: pool, namespace: metallb-system{"}"}
            spec: {"{"}addresses: [10.100.0.0/24], avoidBuggyIPs: true{"}"}
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
            """);
        var status = $"127.0.0.1:{FreePort.Tcp()}";
        using var speaker = BgpKitProcess.Start("speaker", null, "speaker", "--config", _dir, "--node", "node-1",
            "--bgp-listen", "none", "--status", status, "--log-level", "info");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await Poll.UntilAsync(() => _bgpd.NeighborState(Us) == "Established" && _bgpd.PrefixesReceived(Us) == 1,
                "the session Established with the service route at FRR", TimeSpan.FromSeconds(60)).WithText(() => speaker.Log + _bgpd.ReadLog());

            async Task<JsonNode> Json(string path)
            {
                using var response = await http.GetAsync($"http://{status}{path}");
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}\n{speaker.Log}");
                Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
                return JsonNode.Parse(body)!;
            }

            var summary = await Json("/v1/bgp/summary");
            Assert.Equal("node-1", summary["node"]!.GetValue<string>());
            var peer = Assert.Single(summary["peers"]!.AsArray())!;
            Assert.Equal(Router, peer["address"]!.GetValue<string>());
            Assert.Equal("Established", peer["state"]!.GetValue<string>());
            var neighbor = Assert.Single((await Json("/v1/bgp/neighbors")).AsArray())!;
            Assert.Equal(Router, neighbor["summary"]!["address"]!.GetValue<string>());
            Assert.Equal(Router, neighbor["remoteRouterId"]!.GetValue<string>());
            var route = Assert.Single((await Json("/v1/bgp/routes")).AsArray())!;
            Assert.StartsWith("10.100.0.", route["prefix"]!.GetValue<string>());
            Assert.Empty((await Json("/v1/bfd/peers"))["peers"]!.AsArray());
            var config = await Json("/v1/config");
            Assert.NotNull(config["inForce"]);
            Assert.Equal("ok\n", await http.GetStringAsync($"http://{status}/readyz"));
            Assert.Contains("frrk8s_bgp_session_up{", await http.GetStringAsync($"http://{status}/metrics"));

            // bgpkit show, the client side of the same documents.
            using var show = BgpKitProcess.Start("show", null, "show", "bgp", "summary", "--status", status);
            Assert.True(show.WaitForExit(TimeSpan.FromSeconds(60)), "bgpkit show did not finish");
            Assert.True(show.ExitCode == 0, show.Log);
            // vtysh's layout: an Established session shows its uptime and received prefix count, not a state name.
            var row = show.Log.Split('\n').Single(l => l.StartsWith(Router, StringComparison.Ordinal));
            Assert.DoesNotContain("never", row, StringComparison.Ordinal);
            Assert.DoesNotContain("Idle", row, StringComparison.Ordinal);
            using var showConfig = BgpKitProcess.Start("show", null, "show", "config", "--status", status);
            Assert.True(showConfig.WaitForExit(TimeSpan.FromSeconds(60)), "bgpkit show config did not finish");
            Assert.True(showConfig.ExitCode == 0, showConfig.Log);
            Assert.Contains("10.100.0.", showConfig.Log);
            Assert.DoesNotContain("Status request", speaker.Log);
        }
        finally
        {
            speaker.Kill();
        }
    }
}
