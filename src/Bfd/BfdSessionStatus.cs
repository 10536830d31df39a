using System.Net;

namespace BgpKit.Bfd;

/// <summary>A snapshot of one session, in the shape of FRR's <c>show bfd peers</c>.</summary>
public sealed record BfdSessionStatus
{
    /// <summary>Our address.</summary>
    public required IPAddress LocalAddress { get; init; }

    /// <summary>The peer's address.</summary>
    public required IPAddress PeerAddress { get; init; }

    /// <summary>Multihop (RFC 5883) or single-hop (RFC 5881).</summary>
    public required bool Multihop { get; init; }

    /// <summary>bfd.SessionState.</summary>
    public required BfdState State { get; init; }

    /// <summary>bfd.RemoteSessionState.</summary>
    public required BfdState RemoteState { get; init; }

    /// <summary>bfd.LocalDiscr.</summary>
    public required uint LocalDiscriminator { get; init; }

    /// <summary>bfd.RemoteDiscr (zero until the peer is heard).</summary>
    public required uint RemoteDiscriminator { get; init; }

    /// <summary>bfd.LocalDiag: why the session last went down.</summary>
    public required BfdDiagnostic LastDiagnostic { get; init; }

    /// <summary>The interval we transmit at: the greater of our Desired Min TX and the peer's Required Min RX.</summary>
    public required TimeSpan TransmitInterval { get; init; }

    /// <summary>The peer's agreed transmit interval: the greater of our Required Min RX and its Desired Min TX.</summary>
    public required TimeSpan ReceiveInterval { get; init; }

    /// <summary>Detection time (RFC 5880 section 6.8.4); zero before the peer is heard.</summary>
    public required TimeSpan DetectionTime { get; init; }

    /// <summary>How long the session has been Up; zero when not Up.</summary>
    public required TimeSpan Uptime { get; init; }

    /// <summary>Transitions into Up.</summary>
    public required long UpEvents { get; init; }

    /// <summary>Transitions out of Up.</summary>
    public required long DownEvents { get; init; }

    /// <summary>Control packets accepted from the peer.</summary>
    public required long ControlPacketsReceived { get; init; }

    /// <summary>Control packets sent to the peer.</summary>
    public required long ControlPacketsSent { get; init; }

    /// <summary>
    /// True while the echo function runs (RFC 5880 section 6.4): echo mode is on, the session is Up, the
    /// peer's Required Min Echo RX Interval is non-zero, and this host can send echo packets.
    /// </summary>
    public bool EchoActive { get; init; }

    /// <summary>
    /// Why echo mode is configured but cannot run for this session (loopback, multihop, no CAP_NET_RAW,
    /// IPv6, not Linux); null when it can, or when echo mode is off. The session then runs without echo.
    /// </summary>
    public string? EchoUnavailable { get; init; }

    /// <summary>The interval between our echo packets: the greater of our echo interval and the peer's Required Min Echo RX; zero when echo is not active.</summary>
    public TimeSpan EchoTransmitInterval { get; init; }

    /// <summary>Echo detection time: our detect multiplier times <see cref="EchoTransmitInterval"/>; zero when echo is not active.</summary>
    public TimeSpan EchoDetectionTime { get; init; }

    /// <summary>Our echo packets that came back.</summary>
    public long EchoPacketsReceived { get; init; }

    /// <summary>Echo packets sent.</summary>
    public long EchoPacketsSent { get; init; }
}

/// <summary>One change of a session's state, with the diagnostic that explains it.</summary>
/// <param name="LocalAddress">Our address.</param>
/// <param name="PeerAddress">The peer's address.</param>
/// <param name="Previous">The state before.</param>
/// <param name="Current">The state now.</param>
/// <param name="Diagnostic">bfd.LocalDiag after the change (e.g. Control Detection Time Expired).</param>
/// <param name="At">When, on the endpoint's TimeProvider.</param>
public sealed record BfdStateChange(IPAddress LocalAddress, IPAddress PeerAddress, BfdState Previous, BfdState Current, BfdDiagnostic Diagnostic, DateTimeOffset At);
