namespace BgpKit.Bgp.Wire.Mrt;

/// <summary>MRT record types (RFC 6396 4, IANA "MRT Types"), including the deprecated ones old archives hold.</summary>
public enum MrtRecordType : ushort
{
    /// <summary>Deprecated BGP (RFC 6396 B.2.1): old Zebra/MRTd update logs with 2-octet ASNs.</summary>
    Bgp = 5,
    /// <summary>TABLE_DUMP (RFC 6396 4.2): one RIB entry per record, 2-octet ASNs.</summary>
    TableDump = 12,
    /// <summary>TABLE_DUMP_V2 (RFC 6396 4.3, RFC 8050 for ADD-PATH).</summary>
    TableDumpV2 = 13,
    /// <summary>BGP4MP (RFC 6396 4.4).</summary>
    Bgp4Mp = 16,
    /// <summary>BGP4MP_ET: BGP4MP with a microsecond timestamp (RFC 6396 3).</summary>
    Bgp4MpEt = 17,
}

/// <summary>Subtypes of TABLE_DUMP_V2 (RFC 6396 4.3, RFC 8050 4).</summary>
public enum TableDumpV2Subtype : ushort
{
    /// <summary>The peers later RIB entries refer to by index.</summary>
    PeerIndexTable = 1,
    /// <summary>IPv4 unicast RIB entries for one prefix.</summary>
    RibIpv4Unicast = 2,
    /// <summary>IPv4 multicast RIB entries for one prefix.</summary>
    RibIpv4Multicast = 3,
    /// <summary>IPv6 unicast RIB entries for one prefix.</summary>
    RibIpv6Unicast = 4,
    /// <summary>IPv6 multicast RIB entries for one prefix.</summary>
    RibIpv6Multicast = 5,
    /// <summary>RIB entries for one NLRI of any AFI/SAFI.</summary>
    RibGeneric = 6,
    /// <summary>IPv4 unicast with ADD-PATH path identifiers.</summary>
    RibIpv4UnicastAddPath = 8,
    /// <summary>IPv4 multicast with ADD-PATH path identifiers.</summary>
    RibIpv4MulticastAddPath = 9,
    /// <summary>IPv6 unicast with ADD-PATH path identifiers.</summary>
    RibIpv6UnicastAddPath = 10,
    /// <summary>IPv6 multicast with ADD-PATH path identifiers.</summary>
    RibIpv6MulticastAddPath = 11,
    /// <summary>RIB_GENERIC with ADD-PATH path identifiers.</summary>
    RibGenericAddPath = 12,
}

/// <summary>Subtypes of BGP4MP and BGP4MP_ET (RFC 6396 4.4, RFC 8050 3).</summary>
public enum Bgp4MpSubtype : ushort
{
    /// <summary>A peer's FSM state change, 2-octet ASNs.</summary>
    StateChange = 0,
    /// <summary>A received BGP message, 2-octet ASNs.</summary>
    Message = 1,
    /// <summary>A received BGP message, 4-octet ASNs.</summary>
    MessageAs4 = 4,
    /// <summary>A peer's FSM state change, 4-octet ASNs.</summary>
    StateChangeAs4 = 5,
    /// <summary>A locally generated (sent) BGP message, 2-octet ASNs.</summary>
    MessageLocal = 6,
    /// <summary>A locally generated (sent) BGP message, 4-octet ASNs.</summary>
    MessageAs4Local = 7,
    /// <summary>MESSAGE with ADD-PATH NLRI.</summary>
    MessageAddPath = 8,
    /// <summary>MESSAGE_AS4 with ADD-PATH NLRI.</summary>
    MessageAs4AddPath = 9,
    /// <summary>MESSAGE_LOCAL with ADD-PATH NLRI.</summary>
    MessageLocalAddPath = 10,
    /// <summary>MESSAGE_AS4_LOCAL with ADD-PATH NLRI.</summary>
    MessageAs4LocalAddPath = 11,
}

/// <summary>Subtypes of the deprecated BGP type (RFC 6396 B.2.1).</summary>
public enum MrtBgpSubtype : ushort
{
    /// <summary>Nothing.</summary>
    Null = 0,
    /// <summary>An UPDATE body (without the BGP header).</summary>
    Update = 1,
    /// <summary>Preference update (never decoded).</summary>
    PrefUpdate = 2,
    /// <summary>An FSM state change.</summary>
    StateChange = 3,
    /// <summary>Sync (never decoded).</summary>
    Sync = 4,
    /// <summary>An OPEN body.</summary>
    Open = 5,
    /// <summary>A NOTIFICATION body.</summary>
    Notify = 6,
    /// <summary>A KEEPALIVE (empty body).</summary>
    Keepalive = 7,
}
