namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>
/// One row of <c>show bgp summary</c>: a BGP session of this node as the status endpoint serves it
/// (<c>GET /v1/bgp/summary</c>). The JSON field names are a contract with scripts that read them.
/// </summary>
/// <param name="Name">The BGPPeer resource name.</param>
/// <param name="Address">The peer's address, or its interface name for BGP unnumbered (BGPPeer <c>interface</c>).</param>
/// <param name="Port">The peer's TCP port.</param>
/// <param name="RemoteAsn">The peer's AS number (the configured one, or the one it sent for a dynamic ASN).</param>
/// <param name="LocalAsn">Our AS number on this session.</param>
/// <param name="State">The RFC 4271 state: Idle, Connect, Active, OpenSent, OpenConfirm, Established.</param>
/// <param name="Uptime">Whole seconds since the session reached Established; 0 when it is not.</param>
/// <param name="PrefixesSent">Prefixes in the Adj-RIB-Out of this session.</param>
/// <param name="PrefixesReceived">Prefixes accepted from the peer.</param>
/// <param name="MessagesSent">BGP messages sent on this session, all types.</param>
/// <param name="MessagesReceived">BGP messages received on this session, all types.</param>
/// <param name="LastError">The last reason the session went down (a NOTIFICATION or a transport error), if any.</param>
public sealed record BgpPeerSummary(
    string Name,
    string Address,
    int Port,
    long RemoteAsn,
    long LocalAsn,
    string State,
    long Uptime,
    long PrefixesSent,
    long PrefixesReceived,
    long MessagesSent,
    long MessagesReceived,
    string? LastError);

/// <summary><c>show bgp summary</c>: the node's BGP identity and one row per session.</summary>
/// <param name="Node">The node this speaker runs for.</param>
/// <param name="RouterId">The BGP identifier in use (empty before the first configuration).</param>
/// <param name="LocalAsn">Our AS number (0 before the first configuration).</param>
/// <param name="Peers">The sessions, ordered by name.</param>
public sealed record BgpSummaryView(string Node, string RouterId, long LocalAsn, IReadOnlyList<BgpPeerSummary> Peers);

/// <summary>Sent and received counts of one BGP message type.</summary>
/// <param name="Sent">Messages sent.</param>
/// <param name="Received">Messages received.</param>
public sealed record MessageCount(long Sent, long Received);

/// <summary><c>show bgp neighbors NAME</c>: everything about one session.</summary>
/// <param name="Summary">The summary row of this session.</param>
/// <param name="LocalAddress">Our end of the TCP connection (or the configured source address).</param>
/// <param name="RouterId">Our BGP identifier on this session.</param>
/// <param name="RemoteRouterId">The peer's BGP identifier (empty before OPEN).</param>
/// <param name="HoldTime">The configured hold time in seconds.</param>
/// <param name="KeepaliveTime">The configured keepalive time in seconds.</param>
/// <param name="NegotiatedHoldTime">The hold time agreed in OPEN, in seconds (0 when not negotiated).</param>
/// <param name="EbgpMultiHop">Whether eBGP multihop is configured.</param>
/// <param name="BfdProfile">The BFD profile bound to this session, if any.</param>
/// <param name="BfdState">The state of that BFD session, if any.</param>
/// <param name="Capabilities">Negotiated capabilities by name.</param>
/// <param name="Opens">OPEN messages.</param>
/// <param name="Updates">UPDATE messages.</param>
/// <param name="Keepalives">KEEPALIVE messages.</param>
/// <param name="Notifications">NOTIFICATION messages.</param>
/// <param name="RouteRefreshes">ROUTE-REFRESH messages.</param>
/// <param name="EstablishedTransitions">How many times the session reached Established.</param>
public sealed record BgpNeighborView(
    BgpPeerSummary Summary,
    string LocalAddress,
    string RouterId,
    string RemoteRouterId,
    int HoldTime,
    int KeepaliveTime,
    int NegotiatedHoldTime,
    bool EbgpMultiHop,
    string? BfdProfile,
    string? BfdState,
    IReadOnlyList<string> Capabilities,
    MessageCount Opens,
    MessageCount Updates,
    MessageCount Keepalives,
    MessageCount Notifications,
    MessageCount RouteRefreshes,
    long EstablishedTransitions)
{
    /// <summary>Received prefixes refused by the session's toReceive filter (they never entered its Adj-RIB-In).</summary>
    public long PrefixesRefused { get; init; }

    /// <summary>The toReceive filter in force: <c>all</c>, <c>none</c>, or the accepted prefixes with ge/le.</summary>
    public string ToReceive { get; init; } = "none";
}

/// <summary>One route of <c>show bgp routes</c>, sent to or received from a peer.</summary>
/// <param name="Peer">The BGPPeer name.</param>
/// <param name="Prefix">The prefix in CIDR notation.</param>
/// <param name="Direction"><c>sent</c> or <c>received</c>.</param>
/// <param name="NextHop">The NEXT_HOP (or MP_REACH next hop) as sent or received: for sent routes our end of the session's connection, the address BgpSpeaker puts on the wire; empty while the session has no connection.</param>
/// <param name="LocalPref">LOCAL_PREF when present (iBGP).</param>
/// <param name="Med">MULTI_EXIT_DISC when present.</param>
/// <param name="AsPath">The AS_PATH as FRR prints it (<c>64512 64513</c>), empty for a local route.</param>
/// <param name="Communities">Communities as <c>a:b</c> or well-known names.</param>
/// <param name="LargeCommunities">Large communities as <c>a:b:c</c>.</param>
public sealed record BgpRouteView(
    string Peer,
    string Prefix,
    string Direction,
    string NextHop,
    long? LocalPref,
    long? Med,
    string AsPath,
    IReadOnlyList<string> Communities,
    IReadOnlyList<string> LargeCommunities);
