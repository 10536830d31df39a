using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BgpKit.Cli;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// <c>bgpkit speaker</c> run as users run it (the built command in its own process) against real FRR bgpd and
/// bfdd on loopback: a BGPPeer with a BFDProfile and a TCP MD5 password. BFD comes up with the profile's
/// intervals as bfdd sees them and <c>bgpkit show bfd peers --json</c> agrees with bfdd; the MD5 session is
/// Established; the password is in no view, log line or metric; sent routes show the next hop on the wire.
/// Then the node's local AS and router ID change in the manifests: the session is reset alone and comes back
/// with the new values, without restarting the speaker and without a BFD flap.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerFrrBfdTests : IAsyncLifetime
{
    private const string Us = "127.0.0.1";
    private const string Router = "127.0.0.2";
    private const string Password = "Md5-s3cret-7f3a";
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-speaker-bfd-e2e-").FullName;
    private FrrBfdd _bfdd = null!;
    private FrrBgpd _bgpd = null!;

    public async Task InitializeAsync()
    {
        // bfdd (machine lock "bfdd") runs bfdd's defaults, faster than our profile, so that each side's negotiated
        // intervals are the profile's: bfdd's 100 ms against our 210 ms transmit and 220 ms receive.
        _bfdd = FrrBfdd.Start($"bfd\n peer {Us} local-address {Router}\n  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 3\n");
        // remote-as external: FRR takes any AS but its own, so the node may move to another AS.
        var config = FrrBgpd.Config(64512, Router, Us, 64513, FreePort.Tcp(), extra: $" neighbor {Us} password {Password}")
            .Replace($"neighbor {Us} remote-as 64513", $"neighbor {Us} remote-as external", StringComparison.Ordinal);
        _bgpd = await FrrBgpd.StartAsync(config, MetalLbPort.Tcp(IPAddress.Parse(Router)), Router);
    }

    public async Task DisposeAsync()
    {
        await _bgpd.DisposeAsync();
        _bfdd.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Manifests(uint myAsn = 64513, string routerId = Us) => $"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata:
          name: dc1-router-primary
          namespace: metallb-system
        spec:
          myASN: {myAsn}
          peerASN: 64512
          peerAddress: {Router}
          peerPort: {_bgpd.Port}
          sourceAddress: {Us}
          routerID: {routerId}
          holdTime: 9s
          keepaliveTime: 3s
          password: {Password}
          bfdProfile: fast-detect
        ---
        apiVersion: metallb.io/v1beta1
        kind: BFDProfile
        metadata:
          name: fast-detect
          namespace: metallb-system
        spec:
          receiveInterval: 220
          transmitInterval: 210
          detectMultiplier: 4
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: production-pool
          namespace: metallb-system
        spec:
          addresses:
            - 10.100.0.0/24
          avoidBuggyIPs: true
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata:
          name: dc1-primary-advertisement
          namespace: metallb-system
        spec:
          ipAddressPools:
            - production-pool
          peers:
            - dc1-router-primary
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: api
          namespace: default
        spec:
          type: LoadBalancer
          ports:
            - port: 80
              protocol: TCP
        """;

    [Fact]
    public async Task Bfd_profile_md5_password_and_a_new_local_asn_against_frr_bgpd_and_bfdd()
    {
        File.WriteAllText(Path.Combine(_dir, "metallb.yaml"), Manifests());
        var status = $"127.0.0.1:{FreePort.Tcp()}";
        using var speaker = BgpKit.Cli.Tests.Interop.BgpKitProcess.Start("speaker", null, "speaker", "--config", _dir, "--node", "node-1",
            "--bgp-listen", "none", "--status", status, "--log-level", "all");
        try
        {
            await Poll.UntilAsync(() => _bgpd.NeighborState(Us) == "Established" && _bgpd.PrefixesReceived(Us) == 1,
                "the MD5 session Established with the service route at FRR", TimeSpan.FromSeconds(60)).WithText(() => speaker.Log + _bgpd.ReadLog());
            await Poll.UntilAsync(() => _bfdd.PeerStatus(Us) == "up" && _bfdd.Peer(Us)?.GetProperty("remote-receive-interval").GetInt32() == 220,
                "bfdd Up with the profile's intervals", TimeSpan.FromSeconds(30)).WithText(() => speaker.Log + _bfdd.LogText());

            // bfdd sees the BFDProfile's intervals and multiplier as ours.
            var frr = JsonNode.Parse(_bfdd.Peer(Us)!.Value.GetRawText())!;
            Assert.Equal(220, frr["remote-receive-interval"]!.GetValue<int>());
            Assert.Equal(210, frr["remote-transmit-interval"]!.GetValue<int>());
            Assert.Equal(4, frr["remote-detect-multiplier"]!.GetValue<int>());

            // `bgpkit show bfd peers --json` agrees with bfdd.
            var ours = JsonNode.Parse((await Show(status, "bfd", "peers", "--json")).Out)!["peers"]!.AsArray().Single()!;
            Assert.Equal(Router, ours["peer"]!.GetValue<string>());
            Assert.Equal(Us, ours["localAddress"]!.GetValue<string>());
            Assert.Equal("Up", ours["state"]!.GetValue<string>());
            Assert.Equal("Up", ours["remoteState"]!.GetValue<string>());
            Assert.Equal(frr["remote-id"]!.GetValue<long>(), ours["localDiscriminator"]!.GetValue<long>());
            Assert.Equal(frr["id"]!.GetValue<long>(), ours["remoteDiscriminator"]!.GetValue<long>());
            Assert.Equal(210, ours["transmitInterval"]!.GetValue<long>());   // max(our 210, bfdd's required 100)
            Assert.Equal(220, ours["receiveInterval"]!.GetValue<long>());    // max(our 220, bfdd's desired 100)
            Assert.Equal(4, ours["detectMultiplier"]!.GetValue<int>());
            Assert.Equal(frr["detect-multiplier"]!.GetValue<int>() * 220, ours["detectionTime"]!.GetValue<long>()); // RFC 5880 6.8.4

            // Sent routes show the next hop on the wire (our end of the session), as FRR received it.
            var routes = JsonNode.Parse((await Show(status, "bgp", "routes", "--json")).Out)!.AsArray();
            var sent = Assert.Single(routes);
            Assert.Equal("10.100.0.1/32", sent!["prefix"]!.GetValue<string>());
            Assert.Equal(Us, sent["nextHop"]!.GetValue<string>());
            var atFrr = _bgpd.ShowJson("show bgp ipv4 unicast 10.100.0.1/32 json")["paths"]![0]!["nexthops"]![0]!["ip"]!.GetValue<string>();
            Assert.Equal(atFrr, sent["nextHop"]!.GetValue<string>());
            Assert.Contains($"*> 10.100.0.1/32        {Us}  ", (await Show(status, "bgp", "routes")).Out);

            // The password is in no view (table or JSON), no metric, no log line.
            var seen = new StringBuilder();
            foreach (var view in new[] { "bgp summary", "bgp neighbors", "bgp routes", "bgp routes --received", "bfd peers", "bfd peers brief", "config" })
            {
                foreach (var json in new[] { false, true })
                {
                    var args = view.Split(' ').Concat(json ? ["--json"] : Array.Empty<string>()).ToArray();
                    var result = await Show(status, args);
                    Assert.True(result.Code == 0, $"show {string.Join(' ', args)}: {result.Err}");
                    seen.Append(result.Out).Append(result.Err);
                }
            }
            Assert.Contains("\"hasPassword\": true", (await Show(status, "config", "--json")).Out);
            using var http = new HttpClient();
            var metrics = await http.GetStringAsync($"http://{status}/metrics");
            Assert.Contains("frrk8s_bfd_session_up{peer=\"127.0.0.2\",vrf=\"default\"} 1\n", metrics);
            seen.Append(metrics);
            Assert.DoesNotContain(Password, seen.ToString(), StringComparison.Ordinal);

            // A new local AS and router ID for the node: the session is reset (Cease, other configuration change)
            // and comes back with the new values and its route, without a restart; BFD does not flap.
            var connections = Neighbor()["connectionsEstablished"]!.GetValue<int>();
            var discriminator = ours["localDiscriminator"]!.GetValue<long>();
            var temp = Path.Combine(_dir, ".metallb.yaml.tmp");
            File.WriteAllText(temp, Manifests(myAsn: 64600, routerId: "127.0.0.9"));
            File.Move(temp, Path.Combine(_dir, "metallb.yaml"), overwrite: true);
            await Poll.UntilAsync(() => Neighbor() is var n && n["bgpState"]?.GetValue<string>() == "Established"
                && n["remoteAs"]?.GetValue<long>() == 64600 && n["remoteRouterId"]?.GetValue<string>() == "127.0.0.9" && _bgpd.PrefixesReceived(Us) == 1,
                "the session back with AS 64600 and router ID 127.0.0.9", TimeSpan.FromSeconds(60)).WithText(() => speaker.Log + _bgpd.ReadLog());
            Assert.Equal(connections + 1, Neighbor()["connectionsEstablished"]!.GetValue<int>());
            // bgpd 8.4 keeps its older lastResetDueTo in the JSON here; its log names the NOTIFICATION it received.
            Assert.Contains($"received from neighbor {Us} 6/6 (Cease/Other Configuration Change)", _bgpd.ReadLog(), StringComparison.Ordinal);
            Assert.Equal("64600", _bgpd.ShowJson("show bgp ipv4 unicast 10.100.0.1/32 json")["paths"]![0]!["aspath"]!["string"]!.GetValue<string>());
            var bfdAfter = JsonNode.Parse((await Show(status, "bfd", "peers", "--json")).Out)!["peers"]!.AsArray().Single()!;
            Assert.Equal(discriminator, bfdAfter["localDiscriminator"]!.GetValue<long>());
            Assert.Equal(0, bfdAfter["downEvents"]!.GetValue<long>());
            Assert.Equal("Up", bfdAfter["state"]!.GetValue<string>());

            // Graceful stop (SIGTERM): exit 0, BFD AdminDown seen by bfdd, and the complete log holds no password.
            speaker.Terminate();
            Assert.True(speaker.WaitForExit(TimeSpan.FromSeconds(30)), "speaker did not stop on SIGTERM");
            Assert.Equal(0, speaker.ExitCode);
            await Poll.UntilAsync(() => _bfdd.PeerStatus(Us) == "down", "bfdd to see our BFD session go down", TimeSpan.FromSeconds(10));
            Assert.Contains("Established", speaker.Log, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, speaker.Log, StringComparison.Ordinal);
        }
        finally
        {
            speaker.Kill();
        }
    }

    private JsonNode Neighbor() => _bgpd.ShowJson($"show bgp neighbors {Us} json")[Us]!;

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

internal static class PollText
{
    /// <summary>Adds <paramref name="describe"/>'s text (logs) to a polling timeout.</summary>
    public static async Task WithText(this Task poll, Func<string> describe)
    {
        try
        {
            await poll;
        }
        catch (TimeoutException e)
        {
            var text = describe();
            throw new TimeoutException(e.Message + "\n" + (text.Length > 12000 ? text[^12000..] : text), e);
        }
    }
}
