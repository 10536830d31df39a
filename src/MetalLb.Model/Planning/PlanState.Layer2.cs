using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Planning;

/// <summary>Layer 2 mode: which nodes may answer ARP/NDP for each Service, as MetalLB's layer2 controller decides.</summary>
internal sealed partial class PlanState
{
    /// <summary>Every Node with its labels (not only the planned one): the layer 2 candidates.</summary>
    public IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Labels)> Layer2Nodes { get; private init; } = [];

    /// <summary>One plan per allocated Service whose pool some L2Advertisement selects, by namespace/name.</summary>
    public IReadOnlyList<Layer2ServicePlan> Layer2Plans()
    {
        if (Config.Layer2Advertisements.Count == 0)
        {
            return [];
        }
        var plans = new List<Layer2ServicePlan>();
        foreach (var key in _services.Keys.Order(StringComparer.Ordinal))
        {
            var service = _services[key];
            if (!Allocator.Services.TryGetValue(key, out var allocation) || !allocation.Allocated || allocation.Pool is null)
            {
                continue;
            }
            var advertisements = Config.Layer2Advertisements.Where(a => a.Pools.Contains(allocation.Pool.Name)).ToList();
            if (advertisements.Count == 0)
            {
                continue;
            }
            var candidates = new List<Layer2Candidate>();
            var reasons = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (node, labels) in Layer2Nodes)
            {
                var reason = Layer2Reason(service, node, labels, advertisements, out var interfaces);
                reasons[node] = reason ?? "candidate";
                if (reason is null)
                {
                    candidates.Add(new Layer2Candidate(node, interfaces));
                }
            }
            plans.Add(new Layer2ServicePlan
            {
                Namespace = service.Meta.Namespace,
                Name = service.Meta.Name,
                Addresses = allocation.Addresses.Select(a => a.ToAddress()).ToArray(),
                Pool = allocation.Pool.Name,
                Advertisements = advertisements.Select(a => a.Name).ToArray(),
                Candidates = candidates,
                Reasons = reasons,
            });
        }
        return plans;
    }

    /// <summary>Null when <paramref name="node"/> may announce the service, else why not.</summary>
    private string? Layer2Reason(ServiceResource service, string node, IReadOnlyDictionary<string, string> labels,
        List<Validation.Layer2AdvertisementConfig> advertisements, out IReadOnlyList<string> interfaces)
    {
        interfaces = [];
        if (labels.ContainsKey(ExcludeLabel))
        {
            return $"node is labelled {ExcludeLabel}";
        }
        var endpoints = Endpoints(service.Key);
        if (endpoints is { Serving: false })
        {
            return "the service has no serving endpoint";
        }
        if (service.ExternalTrafficPolicy == "Local" && endpoints is not null && !endpoints.Nodes.Contains(node))
        {
            return "externalTrafficPolicy Local and no serving endpoint on this node";
        }
        var forNode = advertisements.Where(a => LabelSelector.AnyMatches(a.Resource.NodeSelectors, labels)).ToList();
        if (forNode.Count == 0)
        {
            return $"the nodeSelectors of L2Advertisement {string.Join(", ", advertisements.Select(a => a.Name))} do not select this node";
        }
        // An advertisement without interfaces allows all of them, and then the union is everything.
        interfaces = forNode.Any(a => a.Resource.Interfaces.Count == 0)
            ? []
            : forNode.SelectMany(a => a.Resource.Interfaces).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return null;
    }
}
