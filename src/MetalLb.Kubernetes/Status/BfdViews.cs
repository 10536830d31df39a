namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>
/// One BFD session of <c>show bfd peers</c> (<c>GET /v1/bfd/peers</c>), RFC 5880 state and timers.
/// The JSON field names are a contract with scripts that read them. Keys never appear here.
/// </summary>
/// <param name="Peer">The peer's address.</param>
/// <param name="LocalAddress">Our address on the session.</param>
/// <param name="State">Our state: AdminDown, Down, Init, Up.</param>
/// <param name="RemoteState">The state the peer last reported.</param>
/// <param name="LocalDiscriminator">Our discriminator (My Discriminator).</param>
/// <param name="RemoteDiscriminator">The peer's discriminator (0 until known).</param>
/// <param name="TransmitInterval">The negotiated transmit interval in milliseconds.</param>
/// <param name="ReceiveInterval">Our required minimum receive interval in milliseconds.</param>
/// <param name="DetectMultiplier">Our detect multiplier.</param>
/// <param name="DetectionTime">The detection time in milliseconds (RFC 5880 section 6.8.4).</param>
/// <param name="Uptime">Whole seconds since the session came Up; 0 when it is not Up.</param>
/// <param name="DownEvents">How many times the session left Up.</param>
public sealed record BfdPeerStatus(
    string Peer,
    string LocalAddress,
    string State,
    string RemoteState,
    uint LocalDiscriminator,
    uint RemoteDiscriminator,
    long TransmitInterval,
    long ReceiveInterval,
    int DetectMultiplier,
    long DetectionTime,
    long Uptime,
    long DownEvents);

/// <summary><c>show bfd peers</c>: every BFD session of this node.</summary>
/// <param name="Peers">The sessions, ordered by peer address.</param>
public sealed record BfdPeersView(IReadOnlyList<BfdPeerStatus> Peers);
