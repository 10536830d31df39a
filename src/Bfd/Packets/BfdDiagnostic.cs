namespace BgpKit.Bfd;

/// <summary>The diagnostic codes of RFC 5880 section 4.1 (the Diag field): why the session last left Up.</summary>
public enum BfdDiagnostic : byte
{
    /// <summary>No diagnostic (0).</summary>
    None = 0,

    /// <summary>Control Detection Time Expired (1): no packet arrived within the detection time.</summary>
    ControlDetectionTimeExpired = 1,

    /// <summary>Echo Function Failed (2).</summary>
    EchoFunctionFailed = 2,

    /// <summary>Neighbor Signaled Session Down (3).</summary>
    NeighborSignaledSessionDown = 3,

    /// <summary>Forwarding Plane Reset (4).</summary>
    ForwardingPlaneReset = 4,

    /// <summary>Path Down (5).</summary>
    PathDown = 5,

    /// <summary>Concatenated Path Down (6).</summary>
    ConcatenatedPathDown = 6,

    /// <summary>Administratively Down (7).</summary>
    AdministrativelyDown = 7,

    /// <summary>Reverse Concatenated Path Down (8).</summary>
    ReverseConcatenatedPathDown = 8,
}
