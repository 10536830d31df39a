namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>How an upstream exporter writes its <c>peer</c> label.</summary>
internal enum PeerLabel
{
    /// <summary>The address alone: FRR-K8s (the neighbor's key in <c>show bgp neighbors json</c>) and every BFD family (bfdd's <c>peer</c> field).</summary>
    Address,

    /// <summary><c>address:port</c>, as MetalLB writes it (<c>fmt.Sprintf("%s:%d", ip, port)</c>, so an IPv6 address has no brackets).</summary>
    AddressAndPort,
}

/// <summary>One upstream Prometheus family fed by one of our instruments; with <paramref name="OwnTags"/> its labels are the instrument's tags as they are (layer 2's <c>ip</c>).</summary>
internal sealed record UpstreamFamily(string Name, MetricKind Kind, string Help, PeerLabel Peer, bool OwnTags = false);

/// <summary>
/// The one table from our instruments (meter, instrument name) to the Prometheus families that
/// dashboards and alerts query: FRR-K8s' <c>frrk8s_*</c> (metallb/frr-k8s
/// <c>cmd/metrics/collector/{bgp,bfd,metrics}.go</c>) and MetalLB's <c>metallb_*</c> (metallb/metallb
/// <c>frr-tools/metrics/collector/{bgp,bfd}.go</c>, <c>internal/bgp/metrics/metrics.go</c>, and
/// <c>internal/bgp/native/stats.go</c> for <c>pending_prefixes_total</c>). Names, types and help texts are
/// upstream's, byte for byte; every family carries upstream's labels <c>peer</c> and <c>vrf</c> (<c>default</c>
/// when the session is in no VRF, as FRR names it). An instrument listed here is exported only under these
/// names; an instrument missing from the table keeps its <c>bgpkit_</c> name.
/// </summary>
internal static class UpstreamFamilies
{
    // The meters' names (BgpKit.Bgp.Fsm.BgpMetrics.MeterName, BgpKit.Bfd.BfdMetrics.MeterName); those types are internal to their assemblies.
    public const string BgpMeter = "BgpKit.Bgp";
    public const string BfdMeter = "BgpKit.Bfd";
    public const string Layer2Meter = Kubernetes.Layer2.Layer2Metrics.MeterName;

    /// <summary>Our tag holding the peer's address (BGP and BFD).</summary>
    public const string PeerTag = "peer";

    /// <summary>Our tag holding the peer's TCP port (BGP only).</summary>
    public const string PortTag = "port";

    /// <summary>Our tag holding the VRF (the device the session is bound to), absent outside a VRF.</summary>
    public const string VrfTag = "vrf";

    /// <summary>FRR's name for the default VRF, which both upstream exporters put in the <c>vrf</c> label.</summary>
    public const string DefaultVrf = "default";

    private static readonly Dictionary<(string Meter, string Instrument), UpstreamFamily[]> Table = Build();

    /// <summary>The upstream families of an instrument, or an empty array when it has none.</summary>
    public static UpstreamFamily[] Of(string meter, string instrument) =>
        Table.TryGetValue((meter, instrument), out var families) ? families : [];

    /// <summary>Every mapped instrument with its families (for the README and the tests).</summary>
    public static IEnumerable<KeyValuePair<(string Meter, string Instrument), UpstreamFamily[]>> All => Table;

    private static Dictionary<(string, string), UpstreamFamily[]> Build()
    {
        var table = new Dictionary<(string, string), UpstreamFamily[]>();

        // BGP: both exporters, except received_prefixes_total (FRR-K8s only) and pending_prefixes_total (MetalLB only).
        Bgp("bgp_session_up", "session_up", MetricKind.Gauge, "BGP session state (1 is up, 0 is down)");
        Bgp("bgp_announced_prefixes_total", "announced_prefixes_total", MetricKind.Gauge, "Number of prefixes currently being advertised on the BGP session");
        Bgp("bgp_received_prefixes_total", "received_prefixes_total", MetricKind.Gauge, "Number of prefixes currently being received on the BGP session", metallb: false);
        Bgp("bgp_pending_prefixes_total", "pending_prefixes_total", MetricKind.Gauge, "Number of prefixes that should be advertised on the BGP session", frrk8s: false);
        Bgp("bgp_opens_sent", "opens_sent", MetricKind.Counter, "Number of BGP open messages sent");
        Bgp("bgp_opens_received", "opens_received", MetricKind.Counter, "Number of BGP open messages received");
        Bgp("bgp_notifications_sent", "notifications_sent", MetricKind.Counter, "Number of BGP notification messages sent");
        Bgp("bgp_updates_total", "updates_total", MetricKind.Counter, "Number of BGP UPDATE messages sent");
        Bgp("bgp_updates_total_received", "updates_total_received", MetricKind.Counter, "Number of BGP UPDATE messages received");
        Bgp("bgp_keepalives_sent", "keepalives_sent", MetricKind.Counter, "Number of BGP keepalive messages sent");
        Bgp("bgp_keepalives_received", "keepalives_received", MetricKind.Counter, "Number of BGP keepalive messages received");
        Bgp("bgp_route_refresh_sent", "route_refresh_sent", MetricKind.Counter, "Number of BGP route refresh messages sent");
        Bgp("bgp_total_sent", "total_sent", MetricKind.Counter, "Number of total BGP messages sent");
        Bgp("bgp_total_received", "total_received", MetricKind.Counter, "Number of total BGP messages received");

        // BFD: both exporters read bfdd, whose peer field is the address alone.
        Bfd("bfd_session_up", "session_up", MetricKind.Gauge, "BFD session state (1 is up, 0 is down)");
        Bfd("bfd_control_packet_input", "control_packet_input", MetricKind.Counter, "Number of received BFD control packets");
        Bfd("bfd_control_packet_output", "control_packet_output", MetricKind.Counter, "Number of sent BFD control packets");
        Bfd("bfd_echo_packet_input", "echo_packet_input", MetricKind.Counter, "Number of received BFD echo packets");
        Bfd("bfd_echo_packet_output", "echo_packet_output", MetricKind.Counter, "Number of sent BFD echo packets");
        Bfd("bfd_session_up_events", "session_up_events", MetricKind.Counter, "Number of BFD session up events");
        Bfd("bfd_session_down_events", "session_down_events", MetricKind.Counter, "Number of BFD session down events");
        // bfdd counts a notification to zebra on each state change; ours go to the BGP speaker (see BfdMetrics).
        Bfd("bfd_state_notifications", "zebra_notifications", MetricKind.Counter, "Number of BFD zebra notifications");

        // Layer 2: MetalLB's internal/layer2/stats.go, label ip.
        Layer2("layer2_requests_received", "Number of layer2 requests received for owned IPs");
        Layer2("layer2_responses_sent", "Number of layer2 responses sent for owned IPs in response to requests");
        Layer2("layer2_gratuitous_sent", "Number of gratuitous layer2 packets sent for owned IPs as a result of failovers");

        return table;

        void Layer2(string instrument, string help) =>
            table.Add((Layer2Meter, instrument), [new UpstreamFamily("metallb_" + instrument, MetricKind.Counter, help, PeerLabel.Address, OwnTags: true)]);

        void Bgp(string instrument, string name, MetricKind kind, string help, bool frrk8s = true, bool metallb = true)
        {
            var families = new List<UpstreamFamily>(2);
            if (frrk8s)
            {
                families.Add(new UpstreamFamily("frrk8s_bgp_" + name, kind, help, PeerLabel.Address));
            }
            if (metallb)
            {
                families.Add(new UpstreamFamily("metallb_bgp_" + name, kind, help, PeerLabel.AddressAndPort));
            }
            table.Add((BgpMeter, instrument), [.. families]);
        }

        void Bfd(string instrument, string name, MetricKind kind, string help) =>
            table.Add((BfdMeter, instrument),
            [
                new UpstreamFamily("frrk8s_bfd_" + name, kind, help, PeerLabel.Address),
                new UpstreamFamily("metallb_bfd_" + name, kind, help, PeerLabel.Address),
            ]);
    }

    /// <summary>Upstream's two labels, <c>peer</c> and <c>vrf</c>, from our tags.</summary>
    public static LabelSet Labels(UpstreamFamily family, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (family.OwnTags)
        {
            return LabelSet.From(tags);
        }
        string? peer = null;
        string? port = null;
        string? vrf = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case PeerTag:
                    peer = LabelSet.Text(tag.Value);
                    break;
                case PortTag:
                    port = LabelSet.Text(tag.Value);
                    break;
                case VrfTag:
                    vrf = LabelSet.Text(tag.Value);
                    break;
            }
        }
        if (family.Peer == PeerLabel.AddressAndPort && peer is not null && port is { Length: > 0 })
        {
            peer = peer + ":" + port;
        }
        return LabelSet.From(
        [
            new KeyValuePair<string, object?>("peer", peer ?? string.Empty),
            new KeyValuePair<string, object?>("vrf", string.IsNullOrEmpty(vrf) ? DefaultVrf : vrf),
        ]);
    }
}
