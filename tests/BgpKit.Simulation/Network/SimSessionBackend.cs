using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.Simulation.Network;

/// <summary>
/// The speaker's sessions behind the real Reconciler's <see cref="ISessionBackend"/>, as BgpSpeaker keeps them:
/// per peer an Adj-RIB-Out; a session (re)established sends its whole Adj-RIB-Out, then End-of-RIB once the
/// first configuration was applied in full; announcements and withdrawals go out on established sessions.
/// Every call completes synchronously. It also notes, for the no-flap invariant, which routes were withdrawn
/// on a session that stayed configured, so that announcing one of them again can be judged.
/// </summary>
internal sealed class SimSessionBackend : ISessionBackend
{
    private readonly string _node;
    private readonly SimNetwork _network;
    private readonly SortedDictionary<string, PeerSession> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<RouteKey, RouteIntent> _ribOut = [];
    private bool _initialComplete;
    private bool _stopped;

    public SimSessionBackend(string node, SimNetwork network)
    {
        _node = node;
        _network = network;
    }

    private readonly Dictionary<RouteKey, long> _announcedAt = [];

    /// <summary>Routes withdrawn while their session stayed configured, with the store version they had been announced from.</summary>
    public Dictionary<RouteKey, long> WithdrawnSince { get; } = [];

    /// <summary>The store version of the snapshot being applied (set by the speaker before each apply).</summary>
    public long SnapshotVersion { get; set; }

    /// <summary>Whether a user edit or an address the controller wrote falls in the store versions (after, up to]: what may explain a withdrawal and a new announcement.</summary>
    public Func<long, long, bool> EditedBetween { get; set; } = (_, _) => true;

    /// <summary>Called with the route when a withdrawn route is announced again on the same session.</summary>
    public Action<RouteIntent, bool>? Reannounced { get; set; }

    public IReadOnlyDictionary<RouteKey, RouteIntent> RibOut => _ribOut;

    public IReadOnlyDictionary<string, PeerSession> Peers => _peers;

    public ValueTask AddPeerAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        _peers[peer.Name] = new PeerSession(peer, _network.RouterAt(peer.Address)) { ConnectAt = _network.Now };
        return ValueTask.CompletedTask;
    }

    public ValueTask RemovePeerAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        if (_peers.Remove(peer.Name, out var session))
        {
            Close(session, notification: true);
        }
        Forget(peer.Name);
        return ValueTask.CompletedTask;
    }

    public ValueTask ResetPeerAsync(PeerIntent previous, PeerIntent next, CancellationToken cancellationToken)
    {
        if (_peers.Remove(previous.Name, out var session))
        {
            Close(session, notification: true);
        }
        Forget(previous.Name); // The reconciler announces every route of the new session.
        _peers[next.Name] = new PeerSession(next, _network.RouterAt(next.Address)) { ConnectAt = _network.Now };
        return ValueTask.CompletedTask;
    }

    public ValueTask ChangeBfdAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        _peers[peer.Name].Peer = peer;
        return ValueTask.CompletedTask;
    }

    public ValueTask ChangeReceiveAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        _peers[peer.Name].Peer = peer;
        return ValueTask.CompletedTask;
    }

    public ValueTask AnnounceAsync(RouteIntent route, CancellationToken cancellationToken)
    {
        if (WithdrawnSince.Remove(route.Key, out var announcedFrom))
        {
            Reannounced?.Invoke(route, EditedBetween(announcedFrom, SnapshotVersion));
        }
        _ribOut[route.Key] = route;
        _announcedAt[route.Key] = SnapshotVersion;
        if (_peers.TryGetValue(route.Peer, out var session) && session.Connection is { } connection)
        {
            _network.Send(connection, new BgpMessage(MessageKind.Update, route, null));
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask WithdrawAsync(RouteKey route, CancellationToken cancellationToken)
    {
        _ribOut.Remove(route);
        WithdrawnSince[route] = _announcedAt.GetValueOrDefault(route);
        if (_peers.TryGetValue(route.Peer, out var session) && session.Connection is { } connection)
        {
            _network.Send(connection, new BgpMessage(MessageKind.Withdraw, null, route.Prefix));
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask InitialRoutesCompleteAsync(CancellationToken cancellationToken)
    {
        if (_initialComplete)
        {
            return ValueTask.CompletedTask;
        }
        _initialComplete = true;
        foreach (var session in _peers.Values)
        {
            if (session.Connection is { } connection && !session.EndOfRibSent)
            {
                _network.Send(connection, new BgpMessage(MessageKind.EndOfRib, null, null));
                session.EndOfRibSent = true;
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Graceful stop: CEASE to every peer, except that graceful-restart peers see the connection just close.</summary>
    public ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        foreach (var session in _peers.Values)
        {
            Close(session, notification: !session.Peer.GracefulRestart);
        }
        _stopped = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>The process dies: the kernel closes its TCP connections, no NOTIFICATION.</summary>
    public void Crash()
    {
        foreach (var session in _peers.Values)
        {
            Close(session, notification: false);
        }
        _stopped = true;
    }

    /// <summary>Connects sessions that are due (link up, connect retry time reached); a new session sends its Adj-RIB-Out.</summary>
    public void Tick()
    {
        if (_stopped)
        {
            return;
        }
        foreach (var session in _peers.Values)
        {
            if (session.Connection is not null || session.Router is null || _network.Now < session.ConnectAt || !_network.LinkOf(_node, session.Router).Up)
            {
                continue;
            }
            var connection = _network.Open(_node, session.Router, session.Peer);
            var name = session.Peer.Name;
            connection.OnDead = () =>
            {
                if (_peers.TryGetValue(name, out var s) && s.Connection == connection)
                {
                    s.Connection = null;
                    s.EndOfRibSent = false;
                    s.ConnectAt = _network.Now + (long)(s.Peer.ConnectTime.TotalSeconds * TimeSpan.TicksPerSecond);
                }
            };
            session.Connection = connection;
            foreach (var route in _ribOut.Values.Where(r => r.Peer == name).OrderBy(r => r.Prefix.ToString(), StringComparer.Ordinal))
            {
                _network.Send(connection, new BgpMessage(MessageKind.Update, route, null));
            }
            if (_initialComplete)
            {
                _network.Send(connection, new BgpMessage(MessageKind.EndOfRib, null, null));
                session.EndOfRibSent = true;
            }
        }
    }

    public IReadOnlyList<BgpNeighborView> Neighbors() => [];

    public IReadOnlyList<BgpRouteView> Routes(string? peer, bool received) => [];

    public IReadOnlyList<BfdPeerStatus> BfdSessions() => [];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Close(PeerSession session, bool notification)
    {
        if (session.Connection is { } connection)
        {
            _network.Send(connection, new BgpMessage(MessageKind.Close, null, null, notification));
            session.Connection = null;
        }
    }

    private void Forget(string peer)
    {
        foreach (var key in _ribOut.Keys.Where(k => k.Peer == peer).ToArray())
        {
            _ribOut.Remove(key);
        }
        foreach (var key in WithdrawnSince.Keys.Where(k => k.Peer == peer).ToArray())
        {
            WithdrawnSince.Remove(key);
        }
    }
}

/// <summary>One configured peer of a speaker and its current connection (null while Idle/Connect).</summary>
internal sealed class PeerSession(PeerIntent peer, SimRouter? router)
{
    public PeerIntent Peer { get; set; } = peer;
    public SimRouter? Router { get; } = router;
    public Connection? Connection { get; set; }
    public long ConnectAt { get; set; }
    public bool EndOfRibSent { get; set; }
}
