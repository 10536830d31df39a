using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.FrrK8s;

/// <summary>frrk8s.metallb.io/v1beta1 FRRConfiguration.</summary>
internal sealed record FrrConfigurationResource : Resource
{
    public IReadOnlyList<FrrRouter> Routers { get; init; } = [];
    public IReadOnlyList<BfdProfile> BfdProfiles { get; init; } = [];
    public LabelSelector? NodeSelector { get; init; }
}

/// <summary>
/// One BGP router in the FRR-K8s form: the shape both an FRRConfiguration and a compiled MetalLB
/// configuration take for one node, and what the frr.conf renderer consumes.
/// </summary>
internal sealed record FrrRouter(uint Asn, string? Id, string Vrf, IReadOnlyList<string> Prefixes, IReadOnlyList<FrrNeighbor> Neighbors);

/// <summary>A neighbor of an <see cref="FrrRouter"/>. The password is never printed.</summary>
internal sealed record FrrNeighbor
{
    public uint? Asn { get; init; }
    public string? DynamicAsn { get; init; }
    public required string Address { get; init; }

    /// <summary>BGP unnumbered: the interface (then <see cref="Address"/> is "::"), or null.</summary>
    public string? Interface { get; init; }

    /// <summary>The neighbor's key in a router: its interface, else its address.</summary>
    public string Key => Interface ?? Address;

    public int Port { get; init; } = 179;
    public string? Password { get; init; }
    public SecretReference? PasswordSecret { get; init; }
    public string? SourceAddress { get; init; }
    public TimeSpan? HoldTime { get; init; }
    public TimeSpan? KeepaliveTime { get; init; }
    public TimeSpan? ConnectTime { get; init; }
    public bool EbgpMultiHop { get; init; }
    public string? BfdProfile { get; init; }
    /// <summary>True when the neighbor carries only its address's family (the default; false with dualStackAddressFamily).</summary>
    public bool DisableMp { get; init; }
    /// <summary>enableGracefulRestart: FRR's <c>neighbor X graceful-restart</c> (RFC 4724 restarting side).</summary>
    public bool GracefulRestart { get; init; }
    public FrrToAdvertise ToAdvertise { get; init; } = FrrToAdvertise.None;
    public FrrToReceive ToReceive { get; init; } = FrrToReceive.None;

    public override string ToString() => $"neighbor {Key} asn {Asn?.ToString() ?? DynamicAsn} (password {(Password is null ? "unset" : "set")})";
}

/// <summary>neighbors[].toAdvertise: which prefixes go out and with which local-pref and communities.</summary>
internal sealed record FrrToAdvertise(string Mode, IReadOnlyList<string> Prefixes, IReadOnlyList<FrrLocalPref> WithLocalPref, IReadOnlyList<FrrCommunity> WithCommunity)
{
    public static readonly FrrToAdvertise None = new("filtered", [], [], []);
}

/// <summary>toAdvertise.withLocalPref entry.</summary>
internal sealed record FrrLocalPref(uint LocalPref, IReadOnlyList<string> Prefixes);

/// <summary>toAdvertise.withCommunity entry (a:b, large:a:b:c or a well-known name).</summary>
internal sealed record FrrCommunity(string Community, IReadOnlyList<string> Prefixes);

/// <summary>neighbors[].toReceive.</summary>
internal sealed record FrrToReceive(string Mode, IReadOnlyList<FrrPrefixSelector> Prefixes)
{
    public static readonly FrrToReceive None = new("filtered", []);
}

/// <summary>toReceive prefix with optional ge/le.</summary>
internal sealed record FrrPrefixSelector(string Prefix, int? Ge, int? Le);
