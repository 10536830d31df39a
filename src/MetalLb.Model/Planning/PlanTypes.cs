using System.Net;

namespace BgpKit.MetalLb.Model;

/// <summary>One BGP session a node runs, with the peer's parameters after defaults. The password is never shown.</summary>
public sealed record SessionPlan
{
    /// <summary>The BGPPeer (or FRRConfiguration neighbor) name.</summary>
    public required string Peer { get; init; }

    /// <summary>The peer's address; <see cref="IPAddress.IPv6Any"/> for an <see cref="Interface"/> peer (learned on the link).</summary>
    public required IPAddress Address { get; init; }

    /// <summary>
    /// BGP unnumbered (BGPPeer <c>spec.interface</c>): the node interface the session runs over, to the peer's IPv6
    /// link-local address, carrying IPv4 and IPv6 (IPv4 with IPv6 next hops, RFC 8950). Null for a peer at <see cref="Address"/>.
    /// </summary>
    public string? Interface { get; init; }

    /// <summary>How the peer is named in FRR and in <c>bgpkit show</c>: its interface, else its address.</summary>
    public string Neighbor => Interface ?? Address.ToString();

    /// <summary>The peer's TCP port (179 unless configured).</summary>
    public int Port { get; init; } = 179;

    /// <summary>Our AS number.</summary>
    public uint MyAsn { get; init; }

    /// <summary>The peer's AS number, or null with <see cref="DynamicAsn"/>.</summary>
    public uint? PeerAsn { get; init; }

    /// <summary><c>internal</c> or <c>external</c> when the peer's AS is learned from its OPEN.</summary>
    public string? DynamicAsn { get; init; }

    /// <summary>Hold time (RFC 4271 section 4.2).</summary>
    public TimeSpan HoldTime { get; init; }

    /// <summary>Keepalive interval.</summary>
    public TimeSpan KeepaliveTime { get; init; }

    /// <summary>Connect retry time, when configured.</summary>
    public TimeSpan? ConnectTime { get; init; }

    /// <summary>Router ID, when configured (otherwise the node's address).</summary>
    public IPAddress? RouterId { get; init; }

    /// <summary>Local address to bind, when configured.</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>Whether eBGP multi-hop is on.</summary>
    public bool EbgpMultiHop { get; init; }

    /// <summary>The BFD profile name, when BFD runs on this session.</summary>
    public string? BfdProfile { get; init; }

    /// <summary>BFD parameters of that profile (milliseconds and multiplier), when BFD runs.</summary>
    public BfdPlan? Bfd { get; init; }

    /// <summary>VRF name, empty for the default VRF.</summary>
    public string Vrf { get; init; } = "";

    /// <summary>Whether the session is iBGP (LOCAL_PREF is sent only there).</summary>
    public bool IsIbgp { get; init; }

    /// <summary>
    /// True when the session carries only its peer address's family (MetalLB's default); false with
    /// <c>dualStackAddressFamily: true</c>, when IPv4 and IPv6 unicast share it (MP-BGP).
    /// </summary>
    public bool DisableMp { get; init; }

    /// <summary>Whether graceful restart is enabled.</summary>
    public bool GracefulRestart { get; init; }

    /// <summary>
    /// True when an FRRConfiguration's <c>toReceive</c> allows routes from this neighbor (mode <c>all</c>, or
    /// prefixes): FRR-K8s installs the routes it accepts from such a neighbor into the node's kernel table (the
    /// VRF's table with a vrf). MetalLB's own BGPPeers accept nothing.
    /// </summary>
    public bool ReceivesRoutes { get; init; }

    /// <summary>
    /// Which received routes the session accepts (FRR-K8s toReceive, merged per neighbor); refused routes never
    /// enter its Adj-RIB-In. MetalLB's own BGPPeers accept none, as upstream.
    /// </summary>
    public ReceiveFilter ToReceive { get; init; } = ReceiveFilter.None;

    /// <summary>Why the session waits (missing Secret or BFD profile), or null.</summary>
    public string? Pending { get; init; }

    /// <summary>The TCP MD5 password, resolved from the peer or its Secret. Internal: only the FRR renderer and the speaker read it.</summary>
    internal string? Password { get; init; }

    /// <summary>Whether a password is configured (the value itself is never printed).</summary>
    public bool PasswordSet => Password is not null;

    /// <summary>
    /// The TCP MD5 password, for the code that configures the session (a speaker, a renderer). A method, not a
    /// property, so that serializers, loggers and debuggers that walk properties never pick it up.
    /// </summary>
    public string? RevealPassword() => Password;

    /// <inheritdoc/>
    public override string ToString() => $"{Peer} {(Interface is null ? $"{Address}:{Port}" : $"interface {Interface}")} AS{MyAsn}->{(PeerAsn?.ToString() ?? DynamicAsn)} passwordSet={PasswordSet}";
}

/// <summary>BFD parameters of a session.</summary>
/// <param name="ReceiveInterval">Required minimum receive interval, ms.</param>
/// <param name="TransmitInterval">Desired minimum transmit interval, ms.</param>
/// <param name="DetectMultiplier">Detection multiplier.</param>
/// <param name="EchoMode">Whether echo mode is on.</param>
/// <param name="EchoInterval">Echo interval, ms.</param>
/// <param name="PassiveMode">Whether the session waits for the peer to start.</param>
/// <param name="MinimumTtl">Minimum accepted TTL (multi-hop).</param>
public sealed record BfdPlan(int ReceiveInterval, int TransmitInterval, int DetectMultiplier, bool EchoMode, int EchoInterval, bool PassiveMode, int MinimumTtl);

/// <summary>One route sent to one peer, with its attributes.</summary>
public sealed record Announcement
{
    /// <summary>The peer (session) name.</summary>
    public required string Peer { get; init; }

    /// <summary>The prefix: a service address masked to the aggregation length.</summary>
    public required IPNetwork Prefix { get; init; }

    /// <summary>LOCAL_PREF, sent only to iBGP peers; null otherwise.</summary>
    public uint? LocalPref { get; init; }

    /// <summary>Standard communities (RFC 1997) as <c>a:b</c>, sorted numerically.</summary>
    public IReadOnlyList<string> Communities { get; init; } = [];

    /// <summary>Large communities (RFC 8092) as <c>a:b:c</c>, sorted.</summary>
    public IReadOnlyList<string> LargeCommunities { get; init; } = [];
}

/// <summary>What one node does: its sessions and the routes it sends on each.</summary>
public sealed record NodePlan
{
    /// <summary>The node name.</summary>
    public required string Name { get; init; }

    /// <summary>Sessions, by peer name.</summary>
    public required IReadOnlyList<SessionPlan> Sessions { get; init; }

    /// <summary>Routes, by peer then prefix.</summary>
    public required IReadOnlyList<Announcement> Announcements { get; init; }
}

/// <summary>A service's allocation and, per node, whether and why it is announced.</summary>
public sealed record ServicePlan
{
    /// <summary>Namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>Name.</summary>
    public required string Name { get; init; }

    /// <summary>Allocated addresses (empty when allocation failed).</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    /// <summary>The pool the addresses come from (metallb.io/ip-allocated-from-pool).</summary>
    public string? Pool { get; init; }

    /// <summary>Upstream's event text when allocation failed.</summary>
    public string? Error { get; init; }

    /// <summary>Per node, why the service is or is not announced from there.</summary>
    public required IReadOnlyDictionary<string, string> Announced { get; init; }
}

/// <summary>The plan for a set of manifests: validity, problems, services and nodes.</summary>
public sealed record ClusterPlan
{
    /// <summary>True when there is no error.</summary>
    public bool Valid => Errors.Count == 0;

    /// <summary>Fatal problems: the configuration is not applied.</summary>
    public required IReadOnlyList<Problem> Errors { get; init; }

    /// <summary>Items waiting for a Secret or a BFD profile.</summary>
    public required IReadOnlyList<Problem> Pending { get; init; }

    /// <summary>Warnings.</summary>
    public required IReadOnlyList<Problem> Warnings { get; init; }

    /// <summary>LoadBalancer services, by namespace/name.</summary>
    public required IReadOnlyList<ServicePlan> Services { get; init; }

    /// <summary>Nodes, by name.</summary>
    public required IReadOnlyList<NodePlan> Nodes { get; init; }

    /// <summary>Services in layer 2 mode (a pool some L2Advertisement selects), by namespace/name.</summary>
    public IReadOnlyList<Layer2ServicePlan> Layer2 { get; init; } = [];

    /// <summary>Notes about assumptions (no Node manifests, no EndpointSlices).</summary>
    public required IReadOnlyList<string> Notes { get; init; }
}

/// <summary>Options of <see cref="MetalLbPlanner.Plan(ManifestSet, PlanOptions?)"/>.</summary>
public sealed record PlanOptions
{
    /// <summary>Plan only this node (used with no labels when no Node manifest names it).</summary>
    public string? Node { get; init; }

    /// <summary>
    /// Where services' addresses come from: <see cref="AddressSource.Allocate"/> (the default, a dry run or a
    /// controller) or <see cref="AddressSource.ServiceStatus"/> (a speaker reading the API server).
    /// </summary>
    public AddressSource Addresses { get; init; } = AddressSource.Allocate;
}

/// <summary>Where the plan takes each LoadBalancer service's addresses from.</summary>
public enum AddressSource
{
    /// <summary>Allocate them here, as MetalLB's controller does (keeping those in the service's status while still valid).</summary>
    Allocate,

    /// <summary>
    /// Take them from <c>status.loadBalancer.ingress</c>, as MetalLB's speaker does: the controller wrote them.
    /// Nothing is allocated; the pool is the one the <c>metallb.io/ip-allocated-from-pool</c> annotation names
    /// when it contains every address, else the pool that does. A service with no address in its status, or
    /// with addresses no single pool contains, is not announced and its plan says why.
    /// </summary>
    ServiceStatus,
}
