namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The events of the BGP FSM, numbered and named as in RFC 4271 section 8.1
/// (plus RFC 9687's SendHoldTimer_Expires).
/// </summary>
internal enum BgpEvent
{
    /// <summary>Event 1.</summary>
    ManualStart = 1,
    /// <summary>Event 2.</summary>
    ManualStop = 2,
    /// <summary>Event 3.</summary>
    AutomaticStart = 3,
    /// <summary>Event 4.</summary>
    ManualStartWithPassiveTcpEstablishment = 4,
    /// <summary>Event 5.</summary>
    AutomaticStartWithPassiveTcpEstablishment = 5,
    /// <summary>Event 6.</summary>
    AutomaticStartWithDampPeerOscillations = 6,
    /// <summary>Event 7.</summary>
    AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment = 7,
    /// <summary>Event 8.</summary>
    AutomaticStop = 8,
    /// <summary>Event 9.</summary>
    ConnectRetryTimerExpires = 9,
    /// <summary>Event 10.</summary>
    HoldTimerExpires = 10,
    /// <summary>Event 11.</summary>
    KeepaliveTimerExpires = 11,
    /// <summary>Event 12.</summary>
    DelayOpenTimerExpires = 12,
    /// <summary>Event 13.</summary>
    IdleHoldTimerExpires = 13,
    /// <summary>Event 14: an incoming connection from a configured peer.</summary>
    TcpConnectionValid = 14,
    /// <summary>Event 15: an incoming connection from an unknown address/port.</summary>
    TcpCrInvalid = 15,
    /// <summary>Event 16: our outgoing connection completed.</summary>
    TcpCrAcked = 16,
    /// <summary>Event 17: an incoming connection completed.</summary>
    TcpConnectionConfirmed = 17,
    /// <summary>Event 18.</summary>
    TcpConnectionFails = 18,
    /// <summary>Event 19: a valid OPEN.</summary>
    BgpOpen = 19,
    /// <summary>Event 20: a valid OPEN while the DelayOpenTimer runs.</summary>
    BgpOpenWithDelayOpenTimerRunning = 20,
    /// <summary>Event 21.</summary>
    BgpHeaderErr = 21,
    /// <summary>Event 22.</summary>
    BgpOpenMsgErr = 22,
    /// <summary>Event 23: collision detection (section 6.8) closes this connection.</summary>
    OpenCollisionDump = 23,
    /// <summary>Event 24: a NOTIFICATION with Unsupported Version Number.</summary>
    NotifMsgVerErr = 24,
    /// <summary>Event 25.</summary>
    NotifMsg = 25,
    /// <summary>Event 26.</summary>
    KeepAliveMsg = 26,
    /// <summary>Event 27.</summary>
    UpdateMsg = 27,
    /// <summary>Event 28: an UPDATE whose error requires a session reset (RFC 7606 "session reset").</summary>
    UpdateMsgErr = 28,
    /// <summary>Event 29 (RFC 9687): we could not send for the send hold time.</summary>
    SendHoldTimerExpires = 29,
}
