namespace BgpKit.Bgp.Fsm;

/// <summary>
/// What a transition asks the session to do. The session runs them in declaration order,
/// so timers stop before a NOTIFICATION goes out and the connection drops after it.
/// </summary>
[Flags]
internal enum FsmActions
{
    None = 0,
    StopConnectRetryTimer = 1 << 0,
    StopDelayOpenTimer = 1 << 1,
    /// <summary>Sends the NOTIFICATION named by <see cref="FsmTransition.Notification"/>.</summary>
    SendNotification = 1 << 2,
    DropConnection = 1 << 3,
    /// <summary>Stops every timer and deletes the routes learned on the connection (or marks them stale).</summary>
    ReleaseResources = 1 << 4,
    StartConnectRetryTimer = 1 << 5,
    InitiateConnection = 1 << 6,
    StartDelayOpenTimer = 1 << 7,
    SendOpen = 1 << 8,
    /// <summary>Sets the HoldTimer to a large value (section 8.2.2 suggests 4 minutes).</summary>
    StartHoldTimerLarge = 1 << 9,
    SendKeepalive = 1 << 10,
    /// <summary>Starts the HoldTimer with the negotiated hold time (none when it is zero).</summary>
    StartHoldTimer = 1 << 11,
    /// <summary>Starts the KeepaliveTimer (none when the negotiated hold time is zero).</summary>
    StartKeepaliveTimer = 1 << 12,
    ProcessUpdate = 1 << 13,
    SessionEstablished = 1 << 14,
    /// <summary>Arms the IdleHoldTimer so that the session restarts automatically (section 8.1.1, DampPeerOscillations).</summary>
    StartIdleHoldTimer = 1 << 15,
}

/// <summary>Which NOTIFICATION <see cref="FsmActions.SendNotification"/> means.</summary>
internal enum FsmNotification
{
    None,
    /// <summary>The error (or Cease subcode) that came with the event.</summary>
    FromEvent,
    /// <summary>Hold Timer Expired (4).</summary>
    HoldTimerExpired,
    /// <summary>Send Hold Timer Expired (8, RFC 9687).</summary>
    SendHoldTimerExpired,
    /// <summary>Finite State Machine Error (5) with the RFC 6608 subcode for the state.</summary>
    FsmError,
    /// <summary>Cease, Connection Collision Resolution (6/7).</summary>
    CollisionResolution,
}

/// <summary>The mutable part of the FSM: its state plus the counters section 8 keeps beside it.</summary>
internal readonly record struct FsmState(SessionState State, int ConnectRetryCounter = 0, bool DelayOpenTimerRunning = false)
{
    public static FsmState Initial => new(SessionState.Idle);
}

/// <summary>The result of one transition.</summary>
internal readonly record struct FsmTransition(FsmState Next, FsmActions Actions, FsmNotification Notification = FsmNotification.None)
{
    public bool Has(FsmActions action) => (Actions & action) == action;
}
