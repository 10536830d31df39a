using System.Net;
using BgpKit.MetalLb.Model.FrrK8s;
using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Validation;

/// <summary>One entry of <c>spec.addresses</c> as written, with the CIDR blocks it stands for (a range summarized).</summary>
internal sealed record PoolEntry(string Text, IReadOnlyList<IpBlock> Blocks)
{
    public bool IsV6 => Blocks[0].IsV6;

    /// <summary>
    /// The shortest prefix length among the entry's own blocks: the widest aggregate that stays inside
    /// the entry (upstream's lowestMask over cidrsPerAddresses).
    /// </summary>
    public int WidestLength => Blocks.Min(b => b.Length);
}

/// <summary>An address pool with its entries parsed into CIDR blocks (ranges summarized).</summary>
internal sealed record PoolConfig(IpAddressPool Resource, IReadOnlyList<IpBlock> Blocks)
{
    public string Name => Resource.Name;

    /// <summary>The pool's position in <see cref="ValidatedConfig.Pools"/>, for per-pool tables kept in arrays.</summary>
    public int Index { get; init; }

    /// <summary>The valid entries of <c>spec.addresses</c>, in the order written; <see cref="Blocks"/> is their union, sorted.</summary>
    public IReadOnlyList<PoolEntry> Entries { get; init; } = [];

    public bool HasFamily(bool v6) => Blocks.Any(b => b.IsV6 == v6);

    public bool Contains(IpValue address) => Blocks.Any(b => b.Contains(address));

    private readonly UInt128[] _last = [
        Blocks.Where(b => !b.IsV6).Select(b => b.Last).DefaultIfEmpty(UInt128.Zero).Max(),
        Blocks.Where(b => b.IsV6).Select(b => b.Last).DefaultIfEmpty(UInt128.Zero).Max()];

    /// <summary>The highest address of the family in the pool (0 when none).</summary>
    public UInt128 LastOf(bool v6) => _last[v6 ? 1 : 0];
}

/// <summary>A BGP peer with defaults applied and its password and BFD profile resolved.</summary>
internal sealed record PeerConfig(BgpPeer Resource)
{
    public string Name => Resource.Name;
    /// <summary>The peer's address; <see cref="IPAddress.IPv6Any"/> for an interface peer, whose address is learned on the link.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>BGP unnumbered: the interface the session runs over, or null.</summary>
    public string? Interface { get; init; }

    public IPAddress? SourceAddress { get; init; }
    public IPAddress? RouterId { get; init; }
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan KeepaliveTime { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan? ConnectTime { get; init; }
    public string? Password { get; init; }
    public BfdProfile? Bfd { get; init; }

    /// <summary>Why the peer waits (a missing Secret or BFD profile), or null when it can run.</summary>
    public string? PendingReason { get; init; }

    public bool IsIbgp => Resource.PeerAsn is { } peerAsn ? peerAsn == Resource.MyAsn : Resource.DynamicAsn == "internal";

    public override string ToString() => $"peer {Name} {Interface ?? Address.ToString()} (password {(Password is null ? "unset" : "set")})";
}

/// <summary>A BGP advertisement with its communities and pools resolved.</summary>
internal sealed record AdvertisementConfig(BgpAdvertisement Resource, IReadOnlyList<CommunityValue> Communities, IReadOnlySet<string> Pools)
{
    public string Name => Resource.Name;
    public int AggregationLength => Resource.AggregationLength ?? 32;
    public int AggregationLengthV6 => Resource.AggregationLengthV6 ?? 128;
    public int AggregationFor(bool v6) => v6 ? AggregationLengthV6 : AggregationLength;

    public bool SelectsPeer(string peer) => Resource.Peers.Count == 0 || Resource.Peers.Contains(peer);
}

/// <summary>An L2Advertisement with its pools resolved.</summary>
internal sealed record Layer2AdvertisementConfig(L2Advertisement Resource, IReadOnlySet<string> Pools)
{
    public string Name => Resource.Name;
}

/// <summary>
/// A configuration that passed validation (or the errors that kept it from passing): the input of
/// allocation and planning.
/// </summary>
internal sealed class ValidatedConfig
{
    public required ManifestSet Manifests { get; init; }
    public List<PoolConfig> Pools { get; } = [];
    public List<PeerConfig> Peers { get; } = [];
    public List<AdvertisementConfig> Advertisements { get; } = [];
    public Dictionary<string, BfdProfile> BfdProfiles { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, CommunityValue> CommunityAliases { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels { get; } = new(StringComparer.Ordinal);
    public List<Problem> Problems { get; } = [];

    /// <summary>L2Advertisements by name, with the pools each selects.</summary>
    public List<Layer2AdvertisementConfig> Layer2Advertisements { get; } = [];

    /// <summary>Pools that no BGPAdvertisement selects but some L2Advertisement does, with those L2Advertisements' names.</summary>
    public Dictionary<string, IReadOnlyList<string>> Layer2Only { get; } = new(StringComparer.Ordinal);

    public bool IsValid => !Problems.Any(p => p.Severity == ProblemSeverity.Error);

    public PoolConfig? PoolContaining(IpValue address) => Pools.FirstOrDefault(p => p.Contains(address));

    public PoolConfig? Pool(string name) => Pools.FirstOrDefault(p => p.Name == name);
}
