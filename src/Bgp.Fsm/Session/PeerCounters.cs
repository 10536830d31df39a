namespace BgpKit.Bgp.Fsm;

/// <summary>Message counters of one peer, kept across sessions (FRR-K8s exports the same set).</summary>
internal sealed class PeerCounters
{
    public long OpensSent;
    public long OpensReceived;
    public long UpdatesSent;
    public long UpdatesReceived;
    public long KeepalivesSent;
    public long KeepalivesReceived;
    public long NotificationsSent;
    public long NotificationsReceived;
    public long RouteRefreshSent;
    public long RouteRefreshReceived;
    public long PrefixesAnnounced;
    public long PrefixesReceived;
    public long PrefixesRefused;
    public long PrefixesPending;
    public long EstablishedTransitions;

    public long TotalSent => Volatile.Read(ref OpensSent) + Volatile.Read(ref UpdatesSent) + Volatile.Read(ref KeepalivesSent)
        + Volatile.Read(ref NotificationsSent) + Volatile.Read(ref RouteRefreshSent);

    public long TotalReceived => Volatile.Read(ref OpensReceived) + Volatile.Read(ref UpdatesReceived) + Volatile.Read(ref KeepalivesReceived)
        + Volatile.Read(ref NotificationsReceived) + Volatile.Read(ref RouteRefreshReceived);

    public PeerMessageCounters Snapshot() => new(
        Volatile.Read(ref OpensSent), Volatile.Read(ref OpensReceived),
        Volatile.Read(ref UpdatesSent), Volatile.Read(ref UpdatesReceived),
        Volatile.Read(ref KeepalivesSent), Volatile.Read(ref KeepalivesReceived),
        Volatile.Read(ref NotificationsSent), Volatile.Read(ref NotificationsReceived),
        Volatile.Read(ref RouteRefreshSent), Volatile.Read(ref RouteRefreshReceived),
        Volatile.Read(ref PrefixesAnnounced), Volatile.Read(ref PrefixesReceived),
        Volatile.Read(ref EstablishedTransitions));
}
