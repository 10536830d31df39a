using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Metrics;

public sealed class UpstreamFamiliesTests
{
    // The meters carry the real names (the table is keyed by them); the exporter listens to this
    // instance only, so speakers that other tests run in parallel never show up here.
    private static PrometheusExporter ExporterOf(Meter meter) => new(m => ReferenceEquals(m, meter));

    [Fact]
    public void Bgp_instrument_is_written_under_both_upstream_names_with_their_peer_formats_and_default_vrf()
    {
        using var meter = new Meter(UpstreamFamilies.BgpMeter);
        using var exporter = ExporterOf(meter);
        meter.CreateObservableCounter("bgp_opens_sent",
            () => new Measurement<long>(2, new("peer", "192.0.2.1"), new("port", 179)), "{message}", "OPEN messages sent");

        Assert.Equal(
            "# HELP frrk8s_bgp_opens_sent Number of BGP open messages sent\n" +
            "# TYPE frrk8s_bgp_opens_sent counter\n" +
            "frrk8s_bgp_opens_sent{peer=\"192.0.2.1\",vrf=\"default\"} 2\n" +
            "# HELP metallb_bgp_opens_sent Number of BGP open messages sent\n" +
            "# TYPE metallb_bgp_opens_sent counter\n" +
            "metallb_bgp_opens_sent{peer=\"192.0.2.1:179\",vrf=\"default\"} 2\n",
            exporter.Collect());
    }

    [Fact]
    public void Vrf_tag_becomes_the_vrf_label_and_ipv6_peers_keep_upstreams_unbracketed_form()
    {
        using var meter = new Meter(UpstreamFamilies.BgpMeter);
        using var exporter = ExporterOf(meter);
        meter.CreateObservableGauge("bgp_session_up",
            () => new Measurement<int>(1, new("peer", "2001:db8::1"), new("port", 1790), new("vrf", "red")), description: "ours");

        var text = exporter.Collect();

        Assert.Contains("# HELP frrk8s_bgp_session_up BGP session state (1 is up, 0 is down)\n# TYPE frrk8s_bgp_session_up gauge\n", text);
        Assert.Contains("frrk8s_bgp_session_up{peer=\"2001:db8::1\",vrf=\"red\"} 1\n", text);
        // MetalLB: fmt.Sprintf("%s:%d", ip, port).
        Assert.Contains("metallb_bgp_session_up{peer=\"2001:db8::1:1790\",vrf=\"red\"} 1\n", text);
        Assert.DoesNotContain("bgpkit_", text);
    }

    [Fact]
    public void Families_only_one_upstream_has_appear_under_that_name_only()
    {
        using var meter = new Meter(UpstreamFamilies.BgpMeter);
        using var exporter = ExporterOf(meter);
        meter.CreateObservableGauge("bgp_received_prefixes_total", () => new Measurement<long>(3, new("peer", "192.0.2.1"), new("port", 179)));
        meter.CreateObservableGauge("bgp_pending_prefixes_total", () => new Measurement<long>(4, new("peer", "192.0.2.1"), new("port", 179)));

        var names = Families(exporter.Collect());

        Assert.Equal(["frrk8s_bgp_received_prefixes_total", "metallb_bgp_pending_prefixes_total"], names);
    }

    [Fact]
    public void Instruments_without_an_upstream_name_keep_bgpkit_and_all_their_tags()
    {
        using var meter = new Meter(UpstreamFamilies.BgpMeter);
        using var exporter = ExporterOf(meter);
        meter.CreateObservableCounter("bgp_notifications_received",
            () => new Measurement<long>(1, new("peer", "192.0.2.1"), new("port", 179)), "{message}", "NOTIFICATION messages received");

        Assert.Equal(
            "# HELP bgpkit_bgp_notifications_received NOTIFICATION messages received\n" +
            "# TYPE bgpkit_bgp_notifications_received counter\n" +
            "bgpkit_bgp_notifications_received{peer=\"192.0.2.1\",port=\"179\"} 1\n",
            exporter.Collect());
    }

    [Fact]
    public void Bfd_counters_sum_under_both_prefixes_with_the_address_alone()
    {
        using var meter = new Meter(UpstreamFamilies.BfdMeter);
        using var exporter = ExporterOf(meter);
        var input = meter.CreateCounter<long>("bfd_control_packet_input");
        input.Add(1, new KeyValuePair<string, object?>("peer", "127.0.0.2"));
        input.Add(1, new KeyValuePair<string, object?>("peer", "127.0.0.2"));
        meter.CreateCounter<long>("bfd_state_notifications").Add(1, new KeyValuePair<string, object?>("peer", "127.0.0.2"));

        var text = exporter.Collect();

        Assert.Contains("# HELP frrk8s_bfd_control_packet_input Number of received BFD control packets\n# TYPE frrk8s_bfd_control_packet_input counter\n", text);
        Assert.Contains("frrk8s_bfd_control_packet_input{peer=\"127.0.0.2\",vrf=\"default\"} 2\n", text);
        Assert.Contains("metallb_bfd_control_packet_input{peer=\"127.0.0.2\",vrf=\"default\"} 2\n", text);
        Assert.Contains("# HELP frrk8s_bfd_zebra_notifications Number of BFD zebra notifications\n", text);
        Assert.Contains("metallb_bfd_zebra_notifications{peer=\"127.0.0.2\",vrf=\"default\"} 1\n", text);
    }

    [Fact]
    public void An_instrument_of_another_kind_than_upstreams_keeps_its_bgpkit_name()
    {
        using var meter = new Meter(UpstreamFamilies.BgpMeter);
        using var exporter = ExporterOf(meter);
        // Upstream's session_up is a gauge; a counter must not be written as one.
        meter.CreateCounter<long>("bgp_session_up").Add(1);

        Assert.Equal(["bgpkit_bgp_session_up"], Families(exporter.Collect()));
    }

    [Fact]
    public void Every_name_operators_query_in_the_seed_is_mapped()
    {
        var seeded = Directory.EnumerateFiles(SharedData.Seeds)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"\bfrrk8s_(?:bgp|bfd)_[a-z_]+").Select(m => m.Value))
            // The seed's table writes control_packets_input; FRR-K8s' collector (cmd/metrics/collector/bfd.go) has no s.
            .Select(n => n.Replace("control_packets_input", "control_packet_input", StringComparison.Ordinal))
            .ToHashSet();
        var mapped = UpstreamFamilies.All.SelectMany(e => e.Value).Select(f => f.Name).ToHashSet();

        Assert.NotEmpty(seeded);
        Assert.Empty(seeded.Except(mapped));
        // Each frrk8s_ family but received_prefixes_total has its metallb_ twin.
        var twins = mapped.Where(n => n.StartsWith("frrk8s_", StringComparison.Ordinal) && n != "frrk8s_bgp_received_prefixes_total")
            .Select(n => "metallb_" + n["frrk8s_".Length..]);
        Assert.Empty(twins.Except(mapped));
    }

    private static string[] Families(string text) =>
        text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToArray();
}
