namespace BgpKit.Bgp.Fsm;

/// <summary>The optional session attributes of RFC 4271 section 8.1.1 that change transitions.</summary>
/// <param name="PassiveTcpEstablishment">Start in Active: wait for the peer to connect.</param>
/// <param name="DelayOpen">Wait DelayOpenTime after the TCP connection before sending OPEN.</param>
/// <param name="AllowAutomaticStart">Restart on the IdleHoldTimer after the session went down on an error.</param>
/// <param name="AllowAutomaticStop">Honour AutomaticStop events (for example from a liveness signal such as BFD).</param>
/// <param name="SendNotificationWithoutOpen">Send a NOTIFICATION for an OPEN error before our own OPEN went out.</param>
internal sealed record SessionAttributes(
    bool PassiveTcpEstablishment = false,
    bool DelayOpen = false,
    bool AllowAutomaticStart = true,
    bool AllowAutomaticStop = true,
    bool SendNotificationWithoutOpen = true);
