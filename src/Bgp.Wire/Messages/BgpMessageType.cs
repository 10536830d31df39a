namespace BgpKit.Bgp.Wire;

/// <summary>BGP message types (RFC 4271 section 4.1, RFC 2918).</summary>
public enum BgpMessageType : byte
{
    /// <summary>OPEN.</summary>
    Open = 1,

    /// <summary>UPDATE.</summary>
    Update = 2,

    /// <summary>NOTIFICATION.</summary>
    Notification = 3,

    /// <summary>KEEPALIVE.</summary>
    Keepalive = 4,

    /// <summary>ROUTE-REFRESH (RFC 2918).</summary>
    RouteRefresh = 5,
}
