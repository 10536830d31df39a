using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>Which peer AS a session accepts (RFC 4271 section 6.2 "Bad Peer AS").</summary>
public enum PeerAsMode
{
    /// <summary>Exactly <see cref="BgpPeerOptions.RemoteAs"/>.</summary>
    Specific,

    /// <summary>Any AS equal to ours (dynamic internal peer).</summary>
    Internal,

    /// <summary>Any AS different from ours (dynamic external peer).</summary>
    External,
}

/// <summary>One peer of a <see cref="BgpSpeaker"/>: who it is and how the session to it behaves.</summary>
public sealed record BgpPeerOptions
{
    /// <summary>
    /// The peer's address (the TCP endpoint and the key of the peer in the speaker). With <see cref="Interface"/> set it
    /// is <see cref="IPAddress.IPv6Any"/> (the peer is learned on the link; the speaker keys it as
    /// <see cref="InterfacePeerAddress"/>) or the peer's known IPv6 link-local address.
    /// </summary>
    public required IPAddress Address { get; init; }

    /// <summary>
    /// BGP unnumbered, as FRR's <c>neighbor IFNAME interface</c>: the peer is whoever speaks BGP at the other end of this
    /// interface, at its IPv6 link-local address learned from its Router Advertisements (we send ours so it learns
    /// us). The session offers IPv4 unicast with IPv6 next hops (RFC 8950) and our routes carry our link-local address
    /// as next hop. Null: an ordinary peer at <see cref="Address"/>. Not combined with a TCP MD5 password.
    /// </summary>
    public string? Interface { get; init; }

    /// <summary>How often Router Advertisements are sent on <see cref="Interface"/> (FRR sends them every 10 s there).</summary>
    public TimeSpan RouterAdvertisementInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The peer's AS (2- or 4-octet); ignored unless <see cref="RemoteAsMode"/> is Specific.</summary>
    public uint RemoteAs { get; init; }

    /// <summary>How the peer AS in its OPEN is checked.</summary>
    public PeerAsMode RemoteAsMode { get; init; } = PeerAsMode.Specific;

    /// <summary>Our AS towards this peer (null: the speaker's AS).</summary>
    public uint? LocalAs { get; init; }

    /// <summary>Our BGP identifier towards this peer (an IPv4 address, RFC 6286; null: the speaker's).</summary>
    public IPAddress? RouterId { get; init; }

    /// <summary>Hold time we offer: 0 (no keepalives) or at least 3 s; the smaller of both sides wins (RFC 4271 section 4.2).</summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Keepalive interval; null means a third of the negotiated hold time.</summary>
    public TimeSpan? KeepaliveTime { get; init; }

    /// <summary>Refuse a peer whose hold time is below this (Unacceptable Hold Time), 0 accepts any legal value.</summary>
    public TimeSpan MinimumHoldTime { get; init; } = TimeSpan.Zero;

    /// <summary>RFC 4271 DelayOpen: wait this long after TCP is up before sending OPEN (null: off).</summary>
    public TimeSpan? DelayOpenTime { get; init; }

    /// <summary>First IdleHoldTime after a failure; it doubles per consecutive failure up to <see cref="IdleHoldTimeMax"/>.</summary>
    public TimeSpan IdleHoldTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the IdleHoldTime backoff; a session that stays Established this long resets the backoff.</summary>
    public TimeSpan IdleHoldTimeMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>RFC 9687 send hold time (null: max(8 minutes, 2 x negotiated hold time)).</summary>
    public TimeSpan? SendHoldTime { get; init; }

    /// <summary>TCP: ports, source address, MD5, TTL/GTSM, VRF, timeouts, queue bound.</summary>
    public TransportOptions Transport { get; init; } = new();

    /// <summary>Address families to negotiate (default IPv4 unicast and IPv6 unicast).</summary>
    public IReadOnlyList<AfiSafi> Families { get; init; } = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast];

    /// <summary>Next hop for IPv4 routes (null: the session's local address when IPv4, else must be set per route).</summary>
    public IPAddress? NextHopIPv4 { get; init; }

    /// <summary>Next hop for IPv6 routes (null: the session's local address when IPv6, else the IPv4-mapped local address).</summary>
    public IPAddress? NextHopIPv6 { get; init; }

    /// <summary>Advertise the hostname capability with this name (null: none).</summary>
    public string? HostName { get; init; }

    /// <summary>Advertise the extended message capability (RFC 8654).</summary>
    public bool ExtendedMessage { get; init; } = true;

    /// <summary>Advertise ADD-PATH receive for the families (RFC 7911).</summary>
    public bool AddPathReceive { get; init; }

    /// <summary>Keep the peer's routes as stale for its restart time when it restarts (RFC 4724 receiving speaker).</summary>
    public bool GracefulRestart { get; init; } = true;

    /// <summary>
    /// The restarting side of graceful restart (RFC 4724 section 4.1): our restart time, forwarding state per family,
    /// the R bit after a restart and End-of-RIB after the re-announcements. Null: receiving side only (restart time 0,
    /// no families). Needs <see cref="GracefulRestart"/>.
    /// </summary>
    public GracefulRestartOptions? RestartingSpeaker { get; init; }

    /// <summary>Keep an Adj-RIB-In for this peer (received routes as a table and as events).</summary>
    public bool KeepAdjRibIn { get; init; }

    /// <summary>Import filter for the Adj-RIB-In (null: accept all).</summary>
    public PrefixFilter? ImportFilter { get; init; }

    /// <summary>
    /// Maximum-prefix limits, at most one per family (FRR's <c>maximum-prefix</c>, GoBGP's <c>prefix-limit</c>):
    /// too many routes from the peer end the session with Cease/1 and keep it down (see <see cref="PrefixLimit"/>).
    /// Needs <see cref="KeepAdjRibIn"/>. Empty: no limit.
    /// </summary>
    public IReadOnlyList<PrefixLimit> PrefixLimits { get; init; } = [];

    /// <summary>Start the session when added (AllowAutomaticStart semantics apply after failures).</summary>
    public bool AutoStart { get; init; } = true;

    /// <summary>
    /// The speaker's key of the peer on an interface learned from the link: the unspecified IPv6 address with the
    /// interface's index as scope (<c>::%3</c>), which <see cref="BgpSpeaker.GetStatus"/> and the other per-peer calls take.
    /// </summary>
    /// <exception cref="ArgumentException">No interface has that name.</exception>
    public static IPAddress InterfacePeerAddress(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        return new IPAddress(IPAddress.IPv6Any.GetAddressBytes(), RouterAdvertisementLink.IndexOf(interfaceName));
    }

    /// <summary>Whether this is an eBGP session (peer AS differs from ours), given the negotiated or configured peer AS.</summary>
    internal bool IsExternal(uint localAs) => RemoteAsMode switch
    {
        PeerAsMode.Internal => false,
        PeerAsMode.External => true,
        _ => RemoteAs != (LocalAs ?? localAs),
    };
}
