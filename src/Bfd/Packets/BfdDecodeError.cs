namespace BgpKit.Bfd;

/// <summary>
/// Why a received datagram was discarded by the reception checks of RFC 5880 section 6.8.6.
/// Malformed packets are counted and dropped; they never raise exceptions.
/// </summary>
public enum BfdDecodeError : byte
{
    /// <summary>The packet passed every check.</summary>
    None = 0,

    /// <summary>Fewer bytes than the 24-byte mandatory section.</summary>
    Truncated,

    /// <summary>The Vers field is not 1.</summary>
    BadVersion,

    /// <summary>The Length field is below 24, or below 26 with the A bit set.</summary>
    LengthTooSmall,

    /// <summary>The Length field is larger than the payload of the datagram.</summary>
    LengthExceedsPayload,

    /// <summary>The Detect Mult field is zero.</summary>
    ZeroDetectMultiplier,

    /// <summary>The Multipoint (M) bit is set.</summary>
    Multipoint,

    /// <summary>The My Discriminator field is zero.</summary>
    ZeroMyDiscriminator,

    /// <summary>Your Discriminator is zero while the State field is neither Down nor AdminDown.</summary>
    ZeroYourDiscriminator,

    /// <summary>The authentication section's Auth Len does not fit the Length field or its Auth Type.</summary>
    BadAuthenticationLength,

    /// <summary>The Auth Type is not one of RFC 5880's five types.</summary>
    UnknownAuthenticationType,
}
