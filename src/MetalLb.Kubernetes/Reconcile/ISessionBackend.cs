using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>
/// The running sessions the reconcile loop drives: BGP peers with their routes and the BFD sessions
/// bound to them. The real one sits on Bgp.Fsm's BgpSpeaker and Bfd's endpoint; tests use a recorder.
/// Calls come from the single reconcile loop, one at a time.
/// </summary>
internal interface ISessionBackend : IAsyncDisposable
{
    /// <summary>Starts a session (and its BFD session, bound as its liveness signal).</summary>
    ValueTask AddPeerAsync(PeerIntent peer, CancellationToken cancellationToken);

    /// <summary>Stops a session with CEASE "peer de-configured" (RFC 4486 subcode 3) and drops its BFD session.</summary>
    ValueTask RemovePeerAsync(PeerIntent peer, CancellationToken cancellationToken);

    /// <summary>
    /// Resets a session whose parameters changed (local AS, router ID, ...): Cease "other configuration change"
    /// (RFC 4486 subcode 6, as FRR sends), then a new session with <paramref name="next"/>'s values. Its BFD
    /// session keeps running when its addresses and profile are unchanged.
    /// </summary>
    ValueTask ResetPeerAsync(PeerIntent previous, PeerIntent next, CancellationToken cancellationToken);

    /// <summary>Applies a new BFD profile (or adds/removes BFD) without touching the BGP session.</summary>
    ValueTask ChangeBfdAsync(PeerIntent peer, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a new toReceive filter without resetting the session: received routes it refuses leave the
    /// Adj-RIB-In, and the peer is asked (ROUTE-REFRESH) for the ones it now accepts. A peer that did not
    /// negotiate ROUTE-REFRESH is reset instead (the only way to get the routes refused before).
    /// </summary>
    ValueTask ChangeReceiveAsync(PeerIntent peer, CancellationToken cancellationToken);

    /// <summary>Announces (or re-announces with new attributes) one route on its session.</summary>
    ValueTask AnnounceAsync(RouteIntent route, CancellationToken cancellationToken);

    /// <summary>
    /// A configuration was applied in full: every route it holds has been announced. After a restart, sessions with
    /// graceful restart send End-of-RIB only now (RFC 4724 section 4.1); later calls change nothing.
    /// </summary>
    ValueTask InitialRoutesCompleteAsync(CancellationToken cancellationToken);

    /// <summary>Withdraws one route from its session.</summary>
    ValueTask WithdrawAsync(RouteKey route, CancellationToken cancellationToken);

    /// <summary>
    /// Graceful stop: BFD AdminDown, then CEASE "administrative shutdown" (subcode 2) to every peer, except that peers
    /// with graceful restart see the connection close without NOTIFICATION and keep our routes (RFC 4724).
    /// </summary>
    ValueTask ShutdownAsync(CancellationToken cancellationToken);

    /// <summary>A snapshot of every BGP session.</summary>
    IReadOnlyList<BgpNeighborView> Neighbors();

    /// <summary>Routes sent (Adj-RIB-Out) or received (Adj-RIB-In), for one peer or all.</summary>
    IReadOnlyList<BgpRouteView> Routes(string? peer, bool received);

    /// <summary>A snapshot of every BFD session.</summary>
    IReadOnlyList<BfdPeerStatus> BfdSessions();
}
