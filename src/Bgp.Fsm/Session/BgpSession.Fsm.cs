using System.Net;
using System.Net.Sockets;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

internal sealed partial class BgpSession
{
    /// <summary>Runs one FSM transition and its actions, in the order <see cref="FsmActions"/> declares.</summary>
    private void Apply(BgpEvent ev)
    {
        var from = _fsm;
        var t = BgpFsm.Next(from, ev, _attributes);
        _fsm = t.Next;
        if (from.State != t.Next.State)
        {
            SessionLog.Transition(_log, Address, from.State, ev, t.Next.State);
        }
        var a = t.Actions;
        if ((a & FsmActions.StopConnectRetryTimer) != 0)
        {
            _connectRetryTimer.Stop();
        }
        if ((a & FsmActions.StopDelayOpenTimer) != 0)
        {
            _delayOpenTimer.Stop();
        }
        byte[]? notification = null;
        // RFC 4724 section 4.1: a restart must look like a lost connection to the peer, or it drops our routes.
        if ((a & FsmActions.SendNotification) != 0 && _connection is not null && !_closeWithoutNotification)
        {
            var message = BuildNotification(t.Notification, from.State);
            notification = message.ToArray(_connection.Context);
            Interlocked.Increment(ref Counters.NotificationsSent);
            _lastError = "sent " + message;
            SessionLog.NotificationSent(_log, Address, message.ToString());
        }
        _pendingNotification = null;
        if ((a & FsmActions.DropConnection) != 0)
        {
            DropConnections(notification);
        }
        if ((a & FsmActions.ReleaseResources) != 0)
        {
            ReleaseResources(from.State, ev);
        }
        if ((a & FsmActions.StartConnectRetryTimer) != 0)
        {
            _connectRetryTimer.Start(Jitter(_peer.Transport.ConnectRetryTime));
        }
        if ((a & FsmActions.InitiateConnection) != 0)
        {
            InitiateConnection();
        }
        if ((a & FsmActions.StartDelayOpenTimer) != 0)
        {
            _delayOpenTimer.Start(_peer.DelayOpenTime ?? TimeSpan.Zero);
        }
        if ((a & FsmActions.SendOpen) != 0 && _connection is { } open)
        {
            SendOpen(open);
        }
        if ((a & FsmActions.StartHoldTimerLarge) != 0)
        {
            _holdTimer.Start(LargeHoldTime);
        }
        if ((a & FsmActions.SendKeepalive) != 0 && _connection is { } ka)
        {
            ka.Send(KeepaliveMessage.Bytes.ToArray());
            Interlocked.Increment(ref Counters.KeepalivesSent);
        }
        if ((a & FsmActions.StartHoldTimer) != 0)
        {
            RestartHoldTimer();
        }
        if ((a & FsmActions.StartKeepaliveTimer) != 0)
        {
            if (_negotiated is { KeepaliveTime: var k } && k > TimeSpan.Zero)
            {
                _keepaliveTimer.Start(k);
            }
            else
            {
                _keepaliveTimer.Stop();
            }
        }
        if ((a & FsmActions.SessionEstablished) != 0)
        {
            OnEstablished();
        }
        if ((a & FsmActions.StartIdleHoldTimer) != 0 && !_adminDown && _livenessUp && !_prefixLimitHeld)
        {
            _idleHoldTimer.Start(Jitter(_backoff.Next()));
        }
    }

    private void RestartHoldTimer()
    {
        if (_negotiated is { HoldTime: var h } && h > TimeSpan.Zero)
        {
            _holdTimer.Start(h);
        }
        else
        {
            _holdTimer.Stop();
        }
    }

    /// <summary>RFC 4271 section 10: timers are jittered by up to -25 %... we take up to 10 % off, from the injected source.</summary>
    private TimeSpan Jitter(TimeSpan value) => IdleHoldBackoff.Jitter(value, _random());

    private NotificationMessage BuildNotification(FsmNotification kind, SessionState from) => kind switch
    {
        FsmNotification.HoldTimerExpired => new NotificationMessage(BgpErrorCode.HoldTimerExpired, 0),
        FsmNotification.SendHoldTimerExpired => new NotificationMessage(BgpErrorCode.SendHoldTimerExpired, 0),
        // RFC 6608 subcodes name the state the unexpected message arrived in.
        FsmNotification.FsmError => new NotificationMessage(BgpErrorCode.FiniteStateMachineError, from switch
        {
            SessionState.OpenSent => (byte)FiniteStateMachineErrorSubcode.UnexpectedMessageInOpenSent,
            SessionState.OpenConfirm => (byte)FiniteStateMachineErrorSubcode.UnexpectedMessageInOpenConfirm,
            SessionState.Established => (byte)FiniteStateMachineErrorSubcode.UnexpectedMessageInEstablished,
            _ => (byte)FiniteStateMachineErrorSubcode.Unspecified,
        }),
        FsmNotification.CollisionResolution => new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.ConnectionCollisionResolution),
        _ => _pendingNotification ?? new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.Unspecific),
    };

    private void DropConnections(byte[]? notification)
    {
        _connectAttempt?.Cancel();
        _connectAttempt = null;
        if (_connection is { } c)
        {
            _connection = null;
            _ = c.CloseAsync(notification, TimeSpan.FromSeconds(1));
        }
        if (_pending is { } p)
        {
            _pending = null;
            _ = p.DisposeAsync().AsTask();
        }
    }

    private void ReleaseResources(SessionState from, BgpEvent ev)
    {
        _holdTimer.Stop();
        _keepaliveTimer.Stop();
        _delayOpenTimer.Stop();
        _sendHoldTimer.Stop();
        _connectRetryTimer.Stop();
        if (from == SessionState.Established)
        {
            _backoff.Established(_time.GetElapsedTime(_establishedAt));
            var reason = _lastError ?? ev.ToString();
            SessionLog.Down(_log, Address, from, reason);
            OnSessionDown(ev);
        }
        _negotiated = null;
    }

    private void SendOpen(BgpConnection connection)
    {
        var open = OpenNegotiation.BuildOpen(_peer, _localAs, _routerId, _restartState);
        connection.SentOpen = open;
        connection.Send(open.ToArray());
        Interlocked.Increment(ref Counters.OpensSent);
    }

    private void InitiateConnection()
    {
        _connectAttempt?.Cancel();
        var attempt = new CancellationTokenSource();
        _connectAttempt = attempt;
        var generation = Interlocked.Increment(ref _connectionIds);
        var remote = _peer.Address;
        var external = _peer.IsExternal(_localAs);
        var link = Link;
        _ = Task.Run(async () =>
        {
            Socket? socket = null;
            string? error = null;
            try
            {
                if (link is not null && remote.Equals(new IPAddress(IPAddress.IPv6Any.GetAddressBytes(), link.InterfaceIndex)))
                {
                    // BGP unnumbered: connect once the peer's Router Advertisement named it, within the connect timeout.
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(attempt.Token);
                    using var timer = _time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), wait, _peer.Transport.ConnectTimeout, Timeout.InfiniteTimeSpan);
                    try
                    {
                        remote = await link.WaitNeighborAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!attempt.IsCancellationRequested)
                    {
                        error = $"no Router Advertisement from a neighbor on {link.InterfaceName} yet";
                    }
                }
                if (error is null)
                {
                    socket = await TcpConnector.ConnectAsync(remote, _peer.Transport, external, _time, attempt.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                error = e is SocketException s ? s.SocketErrorCode.ToString() : "timeout";
            }
            try
            {
                await _inbox.Writer.WriteAsync(new SessionInput(InputKind.Connected, Socket: socket, Generation: generation, Payload: error), _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
                socket?.Dispose();
            }
        });
    }

    private void OnConnected(Socket? socket, long generation, string? error)
    {
        var current = _connectAttempt is not null && generation == Interlocked.Read(ref _connectionIds);
        if (socket is null)
        {
            if (current)
            {
                _connectAttempt = null;
                // Kept only when nothing said more (a NOTIFICATION or hold expiry before the reconnect attempts).
                _lastError ??= "connect failed: " + (error ?? "failed");
                SessionLog.ConnectFailed(_log, Address, new System.Net.IPEndPoint(_peer.Address, _peer.Transport.RemotePort), error ?? "failed");
                if (_connection is null && _fsm.State == SessionState.Connect)
                {
                    Apply(BgpEvent.TcpConnectionFails);
                }
            }
            return;
        }
        if (!current || _connection is not null || _fsm.State is not (SessionState.Connect or SessionState.Active))
        {
            // A late or superseded attempt (the peer's own connection won, or we gave up).
            socket.Dispose();
            return;
        }
        _connectAttempt = null;
        _connection = NewConnection(socket, outgoing: true);
        Apply(BgpEvent.TcpCrAcked);
    }

    private BgpConnection NewConnection(Socket socket, bool outgoing)
    {
        var connection = new BgpConnection(socket, Interlocked.Increment(ref _connectionIds), outgoing, _peer.Transport.SendQueueBytes, _time);
        connection.Start(Deliver);
        return connection;
    }

    /// <summary>A connection from the shared listener (RFC 4271 events 14/17, collision detection section 6.8).</summary>
    private void OnAccepted(Socket socket)
    {
        switch (_fsm.State)
        {
            case SessionState.Idle:
                // "In this state, BGP FSM refuses all incoming BGP connections."
                socket.Dispose();
                return;
            case SessionState.Connect or SessionState.Active when _connection is null:
                if (!PrepareAccepted(socket))
                {
                    return;
                }
                _connectAttempt?.Cancel();
                _connectAttempt = null;
                _connection = NewConnection(socket, outgoing: false);
                Apply(BgpEvent.TcpConnectionConfirmed);
                return;
            case SessionState.OpenSent or SessionState.OpenConfirm when _pending is null:
                if (!PrepareAccepted(socket))
                {
                    return;
                }
                _pending = NewConnection(socket, outgoing: false);
                SendOpen(_pending);
                return;
            default:
                // Established (or a third connection): the existing session wins (section 6.8).
                if (!PrepareAccepted(socket))
                {
                    return;
                }
                var refused = NewConnection(socket, outgoing: false);
                Interlocked.Increment(ref Counters.NotificationsSent);
                _ = refused.CloseAsync(new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.ConnectionCollisionResolution).ToArray(), TimeSpan.FromSeconds(1));
                return;
        }
    }

    /// <summary>Socket options for an accepted connection; false (and the socket closed) when GTSM refuses it.</summary>
    private bool PrepareAccepted(Socket socket)
    {
        // RFC 5082 section 3: a connection whose SYN came from further than the configured hops is not ours.
        if (_peer.Transport.TtlSecurityHops is int hops && TcpSocketOptions.TryGetSynTtl(socket, out var ttl) && ttl < 255 - hops + 1)
        {
            SessionLog.GtsmRefused(_log, Address, ttl, 255 - hops + 1);
            socket.Dispose();
            return false;
        }
        try
        {
            socket.NoDelay = true;
            TcpConnector.ApplyTtl(socket, _peer.Transport, _peer.IsExternal(_localAs));
        }
        catch (SocketException)
        {
        }
        return true;
    }

    private void CheckSendHold()
    {
        if (_connection is not { } c || _fsm.State is not (SessionState.OpenSent or SessionState.OpenConfirm or SessionState.Established))
        {
            return;
        }
        var limit = SendHoldTime();
        if (c.QueuedBytes > 0)
        {
            var idle = _time.GetElapsedTime(c.LastSendProgress);
            if (idle >= limit)
            {
                _lastError = "send hold timer expired (peer not reading)";
                Apply(BgpEvent.SendHoldTimerExpires);
                return;
            }
            _sendHoldTimer.Start(limit - idle);
            return;
        }
        _sendHoldTimer.Start(limit);
    }

    /// <summary>RFC 9687 section 4: at least 8 minutes or twice the hold time, unless configured.</summary>
    private TimeSpan SendHoldTime()
    {
        if (_peer.SendHoldTime is { } configured)
        {
            return configured;
        }
        var hold = _negotiated?.HoldTime ?? LargeHoldTime;
        return hold * 2 > TimeSpan.FromMinutes(8) ? hold * 2 : TimeSpan.FromMinutes(8);
    }
}
