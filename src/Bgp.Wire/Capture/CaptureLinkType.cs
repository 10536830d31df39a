namespace BgpKit.Bgp.Wire.Capture;

/// <summary>
/// The link-layer header types (tcpdump.org LINKTYPE_ values) that the capture reader can strip to
/// reach IP. Frames of any other type are counted and skipped.
/// </summary>
public enum CaptureLinkType
{
    /// <summary>BSD loopback: a 4-octet address family in the writer's byte order.</summary>
    Null = 0,
    /// <summary>Ethernet II, with 802.1Q/802.1ad VLAN tags and MPLS label stacks stripped.</summary>
    Ethernet = 1,
    /// <summary>PPP (RFC 1661), with or without the HDLC address and control octets.</summary>
    Ppp = 9,
    /// <summary>Raw IPv4 or IPv6 (the historical DLT value some BSDs write).</summary>
    RawBsd = 12,
    /// <summary>Raw IPv4 or IPv6 (the historical OpenBSD DLT value).</summary>
    RawOpenBsd = 14,
    /// <summary>PPP in HDLC-like framing (RFC 1662).</summary>
    PppHdlc = 50,
    /// <summary>Raw IPv4 or IPv6, the version told by the first nibble.</summary>
    Raw = 101,
    /// <summary>Cisco HDLC: address, control, then an EtherType.</summary>
    CiscoHdlc = 104,
    /// <summary>Frame Relay (Q.922 address, then RFC 2427 NLPID or Cisco EtherType encapsulation).</summary>
    FrameRelay = 107,
    /// <summary>OpenBSD loopback: a 4-octet address family in network byte order.</summary>
    Loop = 108,
    /// <summary>Linux "cooked" capture v1 (SLL), as tcpdump -i any writes.</summary>
    LinuxSll = 113,
    /// <summary>Juniper Ethernet: a Juniper pseudo-header, then Ethernet.</summary>
    JuniperEthernet = 178,
    /// <summary>Raw IPv4.</summary>
    Ipv4 = 228,
    /// <summary>Raw IPv6.</summary>
    Ipv6 = 229,
    /// <summary>Linux "cooked" capture v2 (SLL2).</summary>
    LinuxSll2 = 276,
}
