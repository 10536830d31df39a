namespace BgpKit.Bgp.Wire;

/// <summary>Path attribute type codes (IANA "BGP Path Attributes").</summary>
public enum PathAttributeType : byte
{
    /// <summary>ORIGIN (RFC 4271), well-known mandatory.</summary>
    Origin = 1,

    /// <summary>AS_PATH (RFC 4271), well-known mandatory.</summary>
    AsPath = 2,

    /// <summary>NEXT_HOP (RFC 4271), well-known mandatory for IPv4 NLRI.</summary>
    NextHop = 3,

    /// <summary>MULTI_EXIT_DISC (RFC 4271), optional non-transitive.</summary>
    MultiExitDisc = 4,

    /// <summary>LOCAL_PREF (RFC 4271), well-known.</summary>
    LocalPref = 5,

    /// <summary>ATOMIC_AGGREGATE (RFC 4271), well-known discretionary.</summary>
    AtomicAggregate = 6,

    /// <summary>AGGREGATOR (RFC 4271), optional transitive.</summary>
    Aggregator = 7,

    /// <summary>COMMUNITIES (RFC 1997), optional transitive.</summary>
    Communities = 8,

    /// <summary>ORIGINATOR_ID (RFC 4456), optional non-transitive.</summary>
    OriginatorId = 9,

    /// <summary>CLUSTER_LIST (RFC 4456), optional non-transitive.</summary>
    ClusterList = 10,

    /// <summary>MP_REACH_NLRI (RFC 4760), optional non-transitive.</summary>
    MpReachNlri = 14,

    /// <summary>MP_UNREACH_NLRI (RFC 4760), optional non-transitive.</summary>
    MpUnreachNlri = 15,

    /// <summary>EXTENDED COMMUNITIES (RFC 4360), optional transitive.</summary>
    ExtendedCommunities = 16,

    /// <summary>AS4_PATH (RFC 6793), optional transitive.</summary>
    As4Path = 17,

    /// <summary>AS4_AGGREGATOR (RFC 6793), optional transitive.</summary>
    As4Aggregator = 18,

    /// <summary>LARGE_COMMUNITY (RFC 8092), optional transitive.</summary>
    LargeCommunities = 32,

    /// <summary>Only to Customer, OTC (RFC 9234), optional transitive.</summary>
    OnlyToCustomer = 35,
}

/// <summary>Path attribute flags (RFC 4271 section 4.3).</summary>
[Flags]
public enum PathAttributeFlags : byte
{
    /// <summary>No flag: well-known.</summary>
    None = 0,

    /// <summary>Extended Length: the length field is 2 octets.</summary>
    ExtendedLength = 0x10,

    /// <summary>Partial: an optional transitive attribute passed on by a speaker that did not recognise it.</summary>
    Partial = 0x20,

    /// <summary>Transitive.</summary>
    Transitive = 0x40,

    /// <summary>Optional.</summary>
    Optional = 0x80,
}

/// <summary>ORIGIN values (RFC 4271 section 5.1.1).</summary>
public enum Origin : byte
{
    /// <summary>IGP: interior to the originating AS.</summary>
    Igp = 0,

    /// <summary>EGP: learned via EGP.</summary>
    Egp = 1,

    /// <summary>INCOMPLETE: learned by some other means.</summary>
    Incomplete = 2,
}
