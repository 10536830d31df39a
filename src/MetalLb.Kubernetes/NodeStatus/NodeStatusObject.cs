using System.Net;
using System.Text.Json.Nodes;

namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>
/// A per-node status kind the speaker publishes, with the label that scopes its objects to one node
/// (the label selector a speaker lists its own objects by).
/// </summary>
internal sealed record NodeStatusKind(string Group, string Version, string Plural, string Kind, string NodeLabel)
{
    /// <summary>MetalLB's <c>metallb.io/v1beta1</c> ServiceBGPStatus: one per announced Service and node.</summary>
    public static readonly NodeStatusKind ServiceBgpStatus = new("metallb.io", "v1beta1", "servicebgpstatuses", "ServiceBGPStatus", "metallb.io/node");

    /// <summary>FRR-K8s's <c>frrk8s.metallb.io/v1beta1</c> BGPSessionState: one per BGP session and node.</summary>
    public static readonly NodeStatusKind BgpSessionState = new("frrk8s.metallb.io", "v1beta1", "bgpsessionstates", "BGPSessionState", "frrk8s.metallb.io/node");

    /// <summary>MetalLB's <c>metallb.io/v1beta1</c> ServiceL2Status: one per Service this node answers ARP/NDP for.</summary>
    public static readonly NodeStatusKind ServiceL2Status = new("metallb.io", "v1beta1", "servicel2statuses", "ServiceL2Status", "metallb.io/node");

    public static IReadOnlyList<NodeStatusKind> All { get; } = [ServiceBgpStatus, BgpSessionState, ServiceL2Status];

    public string ApiVersion => Group + "/" + Version;
}

/// <summary>
/// One object the speaker wants the API server to hold for its node: the labels that identify it
/// and the status it carries. Compared by value: equal means nothing to write.
/// </summary>
internal abstract record NodeStatusObject(string Node)
{
    public abstract NodeStatusKind Kind { get; }

    /// <summary>Identity among this node's objects of <see cref="Kind"/>, derived from the identifying labels.</summary>
    public abstract string Key { get; }

    /// <summary>The <c>metadata.generateName</c> a new object gets (the server appends 5 characters).</summary>
    public abstract string GenerateName { get; }

    public abstract IReadOnlyDictionary<string, string> Labels();

    public abstract JsonObject Status();
}

/// <summary>
/// <c>ServiceBGPStatus</c> as MetalLB's speaker writes it: generateName <c>bgp-</c>, labels
/// <c>metallb.io/node</c>, <c>metallb.io/service-name</c>, <c>metallb.io/service-namespace</c>, and
/// status {node, serviceName, serviceNamespace, peers}: the BGPPeer names the Service is configured
/// to be announced to from this node (whether the session is up is BGPSessionState's business).
/// </summary>
internal sealed record ServiceBgpStatusObject(string Node, string ServiceNamespace, string ServiceName, IReadOnlyList<string> Peers) : NodeStatusObject(Node)
{
    public const string ServiceNameLabel = "metallb.io/service-name";
    public const string ServiceNamespaceLabel = "metallb.io/service-namespace";

    public override NodeStatusKind Kind => NodeStatusKind.ServiceBgpStatus;

    public override string Key => ServiceNamespace + "/" + ServiceName;

    public override string GenerateName => "bgp-";

    public override IReadOnlyDictionary<string, string> Labels() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [Kind.NodeLabel] = Node,
        [ServiceNameLabel] = ServiceName,
        [ServiceNamespaceLabel] = ServiceNamespace,
    };

    public override JsonObject Status() => new()
    {
        ["node"] = Node,
        ["serviceName"] = ServiceName,
        ["serviceNamespace"] = ServiceNamespace,
        ["peers"] = new JsonArray(Peers.Select(p => (JsonNode)p).ToArray()),
    };

    public bool Equals(ServiceBgpStatusObject? other) =>
        other is not null && Node == other.Node && ServiceNamespace == other.ServiceNamespace && ServiceName == other.ServiceName
        && Peers.SequenceEqual(other.Peers, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Node, ServiceNamespace, ServiceName, Peers.Count);

    /// <summary>The identity a listed object's labels give it, or null when a label is missing.</summary>
    public static string? KeyOf(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(ServiceNamespaceLabel, out var ns) && labels.TryGetValue(ServiceNameLabel, out var name) ? ns + "/" + name : null;
}

/// <summary>
/// <c>ServiceL2Status</c> as MetalLB's speaker writes it on the node that owns a layer 2 Service:
/// generateName <c>l2-</c>, labels <c>metallb.io/node</c>, <c>metallb.io/service-name</c>,
/// <c>metallb.io/service-namespace</c>, and status {node, serviceName, serviceNamespace, interfaces:
/// [{name}]}: the interfaces its addresses are answered on.
/// </summary>
internal sealed record ServiceL2StatusObject(string Node, string ServiceNamespace, string ServiceName, IReadOnlyList<string> Interfaces) : NodeStatusObject(Node)
{
    public override NodeStatusKind Kind => NodeStatusKind.ServiceL2Status;

    public override string Key => ServiceNamespace + "/" + ServiceName;

    public override string GenerateName => "l2-";

    public override IReadOnlyDictionary<string, string> Labels() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [Kind.NodeLabel] = Node,
        [ServiceBgpStatusObject.ServiceNameLabel] = ServiceName,
        [ServiceBgpStatusObject.ServiceNamespaceLabel] = ServiceNamespace,
    };

    public override JsonObject Status() => new()
    {
        ["node"] = Node,
        ["serviceName"] = ServiceName,
        ["serviceNamespace"] = ServiceNamespace,
        ["interfaces"] = new JsonArray(Interfaces.Select(i => (JsonNode)new JsonObject { ["name"] = i }).ToArray()),
    };

    public bool Equals(ServiceL2StatusObject? other) =>
        other is not null && Node == other.Node && ServiceNamespace == other.ServiceNamespace && ServiceName == other.ServiceName
        && Interfaces.SequenceEqual(other.Interfaces, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Node, ServiceNamespace, ServiceName, Interfaces.Count);
}

/// <summary>
/// <c>BGPSessionState</c> as FRR-K8s writes it: generateName <c>NODE-</c>, labels
/// <c>frrk8s.metallb.io/node</c>, <c>frrk8s.metallb.io/peer</c>, <c>frrk8s.metallb.io/vrf</c> (empty
/// for the default VRF), and status {bgpStatus, bfdStatus, node, peer, vrf}. The peer is written in
/// its label form in both places, as FRR-K8s does.
/// </summary>
internal sealed record BgpSessionStateObject(string Node, string Peer, string Vrf, string BgpStatus, string BfdStatus) : NodeStatusObject(Node)
{
    public const string PeerLabel = "frrk8s.metallb.io/peer";
    public const string VrfLabel = "frrk8s.metallb.io/vrf";

    /// <summary>FRR-K8s's bfdStatus for a session without BFD.</summary>
    public const string NoBfd = "N/A";

    public override NodeStatusKind Kind => NodeStatusKind.BgpSessionState;

    public override string Key => Vrf + "/" + Peer;

    public override string GenerateName => Node + "-";

    public override IReadOnlyDictionary<string, string> Labels() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [Kind.NodeLabel] = Node,
        [PeerLabel] = Peer,
        [VrfLabel] = Vrf,
    };

    public override JsonObject Status() => new()
    {
        ["bgpStatus"] = BgpStatus,
        ["bfdStatus"] = BfdStatus,
        ["node"] = Node,
        ["peer"] = Peer,
        ["vrf"] = Vrf,
    };

    public static string? KeyOf(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(PeerLabel, out var peer) ? (labels.GetValueOrDefault(VrfLabel) ?? "") + "/" + peer : null;

    /// <summary>
    /// A peer address as a label value: IPv4 as it is; IPv6 written out in full with every <c>:</c>
    /// as <c>-</c> (a label value has no colons and ends in an alphanumeric), as FRR-K8s writes it.
    /// </summary>
    public static string PeerLabelValue(string address)
    {
        if (!IPAddress.TryParse(address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        var groups = new string[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = ((bytes[2 * i] << 8) | bytes[(2 * i) + 1]).ToString("x4", System.Globalization.CultureInfo.InvariantCulture);
        }
        return string.Join('-', groups);
    }
}

/// <summary>
/// One of this node's objects as the API server holds it: its name, the identity its labels give
/// (null when they give none: such an object is deleted) and its status read back into the same
/// form as the desired one (null when the status is missing, as after a create whose status write failed).
/// </summary>
internal sealed record ExistingNodeStatus(NodeStatusKind Kind, string Name, string? Key, NodeStatusObject? Status);
