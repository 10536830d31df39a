namespace BgpKit.Bfd.Session;

/// <summary>What happened to a session; each kind is one of RFC 5880's events.</summary>
internal enum BfdInputKind : byte
{
    /// <summary>The session is created and enabled (section 6.8.1 initial state).</summary>
    Start,

    /// <summary>A BFD Control packet arrived for this session (section 6.8.6).</summary>
    ControlReceived,

    /// <summary>A deadline fell due: transmit (6.8.7), detection time (6.8.4), AuthSeqKnown reset (6.8.1).</summary>
    TimerExpired,

    /// <summary>The operator holds the session down (section 6.8.16).</summary>
    AdminDown,

    /// <summary>The operator releases the session from AdminDown (section 6.8.16).</summary>
    AdminUp,

    /// <summary>Intervals, multiplier, passive or echo mode changed (section 6.8.3; a Poll Sequence when Up).</summary>
    ParametersChanged,

    /// <summary>One of our own echo packets came back (section 6.4).</summary>
    EchoReceived,
}

/// <summary>
/// One input to <see cref="BfdSessionMachine.Handle"/>: the event, the time (microseconds), a uniform
/// random sample in [0, 1) for transmit jitter, and the event's data.
/// </summary>
internal readonly struct BfdInput
{
    public BfdInputKind Kind { get; init; }
    public long Now { get; init; }
    public double JitterSample { get; init; }

    // ControlReceived
    public BfdControlPacket Packet { get; init; }
    /// <summary>The password or digest matched the session's key (checked by the receiver, which holds the raw bytes).</summary>
    public bool AuthenticationValid { get; init; }

    // ParametersChanged
    public uint DesiredMinTx { get; init; }
    public uint RequiredMinRx { get; init; }
    public byte DetectMult { get; init; }
    public bool Passive { get; init; }
    /// <summary>Echo mode is configured and the transport can send echo packets for this session.</summary>
    public bool EchoEnabled { get; init; }
    public uint EchoInterval { get; init; }

    public static BfdInput Timer(long now, double jitter) => new() { Kind = BfdInputKind.TimerExpired, Now = now, JitterSample = jitter };

    public static BfdInput Received(in BfdControlPacket packet, long now, double jitter, bool authenticationValid = true) =>
        new() { Kind = BfdInputKind.ControlReceived, Packet = packet, Now = now, JitterSample = jitter, AuthenticationValid = authenticationValid };

    public static BfdInput Of(BfdInputKind kind, long now, double jitter) => new() { Kind = kind, Now = now, JitterSample = jitter };
}

/// <summary>What the owner must do after a transition.</summary>
[Flags]
internal enum BfdActions : byte
{
    None = 0,

    /// <summary>Send a Control packet built by <see cref="BfdSessionMachine.BuildPacket"/> (P set while polling).</summary>
    Transmit = 1,

    /// <summary>Send a Control packet with F set at once, answering a Poll (section 6.8.6).</summary>
    TransmitFinal = 2,

    /// <summary>bfd.SessionState changed; raise the state-change event.</summary>
    StateChanged = 4,

    /// <summary>The packet was discarded; <see cref="BfdOutput.Discard"/> says why.</summary>
    Discarded = 8,

    /// <summary>A Poll Sequence ended with a Final.</summary>
    PollCompleted = 16,

    /// <summary>Send one echo packet (section 6.8.9).</summary>
    TransmitEcho = 32,

    /// <summary>The echo function started or stopped (<see cref="BfdSessionVariables.EchoActive"/> changed).</summary>
    EchoChanged = 64,
}

/// <summary>Why a packet that reached a session was discarded (RFC 5880 section 6.8.6 and 6.7).</summary>
internal enum BfdDiscard : byte
{
    None = 0,
    YourDiscriminatorMismatch,
    AuthenticationUnexpected,
    AuthenticationMissing,
    AuthenticationFailed,
    SequenceOutOfWindow,
    AdminDown,
}

/// <summary>The result of one transition.</summary>
internal readonly record struct BfdOutput(BfdActions Actions, BfdState PreviousState, BfdDiscard Discard = BfdDiscard.None)
{
    public bool Has(BfdActions action) => (Actions & action) != 0;
}
