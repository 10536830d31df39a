namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>
/// <c>show config</c> (<c>GET /v1/config</c>): the plan in force on this node, and the outcome of
/// the latest configuration change. An invalid change leaves <see cref="InForce"/> as it was.
/// </summary>
/// <param name="Node">The node this speaker plans for.</param>
/// <param name="InForce">The configuration being applied, or null before the first valid one.</param>
/// <param name="LastChange">The latest configuration read, valid or not, or null before the first read.</param>
public sealed record ConfigView(string Node, AppliedConfigView? InForce, ConfigChangeView? LastChange);

/// <summary>The valid configuration in force.</summary>
/// <param name="Generation">Counts valid configurations applied since start (1 for the first).</param>
/// <param name="AppliedAt">When it was applied (UTC, ISO 8601).</param>
/// <param name="Source">Where it came from (paths, or the API server).</param>
/// <param name="Sessions">The BGP sessions this node runs.</param>
/// <param name="Announcements">The routes this node sends, per session.</param>
/// <param name="Services">Each service, with its addresses and why it is or is not announced here.</param>
public sealed record AppliedConfigView(
    long Generation,
    string AppliedAt,
    string Source,
    IReadOnlyList<SessionView> Sessions,
    IReadOnlyList<AnnouncementView> Announcements,
    IReadOnlyList<ServiceView> Services);

/// <summary>The outcome of reading and validating one configuration.</summary>
/// <param name="At">When it was read (UTC, ISO 8601).</param>
/// <param name="Valid">Whether it was valid (and therefore applied).</param>
/// <param name="Errors">What made it invalid.</param>
/// <param name="Pending">Items waiting for something to exist (a Secret, a BFD profile).</param>
/// <param name="Warnings">Problems that did not stop it.</param>
public sealed record ConfigChangeView(
    string At,
    bool Valid,
    IReadOnlyList<ConfigProblemView> Errors,
    IReadOnlyList<ConfigProblemView> Pending,
    IReadOnlyList<ConfigProblemView> Warnings);

/// <summary>One problem in the configuration, located as precisely as the reader could.</summary>
/// <param name="File">The file (or API object) it was found in.</param>
/// <param name="Line">The 1-based line, or 0 when not known.</param>
/// <param name="Kind">The resource kind.</param>
/// <param name="Name">The resource name.</param>
/// <param name="Field">The field path.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ConfigProblemView(string? File, int Line, string? Kind, string? Name, string? Field, string Message);

/// <summary>One BGP session of the plan (the password is never shown: only whether one is set).</summary>
/// <param name="Peer">The BGPPeer name.</param>
/// <param name="Address">The peer address.</param>
/// <param name="Port">The peer port.</param>
/// <param name="MyAsn">Our AS number.</param>
/// <param name="PeerAsn">The peer AS number (0 for a dynamic one).</param>
/// <param name="DynamicAsn"><c>internal</c>, <c>external</c>, or null.</param>
/// <param name="HoldTime">Hold time in seconds.</param>
/// <param name="KeepaliveTime">Keepalive time in seconds.</param>
/// <param name="RouterId">BGP identifier, or null for the default.</param>
/// <param name="SourceAddress">Source address, or null.</param>
/// <param name="EbgpMultiHop">Whether eBGP multihop is on.</param>
/// <param name="BfdProfile">The BFD profile name, or null.</param>
/// <param name="HasPassword">Whether TCP MD5 is configured.</param>
public sealed record SessionView(
    string Peer,
    string Address,
    int Port,
    long MyAsn,
    long PeerAsn,
    string? DynamicAsn,
    int HoldTime,
    int KeepaliveTime,
    string? RouterId,
    string? SourceAddress,
    bool EbgpMultiHop,
    string? BfdProfile,
    bool HasPassword)
{
    /// <summary>Which received routes the session accepts (FRR-K8s toReceive): <c>all</c>, <c>none</c>, or the prefixes with ge/le.</summary>
    public string ToReceive { get; init; } = "none";
}

/// <summary>One route of the plan, for one session.</summary>
/// <param name="Peer">The BGPPeer name.</param>
/// <param name="Prefix">The prefix.</param>
/// <param name="LocalPref">LOCAL_PREF (iBGP sessions only), or null.</param>
/// <param name="Communities">Communities.</param>
/// <param name="LargeCommunities">Large communities.</param>
public sealed record AnnouncementView(
    string Peer,
    string Prefix,
    long? LocalPref,
    IReadOnlyList<string> Communities,
    IReadOnlyList<string> LargeCommunities);

/// <summary>One service and what this node does with it.</summary>
/// <param name="Namespace">The service namespace.</param>
/// <param name="Name">The service name.</param>
/// <param name="Addresses">Its load-balancer addresses.</param>
/// <param name="Pool">The pool they came from, if any.</param>
/// <param name="Announced">Whether this node announces it.</param>
/// <param name="Reason">Why it is, or is not, announced from this node (or why it got no address).</param>
public sealed record ServiceView(string Namespace, string Name, IReadOnlyList<string> Addresses, string? Pool, bool Announced, string Reason);
