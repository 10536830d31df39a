namespace BgpKit.Bfd.Session;

/// <summary>
/// The state variables of one session (RFC 5880 section 6.8.1, with the RFC's names) plus what the
/// machine needs beside them: the configured values, the values in force while a Poll Sequence is
/// outstanding (section 6.8.3), and deadlines as microsecond timestamps (<see cref="Never"/> when unarmed).
/// Owned by one session's owner loop; only <see cref="BfdSessionMachine"/> changes it.
/// </summary>
internal struct BfdSessionVariables
{
    /// <summary>A deadline that never falls due.</summary>
    public const long Never = long.MaxValue;

    /// <summary>Slow start: while not Up, Desired Min TX is at least one second (section 6.8.3).</summary>
    public const uint SlowStartInterval = 1_000_000;

    public BfdState SessionState;
    public BfdState RemoteSessionState;
    public uint LocalDiscr;
    public uint RemoteDiscr;
    public BfdDiagnostic LocalDiag;
    /// <summary>bfd.DesiredMinTxInterval as advertised (slow start included).</summary>
    public uint DesiredMinTxInterval;
    /// <summary>bfd.RequiredMinRxInterval as advertised.</summary>
    public uint RequiredMinRxInterval;
    public uint RemoteMinRxInterval;
    public bool DemandMode;
    public bool RemoteDemandMode;
    public byte DetectMult;
    public BfdAuthenticationType AuthType;
    public uint RcvAuthSeq;
    public uint XmitAuthSeq;
    public bool AuthSeqKnown;

    // Configuration.
    public uint ConfiguredMinTxInterval;
    public uint ConfiguredMinRxInterval;
    public bool Passive;

    // From the last accepted packet.
    public uint RemoteDesiredMinTxInterval;
    public byte RemoteDetectMult;

    // Section 6.8.3: while a Poll Sequence is outstanding, an increased TX interval and a reduced RX
    // interval do not take effect yet; these hold the values in force.
    public bool PollActive;
    public uint OperMinTxInterval;
    public uint OperMinRxInterval;

    // Echo function (sections 6.4, 6.8.9). EchoEnabled: configured and the transport can send echo packets
    // (single-hop, a real interface, the privilege to build frames); otherwise echo stays off both ways.
    public bool EchoEnabled;
    /// <summary>Our desired interval between transmitted echo packets (the profile's echo interval).</summary>
    public uint DesiredMinEchoTxInterval;
    /// <summary>bfd.RequiredMinEchoRxInterval as advertised: the echo interval when echo is enabled, else zero.</summary>
    public uint RequiredMinEchoRxInterval;
    /// <summary>The peer's Required Min Echo RX Interval; zero forbids us to send echo packets (6.8.9).</summary>
    public uint RemoteMinEchoRxInterval;
    /// <summary>We are sending echo packets and watching for their return.</summary>
    public bool EchoActive;

    // Deadlines, microseconds on the session's clock.
    public long NextTransmitAt;
    public long DetectionDeadline;
    public long AuthSeqExpiresAt;
    public long LastReceivedAt;
    public long NextEchoAt;
    public long EchoDetectionDeadline;

    /// <summary>
    /// How late, in microseconds, the owner's timers may fire (one timer-wheel tick for the endpoint's loop; 0 for
    /// an owner that fires them exactly): transmit intervals are jittered within 75% and 100% minus this, so a
    /// packet that leaves late still leaves within 100% of the interval (RFC 5880 section 6.8.7).
    /// </summary>
    public long TimerSlack;

    /// <summary>The initial values of section 6.8.1 for a session that has not started yet.</summary>
    public static BfdSessionVariables Create(uint localDiscr, uint desiredMinTx, uint requiredMinRx, byte detectMult, bool passive,
        BfdAuthenticationType authType, uint initialXmitAuthSeq, bool echoEnabled = false, uint echoInterval = 0)
    {
        var tx = Math.Max(desiredMinTx, SlowStartInterval);
        return new BfdSessionVariables
        {
            SessionState = BfdState.Down,
            RemoteSessionState = BfdState.Down,
            LocalDiscr = localDiscr,
            RemoteDiscr = 0,
            LocalDiag = BfdDiagnostic.None,
            DesiredMinTxInterval = tx,
            RequiredMinRxInterval = requiredMinRx,
            RemoteMinRxInterval = 1,
            DetectMult = detectMult,
            AuthType = authType,
            XmitAuthSeq = initialXmitAuthSeq,
            ConfiguredMinTxInterval = desiredMinTx,
            ConfiguredMinRxInterval = requiredMinRx,
            Passive = passive,
            OperMinTxInterval = tx,
            OperMinRxInterval = requiredMinRx,
            NextTransmitAt = Never,
            DetectionDeadline = Never,
            AuthSeqExpiresAt = Never,
            LastReceivedAt = Never,
            EchoEnabled = echoEnabled,
            DesiredMinEchoTxInterval = echoInterval,
            RequiredMinEchoRxInterval = echoEnabled ? echoInterval : 0,
            NextEchoAt = Never,
            EchoDetectionDeadline = Never,
        };
    }

    /// <summary>Section 6.8.4: Detect Mult received times the agreed remote interval; zero before any packet.</summary>
    public readonly long DetectionTime => (long)RemoteDetectMult * Math.Max(OperMinRxInterval, RemoteDesiredMinTxInterval);

    /// <summary>Section 6.8.7: the greater of our Desired Min TX (in force) and the remote's Required Min RX.</summary>
    public readonly long TransmitInterval => Math.Max(OperMinTxInterval, RemoteMinRxInterval);

    /// <summary>Section 6.8.9: echo packets go no faster than the peer's Required Min Echo RX Interval.</summary>
    public readonly long EchoTransmitInterval => Math.Max(DesiredMinEchoTxInterval, RemoteMinEchoRxInterval);

    /// <summary>
    /// Echo detection time: our Detect Mult times the echo transmit interval (RFC 5880 leaves it to the
    /// implementation; this mirrors the control detection time of 6.8.4). Zero while echo is not active.
    /// </summary>
    public readonly long EchoDetectionTime => EchoActive ? (long)DetectMult * EchoTransmitInterval : 0;

    /// <summary>The earliest deadline, when the owner must wake the machine.</summary>
    public readonly long NextDeadline =>
        Math.Min(Math.Min(NextTransmitAt, Math.Min(DetectionDeadline, AuthSeqExpiresAt)), Math.Min(NextEchoAt, EchoDetectionDeadline));
}
