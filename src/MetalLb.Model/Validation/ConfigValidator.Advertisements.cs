using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Validation;

internal static partial class ConfigValidator
{
    private const int MaxCommunities = 63;

    private static void ValidateAdvertisements(ValidatedConfig config, List<BgpAdvertisement> advertisements)
    {
        var peerNames = config.Manifests.Peers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var advertisement in advertisements)
        {
            int errors = config.Problems.Count(p => p.Severity == ProblemSeverity.Error);
            void Error(string field, string message) => Report(config, ProblemSeverity.Error, advertisement, field, message);
            void Warn(string field, string message) => Report(config, ProblemSeverity.Warning, advertisement, field, message);

            Duplicates(advertisement.IpAddressPools, "spec.ipAddressPools", Error);
            Duplicates(advertisement.Peers, "spec.peers", Error);
            Duplicates(advertisement.Communities, "spec.communities", Error);
            DuplicateSelectors(config, advertisement, "spec.nodeSelectors", advertisement.NodeSelectors);
            DuplicateSelectors(config, advertisement, "spec.ipAddressPoolSelectors", advertisement.IpAddressPoolSelectors);

            var pools = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in advertisement.IpAddressPools)
            {
                if (config.Pool(name) is null)
                {
                    Warn("spec.ipAddressPools", $"no IPAddressPool named \"{name}\"{Closest(name, config.Pools.Select(p => p.Name))}");
                }
                else
                {
                    pools.Add(name);
                }
            }
            foreach (var pool in config.Pools.Where(p => LabelSelectorsSelect(advertisement.IpAddressPoolSelectors, p.Resource.Meta.Labels)))
            {
                pools.Add(pool.Name);
            }
            if (advertisement.IpAddressPools.Count == 0 && advertisement.IpAddressPoolSelectors.Count == 0)
            {
                pools.UnionWith(config.Pools.Select(p => p.Name));
            }
            foreach (var name in advertisement.Peers.Where(n => !peerNames.Contains(n)))
            {
                Warn("spec.peers", $"no BGPPeer named \"{name}\"{Closest(name, peerNames)}");
            }
            if (advertisement.Peers.Count > 0 && !advertisement.Peers.Any(peerNames.Contains))
            {
                Warn("spec.peers", "this advertisement reaches no peer: none of its peers exists");
            }
            else if (peerNames.Count == 0)
            {
                Warn("spec.peers", "this advertisement reaches no peer: there is no BGPPeer");
            }

            var communities = new List<CommunityValue>();
            if (advertisement.Communities.Count > MaxCommunities)
            {
                Error("spec.communities", $"{advertisement.Communities.Count} communities; at most {MaxCommunities} are allowed");
            }
            foreach (var text in advertisement.Communities)
            {
                if (config.CommunityAliases.TryGetValue(text, out var aliased))
                {
                    communities.Add(aliased);
                }
                else if (CommunityValue.TryParse(text, out var value, out var error))
                {
                    communities.Add(value);
                }
                else
                {
                    var communityResource = config.Manifests.Communities.FirstOrDefault(c => c.Name == text);
                    string hint = communityResource is not null && communityResource.Communities.Count > 0
                        ? $"; \"{text}\" is the name of a Community resource, not an alias: use one of its aliases ({string.Join(", ", communityResource.Communities.Select(c => c.Name))})"
                        : Closest(text, config.CommunityAliases.Keys) is { Length: > 0 } c ? $"; no alias \"{text}\"{c}" : $" and no Community alias is named \"{text}\"";
                    Error("spec.communities", error + hint);
                }
            }

            bool hasServiceSelectors = advertisement.ServiceSelectors.Count > 0;
            foreach (var poolName in pools.Order(StringComparer.Ordinal))
            {
                AggregationLengths(config, advertisement, config.Pool(poolName)!);
            }
            if (hasServiceSelectors && ((advertisement.AggregationLength ?? 32) != 32 || (advertisement.AggregationLengthV6 ?? 128) != 128))
            {
                Error("spec.serviceSelectors", "serviceSelectors need aggregationLength 32 and aggregationLengthV6 128");
            }

            var selectedPeers = config.Peers.Where(p => advertisement.Peers.Count == 0 || advertisement.Peers.Contains(p.Name)).ToList();
            foreach (var peer in selectedPeers.Where(p => p.Bfd is { EchoMode: true }))
            {
                if (pools.Any(p => config.Pool(p)!.Blocks.Any(b => b.IsV6)))
                {
                    Error("spec.peers", $"BGPPeer {peer.Name} uses BFD profile {peer.Bfd!.Name} with echoMode, which IPv6 does not support, and this advertisement sends it IPv6 addresses");
                }
            }

            if (config.Problems.Count(p => p.Severity == ProblemSeverity.Error) == errors)
            {
                config.Advertisements.Add(new AdvertisementConfig(advertisement, communities.Distinct().Order().ToList(), pools));
            }
        }
        LocalPrefConflicts(config);
    }

    /// <summary>
    /// The aggregation length of each family must not be shorter than the widest block of any one address
    /// entry of that family, each entry on its own: aggregating a /28 entry to /26 would announce addresses
    /// the pool does not own, however wide the pool's other entries are. A range counts by its summarized
    /// blocks (upstream's validateBGPAdvPerPool); each entry that is too narrow is reported.
    /// </summary>
    private static void AggregationLengths(ValidatedConfig config, BgpAdvertisement advertisement, PoolConfig pool)
    {
        foreach (var entry in pool.Entries)
        {
            bool v6 = entry.IsV6;
            int length = v6 ? advertisement.AggregationLengthV6 ?? 128 : advertisement.AggregationLength ?? 32;
            int widest = entry.WidestLength;
            if (length < widest)
            {
                // Upstream's wording, then what it leaves out: which pool, and the shortest length allowed.
                Report(config, ProblemSeverity.Error, advertisement, v6 ? "spec.aggregationLengthV6" : "spec.aggregationLength",
                    $"invalid aggregation length {length}: prefix {widest} in this pool is more specific than the aggregation length for addresses {entry.Text} (IPAddressPool {pool.Name}); it must be at least {widest}");
            }
        }
    }

    private static bool LabelSelectorsSelect(IReadOnlyList<LabelSelector> selectors, IReadOnlyDictionary<string, string> labels) =>
        selectors.Count > 0 && selectors.Any(s => s.Matches(labels));

    private static void Duplicates(IReadOnlyList<string> values, string field, Action<string, string> error)
    {
        foreach (var duplicate in values.GroupBy(v => v).Where(g => g.Count() > 1))
        {
            error(field, $"duplicate entry \"{duplicate.Key}\"");
        }
    }

    /// <summary>
    /// Two advertisements of one pool that could send one prefix to one peer from one node with
    /// different localPref are an error: a router cannot receive two LOCAL_PREFs for one route.
    /// </summary>
    private static void LocalPrefConflicts(ValidatedConfig config)
    {
        var ads = config.Advertisements;
        for (int i = 0; i < ads.Count; i++)
        {
            for (int j = i + 1; j < ads.Count; j++)
            {
                var a = ads[i];
                var b = ads[j];
                if ((a.Resource.LocalPref ?? 0) == (b.Resource.LocalPref ?? 0) || !a.Pools.Overlaps(b.Pools))
                {
                    continue;
                }
                bool peers = a.Resource.Peers.Count == 0 || b.Resource.Peers.Count == 0 || a.Resource.Peers.Intersect(b.Resource.Peers).Any();
                bool nodes = a.Resource.NodeSelectors.Count == 0 || b.Resource.NodeSelectors.Count == 0
                    || (config.Manifests.Nodes.Count > 0
                        ? config.Manifests.Nodes.Any(n => LabelSelector.AnyMatches(a.Resource.NodeSelectors, n.Meta.Labels) && LabelSelector.AnyMatches(b.Resource.NodeSelectors, n.Meta.Labels))
                        : a.Resource.NodeSelectors.Select(s => s.Canonical()).Intersect(b.Resource.NodeSelectors.Select(s => s.Canonical())).Any());
                if (!peers || !nodes || a.Resource.ServiceSelectors.Count > 0 || b.Resource.ServiceSelectors.Count > 0)
                {
                    continue;
                }
                if (SamePrefixes(config, a, b) is { } same)
                {
                    // Upstream's wording (its typo "preferernce" fixed), then the pool and family that clash.
                    Report(config, ProblemSeverity.Error, b.Resource, "spec.localPref",
                        $"invalid local preference {b.Resource.LocalPref ?? 0}: local preference {a.Resource.LocalPref ?? 0} was already set for the same type of BGP update by BGPAdvertisement {a.Name}"
                        + $" (IPAddressPool {same.Pool}, {(same.V6 ? "IPv6" : "IPv4")} aggregation length {a.AggregationFor(same.V6)} in both, the same peer and node)");
                }
            }
        }
    }

    /// <summary>
    /// The first pool both advertisements cover, and a family it holds, for which they aggregate to the same
    /// length, so that they announce the very same prefixes; null when they never do. Lengths of a family the
    /// pool does not hold do not count, and an IPv4 length never meets an IPv6 one: an IPv4-only pool
    /// advertised with aggregationLength 32 and 24 yields different prefixes whatever aggregationLengthV6 says
    /// (upstream's isAggrLengthDifferent, per family).
    /// </summary>
    private static (string Pool, bool V6)? SamePrefixes(ValidatedConfig config, AdvertisementConfig a, AdvertisementConfig b)
    {
        foreach (var name in a.Pools.Intersect(b.Pools).Order(StringComparer.Ordinal))
        {
            var pool = config.Pool(name)!;
            foreach (bool v6 in new[] { false, true })
            {
                if (pool.HasFamily(v6) && a.AggregationFor(v6) == b.AggregationFor(v6))
                {
                    return (name, v6);
                }
            }
        }
        return null;
    }
}
