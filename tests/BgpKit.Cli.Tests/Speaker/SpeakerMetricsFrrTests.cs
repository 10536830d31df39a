using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using BgpKit.BgpKit.Cli.Tests.Otlp;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// <c>bgpkit speaker</c> in its own process against real FRR bgpd and bfdd on loopback, BGP with BFD: its
/// <c>/metrics</c> carries FRR-K8s' and MetalLB's families with upstream's TYPE lines and labels, the values
/// agree with the session (Up, OPENs exchanged, the service route announced) and the BFD packet counters grow
/// between two scrapes; the same process exports over OTLP/HTTP to a loopback receiver because OTEL_* says so.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerMetricsFrrTests : IAsyncLifetime
{
    private const string Us = "127.0.0.1";
    private const string Router = "127.0.0.2";
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-speaker-metrics-e2e-").FullName;
    private FrrBfdd _bfdd = null!;
    private FrrBgpd _bgpd = null!;

    public async Task InitializeAsync()
    {
        _bfdd = FrrBfdd.Start($"bfd\n peer {Us} local-address {Router}\n  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 3\n");
        _bgpd = await FrrBgpd.StartAsync(FrrBgpd.Config(64512, Router, Us, 64513, FreePort.Tcp()), MetalLbPort.Tcp(IPAddress.Parse(Router)), Router);
    }

    public async Task DisposeAsync()
    {
        await _bgpd.DisposeAsync();
        _bfdd.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Manifests() => $"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata:
          name: router
          namespace: metallb-system
        spec:
          myASN: 64513
          peerASN: 64512
          peerAddress: {Router}
          peerPort: {_bgpd.Port}
          sourceAddress: {Us}
          holdTime: 9s
          keepaliveTime: 3s
          bfdProfile: fast
        ---
        apiVersion: metallb.io/v1beta1
        kind: BFDProfile
        metadata:
          name: fast
          namespace: metallb-system
        spec:
          receiveInterval: 100
          transmitInterval: 100
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: pool
          namespace: metallb-system
        spec:
          addresses:
            - 10.100.0.0/24
          avoidBuggyIPs: true
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata:
          name: adv
          namespace: metallb-system
        spec:
          ipAddressPools:
            - pool
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
    public async Task Metrics_carry_frrk8s_and_metallb_families_with_upstream_types_labels_and_live_values_and_go_out_over_otlp()
    {
        File.WriteAllText(Path.Combine(_dir, "metallb.yaml"), Manifests());
        var status = $"127.0.0.1:{FreePort.Tcp()}";
        using var receiver = new OtlpReceiver();
        var otlp = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };
        using var speaker = BgpKit.Cli.Tests.Interop.BgpKitProcess.Start("speaker", null, otlp, "speaker", "--config", _dir, "--node", "node-1",
            "--bgp-listen", "none", "--status", status, "--log-level", "all");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await Poll.UntilAsync(() => _bgpd.NeighborState(Us) == "Established" && _bgpd.PrefixesReceived(Us) == 1,
                "the session Established with the service route at FRR", TimeSpan.FromSeconds(60)).WithText(() => speaker.Log + _bgpd.ReadLog());
            await Poll.UntilAsync(() => _bfdd.PeerStatus(Us) == "up", "bfdd Up", TimeSpan.FromSeconds(30)).WithText(() => speaker.Log + _bfdd.LogText());

            var bgpPeer = $"peer=\"{Router}\",vrf=\"default\"";
            var metallbBgpPeer = $"peer=\"{Router}:{_bgpd.Port}\",vrf=\"default\"";
            var bfdPeer = $"peer=\"{Router}\",vrf=\"default\"";
            // Our announced count follows the UPDATE a moment after FRR counts it; wait for it in the scrape.
            var first = await Poll.ForAsync(() => http.GetStringAsync($"http://{status}/metrics").GetAwaiter().GetResult(),
                t => Value(t, "frrk8s_bgp_announced_prefixes_total", bgpPeer) == 1 && Value(t, "frrk8s_bfd_session_up", bfdPeer) == 1,
                "/metrics showing the route announced and BFD Up", TimeSpan.FromSeconds(30));

            // Types as upstream declares them.
            foreach (var prefix in new[] { "frrk8s", "metallb" })
            {
                foreach (var gauge in new[] { "bgp_session_up", "bgp_announced_prefixes_total", "bfd_session_up" })
                {
                    Assert.Contains($"# TYPE {prefix}_{gauge} gauge\n", first);
                }
                foreach (var counter in new[] { "bgp_opens_sent", "bgp_opens_received", "bgp_updates_total", "bgp_updates_total_received",
                    "bgp_keepalives_sent", "bgp_keepalives_received", "bgp_notifications_sent", "bgp_route_refresh_sent", "bgp_total_sent",
                    "bgp_total_received", "bfd_control_packet_input", "bfd_control_packet_output", "bfd_echo_packet_input",
                    "bfd_echo_packet_output", "bfd_session_up_events", "bfd_session_down_events", "bfd_zebra_notifications" })
                {
                    Assert.Contains($"# TYPE {prefix}_{counter} counter\n", first);
                }
            }
            Assert.Contains("# TYPE frrk8s_bgp_received_prefixes_total gauge\n", first);
            Assert.Contains("# TYPE metallb_bgp_pending_prefixes_total gauge\n", first);
            Assert.Contains("# HELP frrk8s_bgp_session_up BGP session state (1 is up, 0 is down)\n", first);
            Assert.Contains("# HELP metallb_bfd_control_packet_input Number of received BFD control packets\n", first);
            // What upstream names is not written a second time under bgpkit_.
            Assert.DoesNotContain("bgpkit_bgp_session_up", first);
            Assert.DoesNotContain("bgpkit_bfd_control_packet_input", first);

            // Values: the session is up, OPENs went both ways, the message totals cover them, the route is out.
            Assert.Equal(1, Value(first, "frrk8s_bgp_session_up", bgpPeer));
            Assert.Equal(1, Value(first, "metallb_bgp_session_up", metallbBgpPeer));
            Assert.True(Value(first, "frrk8s_bgp_opens_sent", bgpPeer) >= 1);
            Assert.True(Value(first, "metallb_bgp_opens_received", metallbBgpPeer) >= 1);
            Assert.True(Value(first, "frrk8s_bgp_updates_total", bgpPeer) >= 1);
            Assert.True(Value(first, "frrk8s_bgp_total_sent", bgpPeer) >= Value(first, "frrk8s_bgp_opens_sent", bgpPeer) + Value(first, "frrk8s_bgp_updates_total", bgpPeer));
            Assert.Equal(0, Value(first, "frrk8s_bgp_notifications_sent", bgpPeer));
            Assert.Equal(1, Value(first, "metallb_bgp_announced_prefixes_total", metallbBgpPeer));
            Assert.Equal(1, Value(first, "metallb_bgp_pending_prefixes_total", metallbBgpPeer));
            Assert.Equal(1, Value(first, "metallb_bfd_session_up", bfdPeer));
            Assert.True(Value(first, "frrk8s_bfd_session_up_events", bfdPeer) >= 1);
            Assert.True(Value(first, "frrk8s_bfd_zebra_notifications", bfdPeer) >= 1);
            Assert.Equal(0, Value(first, "frrk8s_bfd_echo_packet_output", bfdPeer));

            // BFD control packets flow both ways: the counters grow between two scrapes (100 ms intervals).
            var input = Value(first, "frrk8s_bfd_control_packet_input", bfdPeer);
            var output = Value(first, "metallb_bfd_control_packet_output", bfdPeer);
            Assert.True(input >= 1 && output >= 1, $"control packets in {input}, out {output}");
            var later = await Poll.ForAsync(() => http.GetStringAsync($"http://{status}/metrics").GetAwaiter().GetResult(),
                t => Value(t, "frrk8s_bfd_control_packet_input", bfdPeer) > input && Value(t, "metallb_bfd_control_packet_output", bfdPeer) > output,
                "BFD control packet counters to grow", TimeSpan.FromSeconds(10));
            Assert.Equal(0, Value(later, "frrk8s_bfd_session_down_events", bfdPeer));

            // OTLP/HTTP export of the same instruments, under their meter's names.
            await Poll.UntilAsync(() => receiver.Received("bgp_session_up") && receiver.Received("bfd_control_packet_input") && receiver.Received("BgpKit.Bgp"),
                "an OTLP export naming the BGP and BFD instruments", TimeSpan.FromSeconds(30)).WithText(() => speaker.Log);
            Assert.True(receiver.Received("bgpkit-speaker"), "the OTLP resource did not name the service");
        }
        finally
        {
            speaker.Kill();
        }
    }

    /// <summary>The value of one series, or NaN when the scrape does not have it.</summary>
    private static double Value(string text, string name, string labels)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(name + "{" + labels + "}") + " (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
