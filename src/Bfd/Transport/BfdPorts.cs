namespace BgpKit.Bfd.Transport;

/// <summary>The well-known BFD ports.</summary>
internal static class BfdPorts
{
    /// <summary>Single-hop control (RFC 5881 section 4).</summary>
    public const int SingleHopControl = 3784;

    /// <summary>Single-hop echo (RFC 5881 section 4).</summary>
    public const int Echo = 3785;

    /// <summary>Multihop control (RFC 5883 section 5).</summary>
    public const int MultihopControl = 4784;

    /// <summary>RFC 5881 section 4: the source port is in 49152..65535.</summary>
    public const int SourcePortFirst = 49152;

    /// <summary>Last source port.</summary>
    public const int SourcePortLast = 65535;

    /// <summary>RFC 5881 section 5 (GTSM, RFC 5082): single-hop packets are sent and required with TTL 255.</summary>
    public const int SingleHopTtl = 255;
}
