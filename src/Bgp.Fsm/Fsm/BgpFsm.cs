namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The BGP finite state machine of RFC 4271 section 8.2.2 as one pure function:
/// <c>(state, event) -> (state, actions)</c>. Sockets, timers and OPEN validation live in the
/// session; it posts the events named in section 8.1 and runs the actions this returns.
/// </summary>
/// <remarks>
/// Deviations, all deliberate: the ConnectRetryTimer is stopped (not restarted) on the way to Idle,
/// since Idle ignores ConnectRetryTimer_Expires anyway; a transition to Idle caused by an error arms
/// the IdleHoldTimer when AllowAutomaticStart is set (the automatic restart section 8.1.1 leaves to
/// the implementation); collision detection (section 6.8) is decided by the session, which posts
/// OpenCollisionDump for the connection that loses.
/// </remarks>
internal static class BgpFsm
{
    private const FsmActions ToIdle = FsmActions.StopConnectRetryTimer | FsmActions.StopDelayOpenTimer
        | FsmActions.ReleaseResources | FsmActions.DropConnection;

    public static FsmTransition Next(FsmState state, BgpEvent ev, SessionAttributes attributes) => state.State switch
    {
        SessionState.Idle => Idle(state, ev, attributes),
        SessionState.Connect => Connect(state, ev, attributes),
        SessionState.Active => Active(state, ev, attributes),
        SessionState.OpenSent => OpenSent(state, ev, attributes),
        SessionState.OpenConfirm => OpenConfirm(state, ev, attributes),
        SessionState.Established => Established(state, ev, attributes),
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    // Section 8.2.2, Idle state.
    private static FsmTransition Idle(FsmState s, BgpEvent ev, SessionAttributes a)
    {
        switch (ev)
        {
            case BgpEvent.ManualStart or BgpEvent.AutomaticStart when !a.PassiveTcpEstablishment:
                return Start(passive: false);
            case BgpEvent.ManualStart or BgpEvent.AutomaticStart:
            case BgpEvent.ManualStartWithPassiveTcpEstablishment or BgpEvent.AutomaticStartWithPassiveTcpEstablishment:
                return Start(passive: true);
            // DampPeerOscillations (section 8.1.1): a damped start waits out the IdleHoldTimer first;
            // IdleHoldTimer_Expires is then the automatic start.
            case BgpEvent.AutomaticStartWithDampPeerOscillations or BgpEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment:
                return new(s, FsmActions.StartIdleHoldTimer);
            case BgpEvent.IdleHoldTimerExpires:
                return Start(a.PassiveTcpEstablishment);
            default:
                // ManualStop and AutomaticStop are ignored; so is everything else ("refuses all incoming BGP connections").
                return new(s, FsmActions.None);
        }

        static FsmTransition Start(bool passive) => passive
            ? new(new FsmState(SessionState.Active), FsmActions.StartConnectRetryTimer)
            : new(new FsmState(SessionState.Connect), FsmActions.StartConnectRetryTimer | FsmActions.InitiateConnection);
    }

    // Section 8.2.2, Connect state.
    private static FsmTransition Connect(FsmState s, BgpEvent ev, SessionAttributes a)
    {
        switch (ev)
        {
            case BgpEvent.ManualStart or BgpEvent.AutomaticStart or BgpEvent.ManualStartWithPassiveTcpEstablishment
                or BgpEvent.AutomaticStartWithPassiveTcpEstablishment or BgpEvent.AutomaticStartWithDampPeerOscillations
                or BgpEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment
                or BgpEvent.TcpConnectionValid or BgpEvent.TcpCrInvalid:
                return new(s, FsmActions.None);
            case BgpEvent.ManualStop:
                return new(new FsmState(SessionState.Idle), ToIdle);
            case BgpEvent.AutomaticStop when !a.AllowAutomaticStop:
                return new(s, FsmActions.None);
            case BgpEvent.AutomaticStop:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: true, automatic: false);
            case BgpEvent.ConnectRetryTimerExpires:
                return new(s with { DelayOpenTimerRunning = false },
                    FsmActions.DropConnection | FsmActions.StopDelayOpenTimer | FsmActions.StartConnectRetryTimer | FsmActions.InitiateConnection);
            case BgpEvent.DelayOpenTimerExpires:
                return new(s with { State = SessionState.OpenSent, DelayOpenTimerRunning = false },
                    FsmActions.SendOpen | FsmActions.StartHoldTimerLarge);
            case BgpEvent.TcpCrAcked or BgpEvent.TcpConnectionConfirmed:
                return a.DelayOpen
                    ? new(s with { DelayOpenTimerRunning = true }, FsmActions.StopConnectRetryTimer | FsmActions.StartDelayOpenTimer)
                    : new(s with { State = SessionState.OpenSent }, FsmActions.StopConnectRetryTimer | FsmActions.SendOpen | FsmActions.StartHoldTimerLarge);
            case BgpEvent.TcpConnectionFails when s.DelayOpenTimerRunning:
                return new(new FsmState(SessionState.Active, s.ConnectRetryCounter),
                    FsmActions.StopDelayOpenTimer | FsmActions.DropConnection | FsmActions.StartConnectRetryTimer);
            case BgpEvent.TcpConnectionFails:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: false);
            case BgpEvent.BgpOpenWithDelayOpenTimerRunning:
                return OpenWhileDelayed(s);
            case BgpEvent.BgpHeaderErr or BgpEvent.BgpOpenMsgErr:
                return Down(s, a, a.SendNotificationWithoutOpen ? FsmActions.SendNotification : FsmActions.None,
                    a.SendNotificationWithoutOpen ? FsmNotification.FromEvent : FsmNotification.None, increment: true);
            case BgpEvent.NotifMsgVerErr:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: !s.DelayOpenTimerRunning);
            default:
                // Events 8, 10, 11, 13, 19, 23, 25-29.
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: true);
        }
    }

    // Section 8.2.2, Active state.
    private static FsmTransition Active(FsmState s, BgpEvent ev, SessionAttributes a)
    {
        switch (ev)
        {
            case BgpEvent.ManualStart or BgpEvent.AutomaticStart or BgpEvent.ManualStartWithPassiveTcpEstablishment
                or BgpEvent.AutomaticStartWithPassiveTcpEstablishment or BgpEvent.AutomaticStartWithDampPeerOscillations
                or BgpEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment
                or BgpEvent.TcpConnectionValid or BgpEvent.TcpCrInvalid:
                return new(s, FsmActions.None);
            case BgpEvent.ManualStop:
                return s.DelayOpenTimerRunning && a.SendNotificationWithoutOpen
                    ? new(new FsmState(SessionState.Idle), ToIdle | FsmActions.SendNotification, FsmNotification.FromEvent)
                    : new(new FsmState(SessionState.Idle), ToIdle);
            case BgpEvent.AutomaticStop when !a.AllowAutomaticStop:
                return new(s, FsmActions.None);
            case BgpEvent.AutomaticStop:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: true, automatic: false);
            case BgpEvent.ConnectRetryTimerExpires:
                return new(s with { State = SessionState.Connect }, FsmActions.StartConnectRetryTimer | FsmActions.InitiateConnection);
            case BgpEvent.DelayOpenTimerExpires:
                return new(s with { State = SessionState.OpenSent, DelayOpenTimerRunning = false },
                    FsmActions.StopConnectRetryTimer | FsmActions.SendOpen | FsmActions.StartHoldTimerLarge);
            case BgpEvent.TcpCrAcked or BgpEvent.TcpConnectionConfirmed:
                return a.DelayOpen
                    ? new(s with { DelayOpenTimerRunning = true }, FsmActions.StopConnectRetryTimer | FsmActions.StartDelayOpenTimer)
                    : new(s with { State = SessionState.OpenSent }, FsmActions.StopConnectRetryTimer | FsmActions.SendOpen | FsmActions.StartHoldTimerLarge);
            case BgpEvent.TcpConnectionFails:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: true);
            case BgpEvent.BgpOpenWithDelayOpenTimerRunning:
                return OpenWhileDelayed(s);
            case BgpEvent.BgpHeaderErr or BgpEvent.BgpOpenMsgErr:
                return Down(s, a, a.SendNotificationWithoutOpen ? FsmActions.SendNotification : FsmActions.None,
                    a.SendNotificationWithoutOpen ? FsmNotification.FromEvent : FsmNotification.None, increment: true);
            case BgpEvent.NotifMsgVerErr:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: !s.DelayOpenTimerRunning);
            default:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: true);
        }
    }

    // Section 8.2.2, OpenSent state.
    private static FsmTransition OpenSent(FsmState s, BgpEvent ev, SessionAttributes a)
    {
        switch (ev)
        {
            case BgpEvent.ManualStart or BgpEvent.AutomaticStart or BgpEvent.ManualStartWithPassiveTcpEstablishment
                or BgpEvent.AutomaticStartWithPassiveTcpEstablishment or BgpEvent.AutomaticStartWithDampPeerOscillations
                or BgpEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment
                // A second connection is collision detection's business (section 6.8), not this one's.
                or BgpEvent.TcpConnectionValid or BgpEvent.TcpCrInvalid or BgpEvent.TcpCrAcked or BgpEvent.TcpConnectionConfirmed:
                return new(s, FsmActions.None);
            case BgpEvent.ManualStop:
                return new(new FsmState(SessionState.Idle), ToIdle | FsmActions.SendNotification, FsmNotification.FromEvent);
            case BgpEvent.AutomaticStop when !a.AllowAutomaticStop:
                return new(s, FsmActions.None);
            case BgpEvent.AutomaticStop:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FromEvent, increment: true, automatic: false);
            case BgpEvent.HoldTimerExpires:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.HoldTimerExpired, increment: true);
            case BgpEvent.SendHoldTimerExpires:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.SendHoldTimerExpired, increment: true);
            case BgpEvent.TcpConnectionFails:
                return new(s with { State = SessionState.Active },
                    FsmActions.DropConnection | FsmActions.StartConnectRetryTimer);
            case BgpEvent.BgpOpen:
                return new(s with { State = SessionState.OpenConfirm, DelayOpenTimerRunning = false },
                    FsmActions.StopDelayOpenTimer | FsmActions.StopConnectRetryTimer | FsmActions.SendKeepalive
                    | FsmActions.StartHoldTimer | FsmActions.StartKeepaliveTimer);
            case BgpEvent.BgpHeaderErr or BgpEvent.BgpOpenMsgErr:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FromEvent, increment: true);
            case BgpEvent.OpenCollisionDump:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.CollisionResolution, increment: true);
            case BgpEvent.NotifMsgVerErr:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: false);
            default:
                // Events 9, 11, 12, 13, 20, 25-28: RFC 6608 FSM error, "unexpected message in OpenSent".
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FsmError, increment: true);
        }
    }

    // Section 8.2.2, OpenConfirm state.
    private static FsmTransition OpenConfirm(FsmState s, BgpEvent ev, SessionAttributes a)
    {
        switch (ev)
        {
            case BgpEvent.ManualStart or BgpEvent.AutomaticStart or BgpEvent.ManualStartWithPassiveTcpEstablishment
                or BgpEvent.AutomaticStartWithPassiveTcpEstablishment or BgpEvent.AutomaticStartWithDampPeerOscillations
                or BgpEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment
                or BgpEvent.TcpConnectionValid or BgpEvent.TcpCrInvalid or BgpEvent.TcpCrAcked or BgpEvent.TcpConnectionConfirmed:
                return new(s, FsmActions.None);
            case BgpEvent.ManualStop:
                return new(new FsmState(SessionState.Idle), ToIdle | FsmActions.SendNotification, FsmNotification.FromEvent);
            case BgpEvent.AutomaticStop when !a.AllowAutomaticStop:
                return new(s, FsmActions.None);
            case BgpEvent.AutomaticStop:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FromEvent, increment: true, automatic: false);
            case BgpEvent.HoldTimerExpires:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.HoldTimerExpired, increment: true);
            case BgpEvent.SendHoldTimerExpires:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.SendHoldTimerExpired, increment: true);
            case BgpEvent.KeepaliveTimerExpires:
                return new(s, FsmActions.SendKeepalive | FsmActions.StartKeepaliveTimer);
            case BgpEvent.TcpConnectionFails or BgpEvent.NotifMsg:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: true);
            case BgpEvent.NotifMsgVerErr:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: false);
            case BgpEvent.BgpHeaderErr or BgpEvent.BgpOpenMsgErr:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FromEvent, increment: true);
            case BgpEvent.OpenCollisionDump:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.CollisionResolution, increment: true);
            case BgpEvent.KeepAliveMsg:
                return new(s with { State = SessionState.Established }, FsmActions.StartHoldTimer | FsmActions.SessionEstablished);
            default:
                // Events 9, 12, 13, 19, 20, 27, 28: RFC 6608 FSM error, "unexpected message in OpenConfirm".
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FsmError, increment: true);
        }
    }

    // Section 8.2.2, Established state.
    private static FsmTransition Established(FsmState s, BgpEvent ev, SessionAttributes a)
    {
        switch (ev)
        {
            case BgpEvent.ManualStart or BgpEvent.AutomaticStart or BgpEvent.ManualStartWithPassiveTcpEstablishment
                or BgpEvent.AutomaticStartWithPassiveTcpEstablishment or BgpEvent.AutomaticStartWithDampPeerOscillations
                or BgpEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment
                or BgpEvent.TcpConnectionValid or BgpEvent.TcpCrInvalid or BgpEvent.TcpCrAcked or BgpEvent.TcpConnectionConfirmed:
                return new(s, FsmActions.None);
            case BgpEvent.ManualStop:
                return new(new FsmState(SessionState.Idle), ToIdle | FsmActions.SendNotification, FsmNotification.FromEvent);
            case BgpEvent.AutomaticStop when !a.AllowAutomaticStop:
                return new(s, FsmActions.None);
            case BgpEvent.AutomaticStop:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FromEvent, increment: true, automatic: false);
            case BgpEvent.HoldTimerExpires:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.HoldTimerExpired, increment: true);
            case BgpEvent.SendHoldTimerExpires:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.SendHoldTimerExpired, increment: true);
            case BgpEvent.KeepaliveTimerExpires:
                return new(s, FsmActions.SendKeepalive | FsmActions.StartKeepaliveTimer);
            case BgpEvent.TcpConnectionFails or BgpEvent.NotifMsgVerErr or BgpEvent.NotifMsg:
                return Down(s, a, FsmActions.None, FsmNotification.None, increment: true);
            case BgpEvent.KeepAliveMsg:
                return new(s, FsmActions.StartHoldTimer);
            case BgpEvent.UpdateMsg:
                return new(s, FsmActions.ProcessUpdate | FsmActions.StartHoldTimer);
            case BgpEvent.UpdateMsgErr or BgpEvent.BgpHeaderErr or BgpEvent.BgpOpenMsgErr:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FromEvent, increment: true);
            case BgpEvent.OpenCollisionDump:
                return Down(s, a, FsmActions.SendNotification, FsmNotification.CollisionResolution, increment: true);
            default:
                // Events 9, 12, 13, 19, 20: RFC 6608 FSM error, "unexpected message in Established".
                return Down(s, a, FsmActions.SendNotification, FsmNotification.FsmError, increment: true);
        }
    }

    // Section 8.2.2, OPEN received while the DelayOpenTimer runs (Connect and Active, event 20).
    private static FsmTransition OpenWhileDelayed(FsmState s) =>
        new(s with { State = SessionState.OpenConfirm, DelayOpenTimerRunning = false },
            FsmActions.StopConnectRetryTimer | FsmActions.StopDelayOpenTimer | FsmActions.SendOpen | FsmActions.SendKeepalive
            | FsmActions.StartHoldTimer | FsmActions.StartKeepaliveTimer);

    // The common "release resources, drop the connection, go to Idle" of every state.
    private static FsmTransition Down(FsmState s, SessionAttributes a, FsmActions extra, FsmNotification notification, bool increment, bool automatic = true)
    {
        var actions = ToIdle | extra;
        if (automatic && a.AllowAutomaticStart)
        {
            actions |= FsmActions.StartIdleHoldTimer;
        }
        return new(new FsmState(SessionState.Idle, increment ? s.ConnectRetryCounter + 1 : s.ConnectRetryCounter), actions, notification);
    }
}
