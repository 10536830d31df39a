using System.Net;
using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Validation;

/// <summary>
/// Applies METALLB.md's validation rules. Resources are processed sorted by name, as upstream does.
/// Errors make the configuration invalid; pending items and warnings do not.
/// </summary>
internal static partial class ConfigValidator
{
    public static ValidatedConfig Validate(ManifestSet manifests)
    {
        var config = new ValidatedConfig { Manifests = manifests };
        config.Problems.AddRange(manifests.ReadProblems);
        foreach (var ns in manifests.Namespaces)
        {
            config.NamespaceLabels[ns.Name] = ns.Meta.Labels;
        }
        ValidateCommunities(config, manifests.Communities.OrderBy(c => c.Name, StringComparer.Ordinal));
        ValidateBfdProfiles(config, manifests.BfdProfiles.OrderBy(c => c.Name, StringComparer.Ordinal));
        ValidatePools(config, manifests.Pools.OrderBy(p => p.Name, StringComparer.Ordinal).ToList());
        ValidatePeers(config, manifests.Peers.OrderBy(p => p.Name, StringComparer.Ordinal).ToList());
        ValidateAdvertisements(config, manifests.BgpAdvertisements.OrderBy(p => p.Name, StringComparer.Ordinal).ToList());
        ValidateL2Advertisements(config, manifests.L2Advertisements);
        foreach (var frr in manifests.FrrConfigurations.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            FrrK8s.FrrMerge.Validate(frr, config.Problems);
        }
        DuplicateNames(config, manifests.Pools);
        DuplicateNames(config, manifests.Peers);
        DuplicateNames(config, manifests.BgpAdvertisements);
        DuplicateNames(config, manifests.L2Advertisements);
        DuplicateNames(config, manifests.BfdProfiles);
        DuplicateNames(config, manifests.Communities);
        return config;
    }

    internal static void Report(ValidatedConfig config, ProblemSeverity severity, Resource resource, string field, string message) =>
        config.Problems.Add(new Problem
        {
            Severity = severity,
            File = resource.Source.File,
            Line = field.Length == 0 ? resource.Source.Line : resource.LineOf(field),
            Kind = resource.Kind,
            Name = resource.Name,
            Field = field,
            Message = message,
        });

    private static void DuplicateNames<T>(ValidatedConfig config, IEnumerable<T> resources) where T : Resource
    {
        foreach (var group in resources.GroupBy(r => r.Name).Where(g => g.Count() > 1))
        {
            foreach (var duplicate in group.Skip(1))
            {
                Report(config, ProblemSeverity.Error, duplicate, "metadata.name", $"duplicate {duplicate.Kind} name \"{duplicate.Name}\" (also at {group.First().Source.File}:{group.First().Source.Line})");
            }
        }
    }

    private static void ValidateCommunities(ValidatedConfig config, IEnumerable<CommunityResource> resources)
    {
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            for (int i = 0; i < resource.Communities.Count; i++)
            {
                var alias = resource.Communities[i];
                string field = $"spec.communities[{i}]";
                if (alias.Name.Length == 0)
                {
                    Report(config, ProblemSeverity.Error, resource, field + ".name", "a community alias needs a name");
                    continue;
                }
                if (origin.TryGetValue(alias.Name, out var other))
                {
                    Report(config, ProblemSeverity.Error, resource, field + ".name", $"duplicate community alias \"{alias.Name}\" (also in Community {other})");
                    continue;
                }
                origin[alias.Name] = resource.Name;
                if (!CommunityValue.TryParse(alias.Value, out var value, out var error))
                {
                    Report(config, ProblemSeverity.Error, resource, field + ".value", error);
                    continue;
                }
                config.CommunityAliases[alias.Name] = value;
            }
        }
    }

    private static void ValidateBfdProfiles(ValidatedConfig config, IEnumerable<BfdProfile> profiles)
    {
        foreach (var profile in profiles)
        {
            config.BfdProfiles.TryAdd(profile.Name, profile);
        }
    }

    private static void ValidatePools(ValidatedConfig config, List<IpAddressPool> pools)
    {
        var seen = new List<(IpBlock Block, string Pool, string Entry)>();
        foreach (var pool in pools)
        {
            if (pool.Addresses.Count == 0)
            {
                Report(config, ProblemSeverity.Error, pool, "spec.addresses", "a pool needs at least one address entry");
            }
            var blocks = new List<IpBlock>();
            var entries = new List<PoolEntry>();
            foreach (var entry in pool.Addresses)
            {
                if (!TryParseEntry(entry, out var entryBlocks, out var error))
                {
                    Report(config, ProblemSeverity.Error, pool, "spec.addresses", error);
                    continue;
                }
                foreach (var block in entryBlocks)
                {
                    foreach (var (other, otherPool, otherEntry) in seen)
                    {
                        if (other.Overlaps(block))
                        {
                            Report(config, ProblemSeverity.Error, pool, "spec.addresses",
                                otherPool == pool.Name
                                    ? $"\"{entry}\" overlaps \"{otherEntry}\" in the same pool"
                                    : $"\"{entry}\" overlaps \"{otherEntry}\" of IPAddressPool {otherPool}");
                            goto nextEntry;
                        }
                    }
                }
                foreach (var block in entryBlocks)
                {
                    seen.Add((block, pool.Name, entry));
                }
                blocks.AddRange(entryBlocks);
                entries.Add(new PoolEntry(entry.Trim(), entryBlocks));
            nextEntry:;
            }
            if (pool.ServiceAllocation is { } allocation)
            {
                if (allocation.Namespaces.Distinct().Count() != allocation.Namespaces.Count)
                {
                    Report(config, ProblemSeverity.Error, pool, "spec.serviceAllocation.namespaces", "duplicate namespace");
                }
                DuplicateSelectors(config, pool, "spec.serviceAllocation.namespaceSelectors", allocation.NamespaceSelectors);
                DuplicateSelectors(config, pool, "spec.serviceAllocation.serviceSelectors", allocation.ServiceSelectors);
            }
            blocks.Sort();
            config.Pools.Add(new PoolConfig(pool, blocks) { Index = config.Pools.Count, Entries = entries });
        }
    }

    /// <summary>A CIDR (host bits masked) or a start-end range (summarized into CIDRs).</summary>
    internal static bool TryParseEntry(string entry, out List<IpBlock> blocks, out string error)
    {
        blocks = [];
        error = "";
        string text = entry.Trim();
        if (text.Contains('/'))
        {
            if (!IpBlock.TryParse(text, out var block))
            {
                error = $"invalid CIDR \"{entry}\"";
                return false;
            }
            blocks.Add(block);
            return true;
        }
        int dash = text.IndexOf('-');
        if (dash < 0)
        {
            error = $"invalid address entry \"{entry}\": expected a CIDR (10.0.0.0/24) or a range (10.0.0.1-10.0.0.9)";
            return false;
        }
        if (!StrictIp.TryParse(text[..dash].Trim(), out var start) || !StrictIp.TryParse(text[(dash + 1)..].Trim(), out var end))
        {
            error = $"invalid range \"{entry}\"";
            return false;
        }
        var first = IpValue.From(start);
        var last = IpValue.From(end);
        if (first.IsV6 != last.IsV6)
        {
            error = $"invalid range \"{entry}\": start and end are of different families";
            return false;
        }
        if (first.Value > last.Value)
        {
            error = $"invalid range \"{entry}\": start is after end";
            return false;
        }
        blocks = IpBlock.Summarize(first, last);
        return true;
    }

    internal static void DuplicateSelectors(ValidatedConfig config, Resource resource, string field, IReadOnlyList<LabelSelector> selectors)
    {
        var canonical = selectors.Select(s => s.Canonical()).ToList();
        if (canonical.Distinct(StringComparer.Ordinal).Count() != canonical.Count)
        {
            Report(config, ProblemSeverity.Error, resource, field, "duplicate selector");
        }
    }

    /// <summary>
    /// Duplicate pool names or selectors make an L2Advertisement invalid in MetalLB, so they do here.
    /// Each advertisement is kept with the pools it selects (names, labels, or none = every pool) for
    /// layer 2 planning; pools that only L2Advertisements select are remembered for the BGP reasons.
    /// </summary>
    private static void ValidateL2Advertisements(ValidatedConfig config, List<L2Advertisement> advertisements)
    {
        var bgpPools = config.Advertisements.SelectMany(a => a.Pools).ToHashSet(StringComparer.Ordinal);
        var layer2Only = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var advertisement in advertisements.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            Duplicates(advertisement.IpAddressPools, "spec.ipAddressPools", (field, message) => Report(config, ProblemSeverity.Error, advertisement, field, message));
            DuplicateSelectors(config, advertisement, "spec.ipAddressPoolSelectors", advertisement.IpAddressPoolSelectors);
            DuplicateSelectors(config, advertisement, "spec.nodeSelectors", advertisement.NodeSelectors);
            Duplicates(advertisement.Interfaces, "spec.interfaces", (field, message) => Report(config, ProblemSeverity.Error, advertisement, field, message));
            foreach (var pool in advertisement.IpAddressPools.Where(p => config.Pool(p) is null))
            {
                Report(config, ProblemSeverity.Warning, advertisement, "spec.ipAddressPools", $"no IPAddressPool named \"{pool}\"{Closest(pool, config.Pools.Select(p => p.Name))}");
            }
            bool all = advertisement.IpAddressPools.Count == 0 && advertisement.IpAddressPoolSelectors.Count == 0;
            var pools = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pool in config.Pools)
            {
                if (all || advertisement.IpAddressPools.Contains(pool.Name) || LabelSelectorsSelect(advertisement.IpAddressPoolSelectors, pool.Resource.Meta.Labels))
                {
                    pools.Add(pool.Name);
                    if (bgpPools.Contains(pool.Name))
                    {
                        continue;
                    }
                    if (!layer2Only.TryGetValue(pool.Name, out var names))
                    {
                        layer2Only[pool.Name] = names = [];
                    }
                    names.Add(advertisement.Name);
                }
            }
            config.Layer2Advertisements.Add(new Layer2AdvertisementConfig(advertisement, pools));
        }
        foreach (var pool in config.Pools.Where(p => layer2Only.ContainsKey(p.Name)))
        {
            config.Layer2Only[pool.Name] = layer2Only[pool.Name];
        }
    }

    internal static string Closest(string name, IEnumerable<string> known)
    {
        var suggestion = Reading.FieldReader.Suggest(name, known);
        return suggestion is null ? "" : $"; did you mean \"{suggestion}\"?";
    }
}
