using System.Diagnostics.Metrics;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The <c>BgpKit.Bgp</c> meter. Instrument names follow FRR-K8s' BGP metrics (frrk8s_bgp_* there, which the
/// Prometheus exporter writes together with MetalLB's metallb_bgp_*): session_up, opens/updates/keepalives/
/// notifications/route_refresh sent and received, total sent/received, announced, received and pending
/// prefixes (pending: MetalLB's name for the routes this peer should get, sent or not), each tagged with
/// <c>peer</c> (the address), <c>port</c> (the peer's TCP port, which MetalLB puts in its peer label) and,
/// for a session bound to a device, <c>vrf</c> (the device: in MetalLB a VRF is the device a session binds to).
/// Maximum-prefix limits (FRR-K8s has none) add bgp_prefix_limit, bgp_prefix_limit_received (tagged with the
/// peer and the family), bgp_prefix_limit_exceeded and bgp_prefix_limit_held_down, for peers with limits only.
/// </summary>
internal sealed class BgpMetrics : IDisposable
{
    public const string MeterName = "BgpKit.Bgp";

    private readonly Meter _meter;

    public BgpMetrics(IMeterFactory? factory, Func<IEnumerable<BgpSession>> sessions)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("bgp_session_up", () => Each(sessions, s => s.State == SessionState.Established ? 1 : 0), description: "1 while the BGP session is Established");
        Counter("bgp_opens_sent", "OPEN messages sent", c => c.OpensSent);
        Counter("bgp_opens_received", "OPEN messages received", c => c.OpensReceived);
        Counter("bgp_updates_total", "UPDATE messages sent", c => c.UpdatesSent);
        Counter("bgp_updates_total_received", "UPDATE messages received", c => c.UpdatesReceived);
        Counter("bgp_keepalives_sent", "KEEPALIVE messages sent", c => c.KeepalivesSent);
        Counter("bgp_keepalives_received", "KEEPALIVE messages received", c => c.KeepalivesReceived);
        Counter("bgp_notifications_sent", "NOTIFICATION messages sent", c => c.NotificationsSent);
        Counter("bgp_notifications_received", "NOTIFICATION messages received", c => c.NotificationsReceived);
        Counter("bgp_route_refresh_sent", "ROUTE-REFRESH messages sent", c => c.RouteRefreshSent);
        Counter("bgp_route_refresh_received", "ROUTE-REFRESH messages received", c => c.RouteRefreshReceived);
        Counter("bgp_total_sent", "BGP messages sent", c => c.TotalSent);
        Counter("bgp_total_received", "BGP messages received", c => c.TotalReceived);
        _meter.CreateObservableGauge("bgp_announced_prefixes_total", () => Each(sessions, s => Volatile.Read(ref s.Counters.PrefixesAnnounced)), description: "Prefixes in the Adj-RIB-Out");
        _meter.CreateObservableGauge("bgp_received_prefixes_total", () => Each(sessions, s => Volatile.Read(ref s.Counters.PrefixesReceived)), description: "Prefixes received and accepted");
        _meter.CreateObservableGauge("bgp_pending_prefixes_total", () => Each(sessions, s => Volatile.Read(ref s.Counters.PrefixesPending)), description: "Prefixes that should be advertised to the peer, sent or not");

        _meter.CreateObservableGauge("bgp_prefix_limit", () => EachLimit(sessions, l => l.MaximumPrefixes), description: "Maximum-prefix limit of the family");
        _meter.CreateObservableGauge("bgp_prefix_limit_received", () => EachLimit(sessions, l => l.Received), description: "Routes of the family counted against its maximum-prefix limit");
        _meter.CreateObservableCounter("bgp_prefix_limit_exceeded", () => Each(Limited(sessions), s => s.PrefixLimitExceededCount), "{event}", "Times a maximum-prefix limit was exceeded");
        _meter.CreateObservableGauge("bgp_prefix_limit_held_down", () => Each(Limited(sessions), s => s.Status.PrefixLimitHeldDown ? 1 : 0), description: "1 while the peer is held down by a maximum-prefix limit");

        void Counter(string name, string description, Func<PeerCounters, long> read) =>
            _meter.CreateObservableCounter(name, () => Each(sessions, s => read(s.Counters)), "{message}", description);
    }

    private static IEnumerable<Measurement<long>> Each(Func<IEnumerable<BgpSession>> sessions, Func<BgpSession, long> value)
    {
        foreach (var s in sessions())
        {
            yield return new Measurement<long>(value(s), Tags(s));
        }
    }

    private static KeyValuePair<string, object?>[] Tags(BgpSession s)
    {
        // An interface peer (BGP unnumbered) is named by its interface, as FRR names it.
        var peer = new KeyValuePair<string, object?>("peer", s.Peer.Interface ?? s.Address.ToString());
        var port = new KeyValuePair<string, object?>("port", s.Peer.Transport.RemotePort);
        return s.Peer.Transport.BindDevice is { Length: > 0 } device
            ? [peer, port, new KeyValuePair<string, object?>("vrf", device)]
            : [peer, port];
    }

    private static Func<IEnumerable<BgpSession>> Limited(Func<IEnumerable<BgpSession>> sessions) =>
        () => sessions().Where(s => s.Peer.PrefixLimits.Count > 0);

    private static IEnumerable<Measurement<long>> EachLimit(Func<IEnumerable<BgpSession>> sessions, Func<PrefixLimitStatus, long> value)
    {
        foreach (var s in sessions())
        {
            foreach (var limit in s.Status.PrefixLimits)
            {
                yield return new Measurement<long>(value(limit),
                    new KeyValuePair<string, object?>("peer", s.Peer.Interface ?? s.Address.ToString()),
                    new KeyValuePair<string, object?>("family", limit.Family.ToString()));
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
