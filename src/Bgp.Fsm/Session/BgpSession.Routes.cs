using System.Buffers;
using System.Net;
using System.Net.Sockets;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

internal sealed partial class BgpSession
{
    private const int PrefixesPerBatch = 4096;
    private const int BytesPerBatch = 64 * 1024;
    private readonly Dictionary<PathAttributes, PathAttributes> _effective = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<AfiSafi> _endOfRibPending = new();
    private readonly HashSet<AfiSafi> _endOfRouteRefreshPending = new();

    /// <summary>
    /// How long stale routes wait for the peer's EoRR after its BoRR before they are removed anyway (RFC 7313
    /// section 4 leaves the bound to the implementation; an EoRR that never comes must not keep withdrawn routes).
    /// </summary>
    internal static readonly TimeSpan RouteRefreshStaleTime = TimeSpan.FromMinutes(5);

    // Families the peer is refreshing (BoRR received, EoRR not yet).
    private readonly HashSet<AfiSafi> _refreshInProgress = new();
    private UpdateBuilder? _builder;
    private bool _waitingForRoom;

    private void OnEstablished()
    {
        _establishedAt = _time.GetTimestamp();
        Interlocked.Increment(ref Counters.EstablishedTransitions);
        SessionLog.Established(_log, Address, _negotiated!.PeerAs, _negotiated.HoldTime);
        _lastError = null;
        _sendHoldTimer.Start(SendHoldTime());
        _builder = new UpdateBuilder(_connection!.Context);
        _effective.Clear();
        _endOfRibPending.Clear();
        _endOfRouteRefreshPending.Clear();
        foreach (var family in _negotiated.Families)
        {
            _endOfRibPending.Add(family);
        }
        AdjRibOut.ResetForNewSession();
        PurgeStaleWithoutForwardingState(_negotiated.PeerGracefulRestart);
        // RFC 4724 section 3: the R bit says "restarted"; once a session is up again the restart is over.
        _restartState = false;
        if (!_initialRoutesComplete)
        {
            SessionLog.EndOfRibDeferred(_log, Address);
            _endOfRibDeferralTimer.Start(_peer.RestartingSpeaker!.EndOfRibDeferral);
        }
        FlushAdjRibOut();
    }

    // R bit for our OPENs: set after a restart of the process until the session is first Established.
    private bool _restartState;

    // False while a restarting speaker's initial announcements are still coming: End-of-RIB waits for them.
    private bool _initialRoutesComplete;

    /// <summary>
    /// RFC 4724 section 4.1: the restarting speaker sends End-of-RIB only after its initial routes, since the peer
    /// removes at End-of-RIB every route of ours still stale. The routes are in the Adj-RIB-Out now; the flush sends
    /// what is left of them, then End-of-RIB for every family.
    /// </summary>
    private void CompleteInitialRoutes()
    {
        if (_initialRoutesComplete)
        {
            return;
        }
        _initialRoutesComplete = true;
        _endOfRibDeferralTimer.Stop();
        FlushAdjRibOut();
    }

    /// <summary>
    /// RFC 4724 section 4.2, on the restarted session's OPEN: stale routes of a family the peer no longer lists
    /// in its Graceful Restart capability, or lists without the F bit (forwarding state not kept), go at once;
    /// all of them go when the capability is missing. The rest wait for End-of-RIB or the restart timer.
    /// </summary>
    private void PurgeStaleWithoutForwardingState(GracefulRestartCapability? capability)
    {
        if (AdjRibIn is null || AdjRibIn.StaleCount == 0)
        {
            return;
        }
        if (capability is null)
        {
            _restartTimer.Stop();
            PurgeStale(null);
            return;
        }
        foreach (var (family, ipv6) in new[] { (AfiSafi.IPv4Unicast, false), (AfiSafi.IPv6Unicast, true) })
        {
            if (!capability.Families.Any(f => f.AfiSafi == family && f.ForwardingStateKept))
            {
                PurgeStale(ipv6);
            }
        }
    }

    private void OnSessionDown(BgpEvent ev)
    {
        _refreshInProgress.Clear();
        _refreshStaleTimer.Stop();
        _endOfRibDeferralTimer.Stop();
        _builder = null;
        _waitingForRoom = false;
        AdjRibOut.ResetForNewSession();
        Volatile.Write(ref Counters.PrefixesAnnounced, 0);
        if (AdjRibIn is null)
        {
            return;
        }
        // RFC 4724 section 4.2: a restarting peer (TCP gone or hold timer, no NOTIFICATION from it)
        // keeps its routes as stale for its restart time.
        // Only the families the peer lists in its capability are kept: FRR in its default helper mode lists none
        // (it will not keep our routes either), so its routes go at once.
        if (_negotiated?.PeerGracefulRestart is { RestartTimeSeconds: > 0 } gr && ev is BgpEvent.TcpConnectionFails or BgpEvent.HoldTimerExpires or BgpEvent.SendHoldTimerExpires
            && gr.Families.Any(f => f.AfiSafi == AfiSafi.IPv4Unicast || f.AfiSafi == AfiSafi.IPv6Unicast))
        {
            foreach (var ipv6 in new[] { false, true })
            {
                if (!gr.Families.Any(f => f.AfiSafi == (ipv6 ? AfiSafi.IPv6Unicast : AfiSafi.IPv4Unicast)))
                {
                    AdjRibIn.MarkStale(ipv6);
                    PurgeStale(ipv6);
                }
            }
            AdjRibIn.MarkAllStale();
            _restartTimer.Start(TimeSpan.FromSeconds(gr.RestartTimeSeconds));
            return;
        }
        _restartTimer.Stop();
        foreach (var nlri in AdjRibIn.Clear())
        {
            RouteReceived?.Invoke(this, nlri, null);
        }
        Volatile.Write(ref Counters.PrefixesReceived, 0);
        ObservePrefixCountsFell();
    }

    private void PurgeStale(bool? ipv6)
    {
        if (AdjRibIn is null)
        {
            return;
        }
        foreach (var nlri in AdjRibIn.PurgeStale(ipv6))
        {
            RouteReceived?.Invoke(this, nlri, null);
        }
        Volatile.Write(ref Counters.PrefixesReceived, AdjRibIn.Count);
        ObservePrefixCountsFell();
    }

    /// <summary>Applies a received UPDATE (RFC 7606 decisions from Bgp.Wire); returns the error when the session must reset.</summary>
    private BgpError? ReceiveUpdate(ReadOnlySpan<byte> body, BgpDecodeContext context)
    {
        if (_ingest is null)
        {
            // No Adj-RIB-In: still validate, so that a malformed UPDATE resets the session as RFC 7606 asks.
            try
            {
                var reader = UpdateReader.Read(body, context);
                if (reader.Action == ErrorAction.None)
                {
                    // The IPv4 Withdrawn Routes and NLRI fields are checked only when walked: count them, so that a
                    // malformed one throws here and resets the session (RFC 7606 section 5.3).
                    _ = reader.Withdrawn.Count + reader.Nlri.Count;
                    return null;
                }
                var update = (UpdateMessage)BgpMessage.DecodeBody(BgpMessageType.Update, body, context);
                if (update.Action != ErrorAction.None)
                {
                    SessionLog.UpdateError(_log, Address, update.Error?.ToString() ?? "?", update.Action.ToString());
                    _lastUpdateError = update.Error;
                }
                // AFI/SAFI disable is carried out as a session reset (RFC 7606 section 5.3 allows either).
                return update.Action >= ErrorAction.AfiSafiDisable ? update.Error : null;
            }
            catch (BgpWireException e)
            {
                return e.Error;
            }
        }
        var outcome = _ingest.Apply(body, context, RouteReceived is null ? null : _routeChanged ??= (n, a) => RouteReceived?.Invoke(this, n, a));
        if (outcome.Action == ErrorAction.SessionReset)
        {
            return outcome.Error;
        }
        if (outcome.Action != ErrorAction.None)
        {
            SessionLog.UpdateError(_log, Address, outcome.Error?.ToString() ?? "?", outcome.Action.ToString());
            _lastUpdateError = outcome.Error;
        }
        if (outcome.EndOfRib is { } family)
        {
            PurgeStale(family.Afi == Afi.IPv6);
        }
        Volatile.Write(ref Counters.PrefixesReceived, AdjRibIn!.Count);
        Volatile.Write(ref Counters.PrefixesRefused, _ingest.Refused);
        return null;
    }

    /// <summary>
    /// A new import filter, without resetting the session: routes it refuses leave the Adj-RIB-In now (as
    /// withdrawals to listeners), and a ROUTE-REFRESH (RFC 2918) asks the peer for its table again so that
    /// routes refused before and accepted now come in. A peer without the capability sends them only on
    /// its next UPDATE for each prefix.
    /// </summary>
    private void ChangeImportFilter(PrefixFilter? filter)
    {
        _peer = _peer with { ImportFilter = filter };
        if (_ingest is null || AdjRibIn is null)
        {
            return;
        }
        _ingest.Filter = filter;
        if (filter is not null)
        {
            foreach (var (nlri, _) in AdjRibIn.Snapshot())
            {
                if (!filter.Accepts(nlri.Prefix) && AdjRibIn.Remove(nlri))
                {
                    _ingest.Refused++;
                    RouteReceived?.Invoke(this, nlri, null);
                }
            }
        }
        Volatile.Write(ref Counters.PrefixesReceived, AdjRibIn.Count);
        Volatile.Write(ref Counters.PrefixesRefused, _ingest.Refused);
        ObservePrefixCountsFell();
        SendRouteRefresh();
    }

    private BgpError? _lastUpdateError;
    private Action<Nlri, PathAttributes?>? _routeChanged;

    /// <summary>The last UPDATE error the session survived (RFC 7606 treat-as-withdraw or attribute discard).</summary>
    public BgpError? LastUpdateError => _lastUpdateError;

    /// <summary>Sends what changed in the Adj-RIB-Out while the send queue has room (STYLE.md 8: back-pressure, not growth).</summary>
    private void FlushAdjRibOut()
    {
        if (_fsm.State != SessionState.Established || _connection is not { } c || _builder is null)
        {
            return;
        }
        var output = new ArrayBufferWriter<byte>(16 * 1024);
        while (AdjRibOut.PendingCount > 0)
        {
            if (!c.HasRoom)
            {
                if (!_waitingForRoom)
                {
                    _waitingForRoom = true;
                    c.WhenDrained(() =>
                    {
                        _waitingForRoom = false;
                        _ = PostAsync(new SessionCommand.RibChanged()).AsTask();
                    });
                }
                return;
            }
            output.ResetWrittenCount();
            var messages = AdjRibOut.Produce(_builder, output, PrefixesPerBatch, NextHopFor, Effective, out _, out _, BytesPerBatch);
            if (messages > 0)
            {
                c.Send(output.WrittenSpan.ToArray());
                Interlocked.Add(ref Counters.UpdatesSent, messages);
            }
        }
        Volatile.Write(ref Counters.PrefixesAnnounced, AdjRibOut.AdvertisedCount);
        // RFC 4724 section 2: End-of-RIB once the initial table is out (after a restart, once the embedder's
        // initial announcements are all in it, section 4.1); RFC 7313: EoRR after a refresh.
        if (_initialRoutesComplete)
        {
            foreach (var family in _endOfRibPending)
            {
                c.Send(UpdateMessage.EndOfRib(family).ToArray(c.Context));
                Interlocked.Increment(ref Counters.UpdatesSent);
            }
            _endOfRibPending.Clear();
        }
        foreach (var family in _endOfRouteRefreshPending)
        {
            c.Send(new RouteRefreshMessage(family, RouteRefreshSubtype.EndOfRouteRefresh));
            Interlocked.Increment(ref Counters.RouteRefreshSent);
        }
        _endOfRouteRefreshPending.Clear();
    }

    /// <summary>
    /// Our attributes as this peer must see them: ORIGIN defaults to IGP; eBGP prepends our AS and drops
    /// LOCAL_PREF; iBGP gets LOCAL_PREF 100 unless set; IPv4 NEXT_HOP is the route's, the peer's configured
    /// one, or our end of the TCP connection.
    /// </summary>
    private PathAttributes Effective(PathAttributes desired)
    {
        if (_effective.TryGetValue(desired, out var done))
        {
            return done;
        }
        var external = _negotiated!.PeerAs != _localAs;
        var path = desired.AsPath ?? AsPath.Empty;
        uint? nextHop = desired.NextHop;
        if (nextHop is null)
        {
            var v4 = _peer.NextHopIPv4 ?? (_connection!.LocalEndPoint.Address is var local && (local.AddressFamily == AddressFamily.InterNetwork || local.IsIPv4MappedToIPv6) ? (local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local) : null);
            if (v4 is not null)
            {
                nextHop = OpenNegotiation.RouterIdValue(v4);
            }
        }
        var result = new PathAttributes
        {
            Origin = desired.Origin ?? Origin.Igp,
            AsPath = external ? path.Prepend(_localAs) : path,
            NextHop = nextHop,
            MultiExitDisc = desired.MultiExitDisc,
            LocalPref = external ? null : desired.LocalPref ?? 100,
            AtomicAggregate = desired.AtomicAggregate,
            Aggregator = desired.Aggregator,
            Communities = desired.Communities,
            ExtendedCommunities = desired.ExtendedCommunities,
            LargeCommunities = desired.LargeCommunities,
            OriginatorId = external ? null : desired.OriginatorId,
            ClusterList = external ? [] : desired.ClusterList,
            Unknown = desired.Unknown,
        };
        _effective[desired] = result;
        return result;
    }

    /// <summary>MP_REACH next hop: configured, else our end of the connection (IPv4-mapped for IPv6 over an IPv4 session).</summary>
    private IPAddress? NextHopFor(bool ipv6)
    {
        var local = _connection?.LocalEndPoint.Address;
        if (ipv6)
        {
            return _peer.NextHopIPv6 ?? (local is null ? null : local.AddressFamily == AddressFamily.InterNetworkV6 && !local.IsIPv4MappedToIPv6 ? local : (local.IsIPv4MappedToIPv6 ? local : local.MapToIPv6()));
        }
        return _peer.NextHopIPv4 ?? local;
    }

    private void SendRouteRefresh()
    {
        if (_fsm.State == SessionState.Established && _negotiated is { RouteRefresh: true } n && _connection is { } c)
        {
            foreach (var family in n.Families)
            {
                c.Send(new RouteRefreshMessage(family));
                Interlocked.Increment(ref Counters.RouteRefreshSent);
            }
        }
    }

    /// <summary>The peer's EoRR did not come within <see cref="RouteRefreshStaleTime"/>: its stale routes go.</summary>
    private void OnRefreshStaleTimeout()
    {
        foreach (var family in _refreshInProgress)
        {
            SessionLog.RefreshTimedOut(_log, Address, family.ToString());
            PurgeStale(family.Afi == Afi.IPv6);
        }
        _refreshInProgress.Clear();
    }

    /// <summary>
    /// RFC 2918 / RFC 7313. A request: re-send the family from the Adj-RIB-Out (between BoRR and EoRR when
    /// enhanced). The peer's BoRR: its routes of the family turn stale; each one it re-advertises is fresh again,
    /// and at its EoRR those still stale (withdrawn by the peer during the refresh, without an UPDATE saying so)
    /// are removed. Demarcations without the negotiated capability, for a family not negotiated, or of an unknown
    /// subtype are ignored (RFC 7313 sections 4 and 5).
    /// </summary>
    private void OnRouteRefresh(RouteRefreshMessage message)
    {
        RestartHoldTimer();
        if (_negotiated is not { } n || !n.Families.Contains(message.AfiSafi) || _connection is not { } c)
        {
            return;
        }
        var ipv6 = message.AfiSafi.Afi == Afi.IPv6;
        switch (message.Subtype)
        {
            case RouteRefreshSubtype.BeginningOfRouteRefresh when n.EnhancedRouteRefresh && AdjRibIn is not null:
                AdjRibIn.MarkStale(ipv6);
                _refreshInProgress.Add(message.AfiSafi);
                _refreshStaleTimer.Start(RouteRefreshStaleTime);
                SessionLog.RefreshBegins(_log, Address, message.AfiSafi.ToString());
                return;
            case RouteRefreshSubtype.EndOfRouteRefresh when _refreshInProgress.Remove(message.AfiSafi):
                var before = AdjRibIn!.Count;
                PurgeStale(ipv6);
                if (_refreshInProgress.Count == 0)
                {
                    _refreshStaleTimer.Stop();
                }
                SessionLog.RefreshEnds(_log, Address, message.AfiSafi.ToString(), before - AdjRibIn.Count);
                return;
            case RouteRefreshSubtype.Request:
                break;
            default:
                return;
        }
        if (n.EnhancedRouteRefresh)
        {
            c.Send(new RouteRefreshMessage(message.AfiSafi, RouteRefreshSubtype.BeginningOfRouteRefresh));
            Interlocked.Increment(ref Counters.RouteRefreshSent);
            _endOfRouteRefreshPending.Add(message.AfiSafi);
        }
        AdjRibOut.Refresh(message.AfiSafi.Afi == Afi.IPv6);
        FlushAdjRibOut();
    }
}
