using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

internal sealed partial class BgpSession
{
    private void OnConnectionInput(in SessionInput input)
    {
        var connection = input.Connection!;
        if (connection == _pending)
        {
            OnPendingInput(input);
            return;
        }
        if (connection != _connection)
        {
            (input.Payload as UpdateBatch)?.Return();
            return; // a connection we already dropped
        }
        switch (input.Signal)
        {
            case ConnectionSignal.Closed:
                _lastError ??= "TCP connection closed by the peer";
                if (_fsm.State != SessionState.Idle)
                {
                    _lastError = "TCP connection closed";
                }
                Apply(BgpEvent.TcpConnectionFails);
                return;
            case ConnectionSignal.HeaderError:
                _pendingNotification = ((BgpError)input.Payload!).ToNotification();
                _lastError = "received malformed message: " + input.Payload;
                Apply(BgpEvent.BgpHeaderErr);
                return;
            case ConnectionSignal.OpenError:
                _pendingNotification = ((BgpError)input.Payload!).ToNotification();
                _lastError = "received bad OPEN: " + input.Payload;
                Apply(BgpEvent.BgpOpenMsgErr);
                return;
        }
        switch (input.MessageType)
        {
            case BgpMessageType.Open:
                Interlocked.Increment(ref Counters.OpensReceived);
                OnOpen(connection, (OpenMessage)input.Payload!);
                return;
            case BgpMessageType.Keepalive:
                Interlocked.Increment(ref Counters.KeepalivesReceived);
                Apply(BgpEvent.KeepAliveMsg);
                return;
            case BgpMessageType.Notification:
                Interlocked.Increment(ref Counters.NotificationsReceived);
                var notification = (NotificationMessage)input.Payload!;
                _lastError = "received " + notification;
                SessionLog.NotificationReceived(_log, Address, notification.ToString());
                _lastReceivedNotification = notification;
                Apply(notification.Code == BgpErrorCode.OpenMessageError && notification.Subcode == (byte)OpenMessageErrorSubcode.UnsupportedVersionNumber
                    ? BgpEvent.NotifMsgVerErr : BgpEvent.NotifMsg);
                _lastReceivedNotification = null;
                return;
            case BgpMessageType.Update:
                OnUpdates(connection, (UpdateBatch)input.Payload!);
                return;
            case BgpMessageType.RouteRefresh:
                Interlocked.Increment(ref Counters.RouteRefreshReceived);
                if (_fsm.State == SessionState.Established)
                {
                    OnRouteRefresh((RouteRefreshMessage)input.Payload!);
                }
                else
                {
                    // RFC 6608: a ROUTE-REFRESH outside Established is an unexpected message.
                    Apply(BgpEvent.UpdateMsg);
                }
                return;
        }
    }

    private NotificationMessage? _lastReceivedNotification;

    /// <summary>
    /// The UPDATEs of one socket read, in order, each its own UpdateMsg event (event 27) as if they had come one by
    /// one: the walk stops where one of them takes the connection down (an error, a prefix limit, an FSM error
    /// outside Established), and what follows is dropped with the connection.
    /// </summary>
    private void OnUpdates(BgpConnection connection, UpdateBatch batch)
    {
        try
        {
            while (batch.TryTake(out var frame))
            {
                Interlocked.Increment(ref Counters.UpdatesReceived);
                // Nothing keeps the octets: routes point at interned attribute sets and carry their prefixes by value.
                var resetError = _fsm.State == SessionState.Established
                    ? ReceiveUpdate(frame[BgpMessageHeader.Size..], connection.Context)
                    : null;
                if (resetError is not null)
                {
                    // RFC 7606 "session reset" (or an RFC 4271 error it keeps): NOTIFICATION and down.
                    _pendingNotification = resetError.ToNotification();
                    _lastError = "malformed UPDATE: " + resetError;
                    SessionLog.UpdateError(_log, Address, resetError.ToString(), nameof(ErrorAction.SessionReset));
                    Apply(BgpEvent.UpdateMsgErr);
                    return;
                }
                Apply(BgpEvent.UpdateMsg);
                CheckPrefixLimits();
                if (connection != _connection)
                {
                    return;
                }
            }
        }
        finally
        {
            batch.Return();
        }
    }

    private void OnOpen(BgpConnection connection, OpenMessage open)
    {
        connection.ReceivedOpen = open;
        var delayed = _fsm.DelayOpenTimerRunning && _fsm.State is SessionState.Connect or SessionState.Active;
        if (_fsm.State != SessionState.OpenSent && !delayed)
        {
            Apply(BgpEvent.BgpOpen); // an FSM error in every other state
            return;
        }
        if (delayed)
        {
            // Our OPEN goes out in the transition; negotiate against the one we are about to send.
            connection.SentOpen = OpenNegotiation.BuildOpen(_peer, _localAs, _routerId, _restartState);
        }
        var (negotiated, error) = OpenNegotiation.Negotiate(_peer, _localAs, _routerId, connection.SentOpen!, open);
        if (error is not null)
        {
            _pendingNotification = error.ToNotification();
            _lastError = "refused OPEN: " + error.Reason;
            Apply(BgpEvent.BgpOpenMsgErr);
            return;
        }
        // Collision detection (section 6.8) when the peer's connection is also open.
        if (_pending is not null && ResolveCollision(remoteId: open.BgpIdentifier, openOnPending: false))
        {
            return;
        }
        _negotiated = negotiated;
        connection.Context = negotiated!.DecodeContext;
        Apply(delayed ? BgpEvent.BgpOpenWithDelayOpenTimerRunning : BgpEvent.BgpOpen);
    }

    /// <summary>
    /// RFC 4271 section 6.8: the connection initiated by the speaker with the higher BGP identifier
    /// survives. Returns true when the primary connection was replaced or dropped (the caller stops).
    /// </summary>
    private bool ResolveCollision(uint remoteId, bool openOnPending)
    {
        var keepIncoming = _routerId < remoteId;
        var primary = _connection!;
        var incoming = _pending!;
        if (keepIncoming && primary.Outgoing)
        {
            SessionLog.Collision(_log, Address, "peer-initiated");
            _connection = incoming;
            _pending = null;
            Interlocked.Increment(ref Counters.NotificationsSent);
            _ = primary.CloseAsync(new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.ConnectionCollisionResolution).ToArray(primary.Context), TimeSpan.FromSeconds(1));
            if (openOnPending)
            {
                // The surviving connection already has the peer's OPEN: process it as if it came first.
                var open = incoming.ReceivedOpen!;
                if (_fsm.State == SessionState.OpenSent)
                {
                    OnOpen(incoming, open);
                }
                else
                {
                    // OpenConfirm: renegotiate on the new connection and confirm with a KEEPALIVE.
                    var (negotiated, error) = OpenNegotiation.Negotiate(_peer, _localAs, _routerId, incoming.SentOpen!, open);
                    if (error is not null)
                    {
                        _pendingNotification = error.ToNotification();
                        Apply(BgpEvent.BgpOpenMsgErr);
                        return true;
                    }
                    _negotiated = negotiated;
                    incoming.Context = negotiated!.DecodeContext;
                    incoming.Send(KeepaliveMessage.Bytes.ToArray());
                    Interlocked.Increment(ref Counters.KeepalivesSent);
                    RestartHoldTimer();
                }
            }
            // else: the peer's OPEN on the surviving connection is still to come; we stay in OpenSent.
            return true;
        }
        SessionLog.Collision(_log, Address, primary.Outgoing ? "locally-initiated" : "existing");
        _pending = null;
        Interlocked.Increment(ref Counters.NotificationsSent);
        _ = incoming.CloseAsync(new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.ConnectionCollisionResolution).ToArray(), TimeSpan.FromSeconds(1));
        return false;
    }

    private void OnPendingInput(in SessionInput input)
    {
        var pending = input.Connection!;
        if (input.Signal != ConnectionSignal.Message || input.MessageType != BgpMessageType.Open)
        {
            // Anything but an OPEN on the second connection ends it; the primary carries on.
            _pending = null;
            _ = pending.DisposeAsync().AsTask();
            return;
        }
        Interlocked.Increment(ref Counters.OpensReceived);
        var open = (OpenMessage)input.Payload!;
        pending.ReceivedOpen = open;
        ResolveCollision(open.BgpIdentifier, openOnPending: true);
    }
}
