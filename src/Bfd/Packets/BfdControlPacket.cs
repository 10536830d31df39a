namespace BgpKit.Bfd;

/// <summary>
/// A BFD Control packet (RFC 5880 section 4.1), decoded or about to be encoded. Times are in microseconds.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       My Discriminator                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      Your Discriminator                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Desired Min TX Interval                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   Required Min RX Interval                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Required Min Echo RX Interval                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Authentication section (optional, when A is set) ...
/// </code>
/// </remarks>
public readonly record struct BfdControlPacket
{
    /// <summary>The protocol version this implementation speaks (Vers).</summary>
    public const byte ProtocolVersion = 1;

    /// <summary>Length of the mandatory section.</summary>
    public const int MandatoryLength = 24;

    /// <summary>Largest packet we produce or accept: 24 + a 28-byte SHA1 section.</summary>
    public const int MaximumLength = MandatoryLength + 28;

    /// <summary>Vers (3 bits).</summary>
    public byte Version { get; init; }

    /// <summary>Diag (5 bits).</summary>
    public BfdDiagnostic Diagnostic { get; init; }

    /// <summary>Sta (2 bits).</summary>
    public BfdState State { get; init; }

    /// <summary>Poll (P): the sender asks for a Final.</summary>
    public bool Poll { get; init; }

    /// <summary>Final (F): the answer to a Poll.</summary>
    public bool Final { get; init; }

    /// <summary>Control Plane Independent (C).</summary>
    public bool ControlPlaneIndependent { get; init; }

    /// <summary>Authentication Present (A); equivalent to <see cref="Authentication"/> having a value.</summary>
    public bool AuthenticationPresent => Authentication is not null;

    /// <summary>Demand (D): the sender wishes to run in Demand mode.</summary>
    public bool Demand { get; init; }

    /// <summary>Multipoint (M): reserved, must be zero.</summary>
    public bool Multipoint { get; init; }

    /// <summary>Detect Mult.</summary>
    public byte DetectMultiplier { get; init; }

    /// <summary>My Discriminator.</summary>
    public uint MyDiscriminator { get; init; }

    /// <summary>Your Discriminator.</summary>
    public uint YourDiscriminator { get; init; }

    /// <summary>Desired Min TX Interval, microseconds.</summary>
    public uint DesiredMinTxInterval { get; init; }

    /// <summary>Required Min RX Interval, microseconds.</summary>
    public uint RequiredMinRxInterval { get; init; }

    /// <summary>Required Min Echo RX Interval, microseconds (zero: no echo wanted).</summary>
    public uint RequiredMinEchoRxInterval { get; init; }

    /// <summary>The authentication section, when the A bit is set.</summary>
    public BfdAuthenticationSection? Authentication { get; init; }

    /// <summary>The Length field this packet has on the wire.</summary>
    public int Length => MandatoryLength + (Authentication?.Length ?? 0);

    /// <summary>
    /// Decodes one BFD Control packet from a UDP payload, applying the reception checks of RFC 5880
    /// section 6.8.6 that need no session (version, length, detect multiplier, multipoint, discriminators,
    /// authentication section shape). Never throws on malformed data.
    /// </summary>
    public static BfdDecodeError TryDecode(ReadOnlySpan<byte> payload, out BfdControlPacket packet) =>
        BfdControlPacketReader.TryRead(payload, copyAuthentication: true, out packet, out _);

    /// <summary>Encodes the packet (with its authentication section as given) into <paramref name="destination"/>.</summary>
    public bool TryEncode(Span<byte> destination, out int written) =>
        BfdControlPacketWriter.TryWrite(this, destination, out written);
}
