using System.Net;

namespace BgpKit.MetalLb.Model.Resources;

/// <summary>metallb.io/v1beta1 IPAddressPool.</summary>
internal sealed record IpAddressPool : Resource
{
    public IReadOnlyList<string> Addresses { get; init; } = [];
    public bool AutoAssign { get; init; } = true;
    public bool AvoidBuggyIps { get; init; }
    public ServiceAllocation? ServiceAllocation { get; init; }
}

/// <summary>IPAddressPool.spec.serviceAllocation.</summary>
internal sealed record ServiceAllocation(int? Priority, IReadOnlyList<string> Namespaces, IReadOnlyList<LabelSelector> NamespaceSelectors, IReadOnlyList<LabelSelector> ServiceSelectors);

/// <summary>Where a peer's password lives (spec.passwordSecret).</summary>
internal sealed record SecretReference(string Name, string Namespace);

/// <summary>metallb.io/v1beta2 BGPPeer.</summary>
internal sealed record BgpPeer : Resource
{
    public uint MyAsn { get; init; }
    public uint? PeerAsn { get; init; }
    public string? DynamicAsn { get; init; }
    public string PeerAddress { get; init; } = "";

    /// <summary>BGP unnumbered: the node interface the session runs over (empty: a peer at <see cref="PeerAddress"/>).</summary>
    public string Interface { get; init; } = "";

    /// <summary>How MetalLB names the peer: its address, or its interface for BGP unnumbered.</summary>
    public string PeerIdentity => PeerAddress.Length > 0 ? PeerAddress : Interface;

    public string? SourceAddress { get; init; }
    public int PeerPort { get; init; } = 179;
    public TimeSpan? HoldTime { get; init; }
    public TimeSpan? KeepaliveTime { get; init; }
    public TimeSpan? ConnectTime { get; init; }
    public string? RouterId { get; init; }
    public string? Password { get; init; }
    public SecretReference? PasswordSecret { get; init; }
    public string? BfdProfile { get; init; }
    public IReadOnlyList<LabelSelector> NodeSelectors { get; init; } = [];
    public bool EbgpMultiHop { get; init; }
    public string Vrf { get; init; } = "";
    public bool EnableGracefulRestart { get; init; }
    public bool DisableMp { get; init; }
    public bool DualStackAddressFamily { get; init; }

    public override string ToString() => $"BGPPeer {Name} {PeerIdentity} (password {(Password is null ? "unset" : "set")})";
}

/// <summary>metallb.io/v1beta1 BGPAdvertisement.</summary>
internal sealed record BgpAdvertisement : Resource
{
    public int? AggregationLength { get; init; }
    public int? AggregationLengthV6 { get; init; }
    public uint? LocalPref { get; init; }
    public IReadOnlyList<string> Communities { get; init; } = [];
    public IReadOnlyList<string> IpAddressPools { get; init; } = [];
    public IReadOnlyList<LabelSelector> IpAddressPoolSelectors { get; init; } = [];
    public IReadOnlyList<LabelSelector> NodeSelectors { get; init; } = [];
    public IReadOnlyList<string> Peers { get; init; } = [];
    public IReadOnlyList<LabelSelector> ServiceSelectors { get; init; } = [];
}

/// <summary>metallb.io/v1beta1 L2Advertisement (read and validated; BGP planning ignores it).</summary>
internal sealed record L2Advertisement : Resource
{
    public IReadOnlyList<string> IpAddressPools { get; init; } = [];
    public IReadOnlyList<LabelSelector> IpAddressPoolSelectors { get; init; } = [];
    public IReadOnlyList<LabelSelector> NodeSelectors { get; init; } = [];
    public IReadOnlyList<string> Interfaces { get; init; } = [];
}

/// <summary>metallb.io/v1beta1 BFDProfile, intervals in milliseconds.</summary>
internal sealed record BfdProfile : Resource
{
    public int ReceiveInterval { get; init; } = 300;
    public int TransmitInterval { get; init; } = 300;
    public int EchoInterval { get; init; } = 50;
    public int DetectMultiplier { get; init; } = 3;
    public int MinimumTtl { get; init; } = 254;
    public bool EchoMode { get; init; }
    public bool PassiveMode { get; init; }
}

/// <summary>One alias of a Community resource.</summary>
internal sealed record CommunityAlias(string Name, string Value, int Line);

/// <summary>metallb.io/v1beta1 Community.</summary>
internal sealed record CommunityResource : Resource
{
    public IReadOnlyList<CommunityAlias> Communities { get; init; } = [];
}

/// <summary>A service port: protocol and port, which sharing keys must not repeat on one address.</summary>
internal sealed record ServicePort(string Protocol, int Port);

/// <summary>The core Service fields that allocation and announcement need.</summary>
internal sealed record ServiceResource : Resource
{
    public string Type { get; init; } = "ClusterIP";
    public string? LoadBalancerIp { get; init; }
    public string? LoadBalancerClass { get; init; }
    public string? IpFamilyPolicy { get; init; }
    public IReadOnlyList<string> IpFamilies { get; init; } = [];
    public string ExternalTrafficPolicy { get; init; } = "Cluster";
    public IReadOnlyList<ServicePort> Ports { get; init; } = [];
    public IReadOnlyDictionary<string, string> Selector { get; init; } = ObjectMeta.NoLabels;
    public IReadOnlyList<IPAddress> IngressIps { get; init; } = [];

    public string Key => Meta.Key;
}

/// <summary>Node name and labels.</summary>
internal sealed record NodeResource : Resource;

/// <summary>Namespace name and labels.</summary>
internal sealed record NamespaceResource : Resource;

/// <summary>Secret type and decoded data keys. Values are kept only for passwords and never printed.</summary>
internal sealed record SecretResource : Resource
{
    public string Type { get; init; } = "Opaque";
    public IReadOnlyDictionary<string, string> Data { get; init; } = ObjectMeta.NoLabels;

    public override string ToString() => $"Secret {Meta.Namespace}/{Name} ({Type}, keys: {string.Join(",", Data.Keys)})";
}

/// <summary>One endpoint of an EndpointSlice.</summary>
internal sealed record Endpoint(string? NodeName, bool Ready, bool Serving);

/// <summary>discovery.k8s.io/v1 EndpointSlice, tied to its service by the kubernetes.io/service-name label.</summary>
internal sealed record EndpointSliceResource : Resource
{
    public string ServiceName { get; init; } = "";
    public IReadOnlyList<Endpoint> Endpoints { get; init; } = [];
}
