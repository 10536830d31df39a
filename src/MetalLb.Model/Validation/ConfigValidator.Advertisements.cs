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
                var pool = config.Pool(poolName)!;
                foreach (bool v6 in new[] { false, true })
                {
                    int length = v6 ? advertisement.AggregationLengthV6 ?? 128 : advertisement.AggregationLength ?? 32;
                    if (pool.WidestLength(v6) is { } widest && length < widest)
                    {
                        Error(v6 ? "spec.aggregationLengthV6" : "spec.aggregationLength",
                            $"aggregation length {length} is shorter than the widest block /{widest} of IPAddressPool {poolName}; it must be at least {widest}");
                    }
                }
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
                bool sameLength = a.AggregationLength == b.AggregationLength || a.AggregationLengthV6 == b.AggregationLengthV6;
                if (peers && nodes && sameLength && a.Resource.ServiceSelectors.Count == 0 && b.Resource.ServiceSelectors.Count == 0)
                {
                    string pool = a.Pools.Intersect(b.Pools).Order(StringComparer.Ordinal).First();
                    Report(config, ProblemSeverity.Error, b.Resource, "spec.localPref",
                        $"localPref {b.Resource.LocalPref ?? 0} conflicts with BGPAdvertisement {a.Name}'s localPref {a.Resource.LocalPref ?? 0}: both send IPAddressPool {pool}'s prefixes to the same peer from the same node");
                }
            }
        }
    }
}
