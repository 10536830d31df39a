using System.Net;

namespace BgpKit.Bgp.Fsm;

/// <summary>Message and prefix counters of one peer since it was added.</summary>
public sealed record PeerMessageCounters(
    long OpensSent, long OpensReceived,
    long UpdatesSent, long UpdatesReceived,
    long KeepalivesSent, long KeepalivesReceived,
    long NotificationsSent, long NotificationsReceived,
    long RouteRefreshSent, long RouteRefreshReceived,
    long PrefixesAnnounced, long PrefixesReceived,
    long EstablishedTransitions)
{
    /// <summary>All messages sent.</summary>
    public long TotalSent => OpensSent + UpdatesSent + KeepalivesSent + NotificationsSent + RouteRefreshSent;

    /// <summary>All messages received.</summary>
    public long TotalReceived => OpensReceived + UpdatesReceived + KeepalivesReceived + NotificationsReceived + RouteRefreshReceived;
}

/// <summary>A snapshot of one peer for status displays: never contains the TCP MD5 password.</summary>
/// <param name="Address">The peer's address.</param>
/// <param name="State">The FSM state (RFC 4271 section 8.2.2).</param>
/// <param name="EstablishedFor">How long the session has been Established (null when it is not).</param>
/// <param name="PeerAs">The AS the peer announced in its last OPEN.</param>
/// <param name="PeerRouterId">The peer's BGP identifier.</param>
/// <param name="LocalEndPoint">Our end of the TCP connection while there is one.</param>
/// <param name="HoldTime">Negotiated hold time.</param>
/// <param name="KeepaliveTime">Keepalive interval in use.</param>
/// <param name="Capabilities">Negotiated capabilities ("mp-IPv4/Unicast", "route-refresh", ...).</param>
/// <param name="Counters">Message counters.</param>
/// <param name="LastError">The last reason the session went down (NOTIFICATION sent or received, TCP failure), if any.</param>
/// <param name="LivenessUp">The external liveness signal (BFD) bound to the peer, true when none is bound.</param>
public sealed record PeerStatus(
    IPAddress Address,
    SessionState State,
    TimeSpan? EstablishedFor,
    uint? PeerAs,
    IPAddress? PeerRouterId,
    IPEndPoint? LocalEndPoint,
    TimeSpan? HoldTime,
    TimeSpan? KeepaliveTime,
    IReadOnlyList<string> Capabilities,
    PeerMessageCounters Counters,
    string? LastError,
    bool LivenessUp)
{
    /// <summary>Each family's maximum-prefix limit with its current count (empty without limits).</summary>
    public IReadOnlyList<PrefixLimitStatus> PrefixLimits { get; init; } = [];

    /// <summary>Received prefixes the import filter refused (they never entered the Adj-RIB-In), counted since the peer was added.</summary>
    public long PrefixesRefused { get; init; }

    /// <summary>The session ended on a prefix limit and is held down (until cleared or <see cref="PrefixLimitRestartAt"/>).</summary>
    public bool PrefixLimitHeldDown { get; init; }

    /// <summary>When a peer held down by a prefix limit starts again (null: not held, or held until cleared).</summary>
    public DateTimeOffset? PrefixLimitRestartAt { get; init; }

    /// <summary>The interface of a BGP unnumbered peer (<see cref="BgpPeerOptions.Interface"/>), else null.</summary>
    public string? Interface { get; init; }

    /// <summary>The peer's end of the TCP connection while there is one: for an interface peer, its link-local address.</summary>
    public IPEndPoint? RemoteEndPoint { get; init; }
}
