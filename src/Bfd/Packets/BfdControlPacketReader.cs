using System.Buffers.Binary;

namespace BgpKit.Bfd;

/// <summary>
/// Decodes BFD Control packets (RFC 5880 section 4.1) and applies the session-independent reception
/// checks of section 6.8.6. Returns an error value instead of throwing.
/// </summary>
internal static class BfdControlPacketReader
{
    // Byte 0: Vers (3 bits) | Diag (5 bits).
    private const int VersionShift = 5;
    private const byte DiagMask = 0b0001_1111;

    // Byte 1: Sta (2 bits) | P | F | C | A | D | M.
    private const int StateShift = 6;
    internal const byte PollBit = 0b0010_0000;
    internal const byte FinalBit = 0b0001_0000;
    internal const byte ControlPlaneIndependentBit = 0b0000_1000;
    internal const byte AuthenticationBit = 0b0000_0100;
    internal const byte DemandBit = 0b0000_0010;
    internal const byte MultipointBit = 0b0000_0001;

    /// <summary>
    /// Reads one packet. With <paramref name="copyAuthentication"/> false the section's
    /// <see cref="BfdAuthenticationSection.Value"/> is left empty (no allocation on the receive path);
    /// <paramref name="authenticationOffset"/> then locates the section in <paramref name="payload"/> (0 when absent).
    /// </summary>
    public static BfdDecodeError TryRead(ReadOnlySpan<byte> payload, bool copyAuthentication, out BfdControlPacket packet, out int authenticationOffset)
    {
        packet = default;
        authenticationOffset = 0;
        if (payload.Length < BfdControlPacket.MandatoryLength)
        {
            return BfdDecodeError.Truncated;
        }

        // RFC 5880 6.8.6: "If the version number is not correct (1), the packet MUST be discarded."
        var version = (byte)(payload[0] >> VersionShift);
        if (version != BfdControlPacket.ProtocolVersion)
        {
            return BfdDecodeError.BadVersion;
        }
        var flags = payload[1];
        var authenticated = (flags & AuthenticationBit) != 0;
        int length = payload[3];
        // 6.8.6: Length below 24 (A clear) or 26 (A set) is discarded; so is a Length beyond the payload.
        if (length < (authenticated ? BfdControlPacket.MandatoryLength + 2 : BfdControlPacket.MandatoryLength))
        {
            return BfdDecodeError.LengthTooSmall;
        }
        if (length > payload.Length)
        {
            return BfdDecodeError.LengthExceedsPayload;
        }
        var detectMultiplier = payload[2];
        if (detectMultiplier == 0)
        {
            return BfdDecodeError.ZeroDetectMultiplier;
        }
        if ((flags & MultipointBit) != 0)
        {
            return BfdDecodeError.Multipoint;
        }
        var myDiscriminator = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        if (myDiscriminator == 0)
        {
            return BfdDecodeError.ZeroMyDiscriminator;
        }
        var yourDiscriminator = BinaryPrimitives.ReadUInt32BigEndian(payload[8..]);
        var state = (BfdState)(flags >> StateShift);
        if (yourDiscriminator == 0 && state is not (BfdState.Down or BfdState.AdminDown))
        {
            return BfdDecodeError.ZeroYourDiscriminator;
        }

        BfdAuthenticationSection? authentication = null;
        if (authenticated)
        {
            var error = TryReadAuthentication(payload[BfdControlPacket.MandatoryLength..length], copyAuthentication, out var section);
            if (error != BfdDecodeError.None)
            {
                return error;
            }
            authentication = section;
            authenticationOffset = BfdControlPacket.MandatoryLength;
        }
        else if (length != BfdControlPacket.MandatoryLength)
        {
            // Bytes claimed by Length that no section explains.
            return BfdDecodeError.BadAuthenticationLength;
        }

        packet = new BfdControlPacket
        {
            Version = version,
            Diagnostic = (BfdDiagnostic)(payload[0] & DiagMask),
            State = state,
            Poll = (flags & PollBit) != 0,
            Final = (flags & FinalBit) != 0,
            ControlPlaneIndependent = (flags & ControlPlaneIndependentBit) != 0,
            Demand = (flags & DemandBit) != 0,
            Multipoint = false,
            DetectMultiplier = detectMultiplier,
            MyDiscriminator = myDiscriminator,
            YourDiscriminator = yourDiscriminator,
            DesiredMinTxInterval = BinaryPrimitives.ReadUInt32BigEndian(payload[12..]),
            RequiredMinRxInterval = BinaryPrimitives.ReadUInt32BigEndian(payload[16..]),
            RequiredMinEchoRxInterval = BinaryPrimitives.ReadUInt32BigEndian(payload[20..]),
            Authentication = authentication,
        };
        return BfdDecodeError.None;
    }

    // The section spans exactly the bytes after the mandatory section up to Length.
    private static BfdDecodeError TryReadAuthentication(ReadOnlySpan<byte> section, bool copy, out BfdAuthenticationSection result)
    {
        result = default;
        var type = (BfdAuthenticationType)section[0];
        int authLength = section[1];
        if (authLength != section.Length)
        {
            return BfdDecodeError.BadAuthenticationLength;
        }
        switch (type)
        {
            case BfdAuthenticationType.SimplePassword:
                // 4.2: the password is 1 to 16 bytes, so Auth Len is 4 to 19.
                if (authLength is < 4 or > 19)
                {
                    return BfdDecodeError.BadAuthenticationLength;
                }
                result = new BfdAuthenticationSection(type, section[2], 0, copy ? section[3..].ToArray() : ReadOnlyMemory<byte>.Empty);
                return BfdDecodeError.None;
            case BfdAuthenticationType.KeyedMd5 or BfdAuthenticationType.MeticulousKeyedMd5
                or BfdAuthenticationType.KeyedSha1 or BfdAuthenticationType.MeticulousKeyedSha1:
                var digestLength = BfdAuthenticationSection.DigestLength(type);
                if (authLength < 8 || authLength != 8 + digestLength)
                {
                    return BfdDecodeError.BadAuthenticationLength;
                }
                var sequence = BinaryPrimitives.ReadUInt32BigEndian(section[4..]);
                result = new BfdAuthenticationSection(type, section[2], sequence, copy ? section[8..].ToArray() : ReadOnlyMemory<byte>.Empty);
                return BfdDecodeError.None;
            default:
                return BfdDecodeError.UnknownAuthenticationType;
        }
    }
}
