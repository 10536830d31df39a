namespace BgpKit.Bgp.Wire;

/// <summary>NOTIFICATION Error Codes (RFC 4271 section 4.5 and the IANA "BGP Error (Notification) Codes" registry).</summary>
public enum BgpErrorCode : byte
{
    /// <summary>Message Header Error (RFC 4271).</summary>
    MessageHeaderError = 1,

    /// <summary>OPEN Message Error (RFC 4271).</summary>
    OpenMessageError = 2,

    /// <summary>UPDATE Message Error (RFC 4271).</summary>
    UpdateMessageError = 3,

    /// <summary>Hold Timer Expired (RFC 4271).</summary>
    HoldTimerExpired = 4,

    /// <summary>Finite State Machine Error (RFC 4271, subcodes RFC 6608).</summary>
    FiniteStateMachineError = 5,

    /// <summary>Cease (RFC 4271, subcodes RFC 4486, 8203, 9003, 8538, 9384).</summary>
    Cease = 6,

    /// <summary>ROUTE-REFRESH Message Error (RFC 7313).</summary>
    RouteRefreshMessageError = 7,

    /// <summary>Send Hold Timer Expired (RFC 9687).</summary>
    SendHoldTimerExpired = 8,
}

/// <summary>Subcodes of <see cref="BgpErrorCode.MessageHeaderError"/> (RFC 4271 section 6.1).</summary>
public enum MessageHeaderErrorSubcode : byte
{
    /// <summary>Unspecific.</summary>
    Unspecific = 0,

    /// <summary>Connection Not Synchronized (the marker is not all ones).</summary>
    ConnectionNotSynchronized = 1,

    /// <summary>Bad Message Length; data is the 2-octet erroneous length.</summary>
    BadMessageLength = 2,

    /// <summary>Bad Message Type; data is the 1-octet type.</summary>
    BadMessageType = 3,
}

/// <summary>Subcodes of <see cref="BgpErrorCode.OpenMessageError"/> (RFC 4271 section 6.2, RFC 5492, RFC 9234).</summary>
public enum OpenMessageErrorSubcode : byte
{
    /// <summary>Unspecific.</summary>
    Unspecific = 0,

    /// <summary>Unsupported Version Number; data is the largest supported version (2 octets).</summary>
    UnsupportedVersionNumber = 1,

    /// <summary>Bad Peer AS.</summary>
    BadPeerAs = 2,

    /// <summary>Bad BGP Identifier.</summary>
    BadBgpIdentifier = 3,

    /// <summary>Unsupported Optional Parameter.</summary>
    UnsupportedOptionalParameter = 4,

    /// <summary>Unacceptable Hold Time.</summary>
    UnacceptableHoldTime = 6,

    /// <summary>Unsupported Capability (RFC 5492).</summary>
    UnsupportedCapability = 7,

    /// <summary>Role Mismatch (RFC 9234).</summary>
    RoleMismatch = 11,
}

/// <summary>Subcodes of <see cref="BgpErrorCode.UpdateMessageError"/> (RFC 4271 section 6.3).</summary>
public enum UpdateMessageErrorSubcode : byte
{
    /// <summary>Unspecific.</summary>
    Unspecific = 0,

    /// <summary>Malformed Attribute List.</summary>
    MalformedAttributeList = 1,

    /// <summary>Unrecognized Well-known Attribute.</summary>
    UnrecognizedWellKnownAttribute = 2,

    /// <summary>Missing Well-known Attribute; data is the missing type code.</summary>
    MissingWellKnownAttribute = 3,

    /// <summary>Attribute Flags Error; data is the attribute (type, length, value).</summary>
    AttributeFlagsError = 4,

    /// <summary>Attribute Length Error; data is the attribute.</summary>
    AttributeLengthError = 5,

    /// <summary>Invalid ORIGIN Attribute; data is the attribute.</summary>
    InvalidOriginAttribute = 6,

    /// <summary>Invalid NEXT_HOP Attribute; data is the attribute.</summary>
    InvalidNextHopAttribute = 8,

    /// <summary>Optional Attribute Error; data is the attribute.</summary>
    OptionalAttributeError = 9,

    /// <summary>Invalid Network Field.</summary>
    InvalidNetworkField = 10,

    /// <summary>Malformed AS_PATH.</summary>
    MalformedAsPath = 11,
}

/// <summary>Subcodes of <see cref="BgpErrorCode.FiniteStateMachineError"/> (RFC 6608).</summary>
public enum FiniteStateMachineErrorSubcode : byte
{
    /// <summary>Unspecified Error.</summary>
    Unspecified = 0,

    /// <summary>Receive Unexpected Message in OpenSent State; data is the message type.</summary>
    UnexpectedMessageInOpenSent = 1,

    /// <summary>Receive Unexpected Message in OpenConfirm State.</summary>
    UnexpectedMessageInOpenConfirm = 2,

    /// <summary>Receive Unexpected Message in Established State.</summary>
    UnexpectedMessageInEstablished = 3,
}

/// <summary>Subcodes of <see cref="BgpErrorCode.Cease"/> (RFC 4486, RFC 8203/9003, RFC 8538, RFC 9384).</summary>
public enum CeaseSubcode : byte
{
    /// <summary>No subcode given.</summary>
    Unspecific = 0,

    /// <summary>Maximum Number of Prefixes Reached; data: AFI (2), SAFI (1), upper bound (4).</summary>
    MaximumNumberOfPrefixesReached = 1,

    /// <summary>Administrative Shutdown; data may carry a shutdown communication (RFC 8203/9003).</summary>
    AdministrativeShutdown = 2,

    /// <summary>Peer De-configured.</summary>
    PeerDeconfigured = 3,

    /// <summary>Administrative Reset; data may carry a shutdown communication (RFC 8203/9003).</summary>
    AdministrativeReset = 4,

    /// <summary>Connection Rejected.</summary>
    ConnectionRejected = 5,

    /// <summary>Other Configuration Change.</summary>
    OtherConfigurationChange = 6,

    /// <summary>Connection Collision Resolution.</summary>
    ConnectionCollisionResolution = 7,

    /// <summary>Out of Resources.</summary>
    OutOfResources = 8,

    /// <summary>Hard Reset (RFC 8538); data is the encapsulated code, subcode and data.</summary>
    HardReset = 9,

    /// <summary>BFD Down (RFC 9384).</summary>
    BfdDown = 10,
}

/// <summary>Subcodes of <see cref="BgpErrorCode.RouteRefreshMessageError"/> (RFC 7313).</summary>
public enum RouteRefreshMessageErrorSubcode : byte
{
    /// <summary>Reserved.</summary>
    Reserved = 0,

    /// <summary>Invalid Message Length; data is the whole ROUTE-REFRESH message.</summary>
    InvalidMessageLength = 1,
}
