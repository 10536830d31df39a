namespace BgpKit.Bgp.Wire;

/// <summary>Address Family Identifiers (IANA "Address Family Numbers") that BGP uses.</summary>
public enum Afi : ushort
{
    /// <summary>IPv4.</summary>
    IPv4 = 1,

    /// <summary>IPv6.</summary>
    IPv6 = 2,

    /// <summary>Layer-2 VPN (EVPN, VPLS).</summary>
    L2Vpn = 25,

    /// <summary>BGP-LS (RFC 7752).</summary>
    BgpLs = 16388,
}

/// <summary>Subsequent Address Family Identifiers (IANA "SAFI Values").</summary>
public enum Safi : byte
{
    /// <summary>Unicast.</summary>
    Unicast = 1,

    /// <summary>Multicast.</summary>
    Multicast = 2,

    /// <summary>Labelled unicast (RFC 8277).</summary>
    MplsLabel = 4,

    /// <summary>MCAST-VPN (RFC 6514).</summary>
    McastVpn = 5,

    /// <summary>VPLS (RFC 4761).</summary>
    Vpls = 65,

    /// <summary>EVPN (RFC 7432).</summary>
    Evpn = 70,

    /// <summary>BGP-LS (RFC 7752).</summary>
    BgpLs = 71,

    /// <summary>MPLS-labelled VPN (RFC 4364).</summary>
    MplsVpn = 128,

    /// <summary>Route Target constraint (RFC 4684).</summary>
    RouteTargetConstraint = 132,

    /// <summary>Flow specification (RFC 8955).</summary>
    FlowSpec = 133,

    /// <summary>VPN flow specification (RFC 8955).</summary>
    FlowSpecVpn = 134,
}

/// <summary>An AFI/SAFI pair, the unit of multiprotocol negotiation (RFC 4760).</summary>
/// <param name="Afi">The address family.</param>
/// <param name="Safi">The subsequent address family.</param>
public readonly record struct AfiSafi(Afi Afi, Safi Safi)
{
    /// <summary>IPv4 unicast (1/1).</summary>
    public static AfiSafi IPv4Unicast => new(Afi.IPv4, Safi.Unicast);

    /// <summary>IPv6 unicast (2/1).</summary>
    public static AfiSafi IPv6Unicast => new(Afi.IPv6, Safi.Unicast);

    /// <summary>"1/1" style, with names where known ("IPv4/Unicast").</summary>
    public override string ToString() => $"{Afi}/{Safi}";
}
