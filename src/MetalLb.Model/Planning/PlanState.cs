using System.Collections;
using BgpKit.MetalLb.Model.Allocation;
using BgpKit.MetalLb.Model.Resources;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model.Planning;

/// <summary>
/// Nodes that run the same sessions, are selected by the same advertisements and are alike in
/// the exclusion label announce the same routes for every Cluster-policy service.
/// </summary>
internal sealed class NodeClass(string key, List<PeerConfig> peers, List<AdvertisementConfig> advertisements, bool excluded)
{
    public string Key { get; } = key;
    public List<PeerConfig> Peers { get; } = peers;
    public List<AdvertisementConfig> Advertisements { get; } = advertisements;
    public bool Excluded { get; } = excluded;
    public List<string> Nodes { get; } = [];
}

/// <summary>Where a service has serving endpoints.</summary>
internal sealed record EndpointInfo(bool Serving, IReadOnlySet<string> Nodes);

/// <summary>
/// The speaker side of the model: allocation plus per-session route tables, updated one service at a
/// time (<see cref="Upsert"/>, <see cref="Remove"/>) without recomputing the others.
/// </summary>
internal sealed partial class PlanState
{
    public const string ExcludeLabel = "node.kubernetes.io/exclude-from-external-load-balancers";

    private readonly Dictionary<string, NodeClass> _classOfNode = new(StringComparer.Ordinal);
    private readonly List<NodeClass> _classes = [];
    private readonly Dictionary<string, RouteTable> _localTables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RouteTable Table, Contribution Route)[]> _applied = new(StringComparer.Ordinal);

    // Where Contribute gathers one service's routes before keeping them as an array of the exact size.
    private readonly List<(RouteTable Table, Contribution Route)> _gathered = [];

    // Cluster-policy services count once per advertisement here, whatever the number of nodes and
    // peers; externalTrafficPolicy Local services count per node in _localTables.
    private readonly RouteTable _clusterTable = new();
    private readonly Dictionary<string, ServiceResource> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EndpointInfo> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _nodeLabels = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeClass, ClassAnnouncements> _classAnnouncements = [];

    private PlanState(ValidatedConfig config, IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Labels)> nodes, bool endpointsAssumed)
    {
        Config = config;
        Allocator = new Allocator(config);
        NodeNames = nodes.Select(n => n.Name).ToList();
        EndpointsAssumed = endpointsAssumed;
        foreach (var (name, labels) in nodes)
        {
            _nodeLabels[name] = labels;
            var peers = config.Peers.Where(p => LabelSelector.AnyMatches(p.Resource.NodeSelectors, labels)).ToList();
            var ads = config.Advertisements.Where(a => LabelSelector.AnyMatches(a.Resource.NodeSelectors, labels)).ToList();
            bool excluded = labels.ContainsKey(ExcludeLabel);
            string key = $"{excluded}|{string.Join(",", peers.Select(p => p.Name))}|{string.Join(",", ads.Select(a => a.Name))}";
            var nodeClass = _classes.FirstOrDefault(c => c.Key == key);
            if (nodeClass is null)
            {
                nodeClass = new NodeClass(key, peers, ads, excluded);
                _classes.Add(nodeClass);
            }
            nodeClass.Nodes.Add(name);
            _classOfNode[name] = nodeClass;
        }
    }

    public ValidatedConfig Config { get; }
    public Allocator Allocator { get; }
    public IReadOnlyList<string> NodeNames { get; }
    public bool EndpointsAssumed { get; }
    public bool NodesAssumed { get; private init; }

    /// <summary>Whether addresses come from each service's status (a speaker) rather than from allocation.</summary>
    public bool AddressesFromStatus { get; private init; }
    public IReadOnlyCollection<ServiceResource> Services => _services.Values;
    internal List<Problem> PlanProblems { get; } = [];

    public static PlanState Build(ValidatedConfig config, PlanOptions? options = null, IReadOnlyDictionary<string, IReadOnlyList<System.Net.IPAddress>>? previous = null)
    {
        var manifests = config.Manifests;
        var nodes = manifests.Nodes
            .Select(n => (n.Name, n.Meta.Labels))
            .Where(n => options?.Node is null || n.Name == options.Node)
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
        bool nodesAssumed = false;
        if (nodes.Count == 0)
        {
            nodes.Add((options?.Node ?? "node", ObjectMeta.NoLabels));
            nodesAssumed = true;
        }
        bool fromStatus = options?.Addresses == AddressSource.ServiceStatus;
        // Layer 2 elects one owner among every node, so a speaker planning only its own node still needs them all.
        var everyNode = nodesAssumed ? nodes : manifests.Nodes.Select(n => (n.Name, n.Meta.Labels)).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var state = new PlanState(config, nodes, !manifests.HasEndpointSlices) { NodesAssumed = nodesAssumed, AddressesFromStatus = fromStatus, Layer2Nodes = everyNode };
        foreach (var group in manifests.EndpointSlices.GroupBy(e => $"{e.Meta.Namespace}/{e.ServiceName}"))
        {
            var serving = group.SelectMany(e => e.Endpoints).Where(e => e.Serving).ToList();
            state._endpoints[group.Key] = new EndpointInfo(serving.Count > 0, serving.Select(e => e.NodeName ?? "").ToHashSet(StringComparer.Ordinal));
        }
        // Addresses held under the previous configuration count as the service's status, so that a
        // configuration change keeps them wherever a pool still contains them. Not for a speaker: it
        // announces what the controller wrote, and nothing once the controller took it away.
        var eligible = manifests.Services.Where(Allocator.IsMetalLbService)
            .Select(s => !fromStatus && s.IngressIps.Count == 0 && previous is not null && previous.TryGetValue(s.Key, out var held) ? s with { IngressIps = held } : s)
            .OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        state.Allocator.EnsureCapacity(eligible.Count);
        state._services.EnsureCapacity(eligible.Count);
        state._applied.EnsureCapacity(eligible.Count);
        if (fromStatus)
        {
            foreach (var service in eligible)
            {
                state.Upsert(service);
            }
            return state;
        }
        // Every held address is kept first; only then are the others (and the released) allocated.
        var rest = new List<ServiceResource>();
        foreach (var service in eligible)
        {
            if (service.IngressIps.Count > 0 && state.Allocator.TryKeep(service) is { } kept)
            {
                state._services[service.Key] = service;
                state.Annotated(service);
                state.Contribute(service, kept);
            }
            else
            {
                rest.Add(service);
            }
        }
        foreach (var service in rest)
        {
            state.Upsert(service);
        }
        return state;
    }

    /// <summary>Adds or changes one service: re-allocates it (or re-reads its status) and replaces its routes only.</summary>
    public ServiceAllocationResult Upsert(ServiceResource service)
    {
        Withdraw(service.Key);
        if (_services.TryAdd(service.Key, service))
        {
            KeepSorted(service.Key, add: true);
        }
        else
        {
            _services[service.Key] = service;
        }
        Annotated(service);
        _changedPlans.Add(service.Key);
        var allocation = AddressesFromStatus ? Allocator.FromStatus(service) : Allocator.Assign(service);
        Contribute(service, allocation);
        return allocation;
    }

    /// <summary>Removes one service: releases its addresses and withdraws its routes only.</summary>
    public void Remove(string serviceKey)
    {
        Withdraw(serviceKey);
        if (_services.Remove(serviceKey))
        {
            KeepSorted(serviceKey, add: false);
            _servicePlans.Remove(serviceKey);
            _annotated.Remove(serviceKey);
        }
        Allocator.Release(serviceKey);
    }

    private void Annotated(ServiceResource service)
    {
        if (service.Meta.Annotations.Count > 0)
        {
            _annotated.Add(service.Key);
        }
        else
        {
            _annotated.Remove(service.Key);
        }
    }

    /// <summary>Replaces the endpoints of one service and re-plans it.</summary>
    public void SetEndpoints(string serviceKey, bool serving, IEnumerable<string> nodes)
    {
        _endpoints[serviceKey] = new EndpointInfo(serving, nodes.ToHashSet(StringComparer.Ordinal));
        if (_services.TryGetValue(serviceKey, out var service) && Allocator.Services.TryGetValue(serviceKey, out var allocation))
        {
            Withdraw(serviceKey);
            Contribute(service, allocation);
        }
    }

    private void Withdraw(string serviceKey)
    {
        if (_applied.Remove(serviceKey, out var routes))
        {
            foreach (var (table, route) in routes)
            {
                table.Remove(route);
            }
        }
    }

    internal EndpointInfo? Endpoints(string serviceKey) =>
        EndpointsAssumed ? null : _endpoints.GetValueOrDefault(serviceKey) ?? new EndpointInfo(false, new HashSet<string>());

    private void Contribute(ServiceResource service, ServiceAllocationResult allocation)
    {
        if (!allocation.Allocated)
        {
            return;
        }
        var endpoints = Endpoints(service.Key);
        if (endpoints is { Serving: false })
        {
            return;
        }
        var applied = _gathered;
        applied.Clear();
        if (service.ExternalTrafficPolicy != "Local" || endpoints is null)
        {
            AddRoutes(service, allocation, _clusterTable, applied);
        }
        else
        {
            foreach (var node in endpoints.Nodes.Where(_classOfNode.ContainsKey))
            {
                if (!_localTables.TryGetValue(node, out var table))
                {
                    _localTables[node] = table = new RouteTable();
                }
                AddRoutes(service, allocation, table, applied);
            }
        }
        if (applied.Count > 0)
        {
            _applied[service.Key] = [.. applied];
        }
    }

    private void AddRoutes(ServiceResource service, ServiceAllocationResult allocation, RouteTable table, List<(RouteTable, Contribution)> applied)
    {
        string pool = allocation.Pool!.Name;
        var advertisements = Config.Advertisements;
        for (int index = 0; index < advertisements.Count; index++)
        {
            var advertisement = advertisements[index];
            if (!advertisement.Pools.Contains(pool) || !LabelSelector.AnyMatches(advertisement.Resource.ServiceSelectors, service.Meta.Labels))
            {
                continue;
            }
            var addresses = allocation.Addresses;
            for (int a = 0; a < addresses.Count; a++)
            {
                var address = addresses[a];
                var route = new Contribution(index, IpBlock.Create(address, advertisement.AggregationFor(address.IsV6)));
                table.Add(route);
                applied.Add((table, route));
            }
        }
    }

    /// <summary>
    /// MetalLB 0.15: a session carries only the family of its peer's address (an IPv4 peer gets no IPv6
    /// prefixes, and its OPEN offers no IPv6 unicast); with <c>dualStackAddressFamily: true</c> it carries both
    /// (MP-BGP). <c>disableMP</c> is deprecated upstream and means the default.
    /// </summary>
    internal static bool CarriesFamily(PeerConfig peer, bool v6) =>
        // An interface peer carries both, IPv4 with IPv6 next hops (RFC 8950), as MetalLB renders it dual-stack.
        peer.Resource.DualStackAddressFamily || peer.Interface is not null || (peer.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == v6;

    internal NodeClass? ClassOf(string node) => _classOfNode.GetValueOrDefault(node);

    internal RouteTable? LocalTable(string node) => _localTables.GetValueOrDefault(node);

    internal RouteTable ClusterTable => _clusterTable;
}

/// <summary>A dictionary whose values are computed when asked for, so 10,000 services x 100 nodes cost nothing until printed.</summary>
internal sealed class LazyDictionary(IReadOnlyList<string> keys, Func<string, string> value) : IReadOnlyDictionary<string, string>
{
    public string this[string key] => keys.Contains(key) ? value(key) : throw new KeyNotFoundException(key);
    public IEnumerable<string> Keys => keys;
    public IEnumerable<string> Values => keys.Select(value);
    public int Count => keys.Count;
    public bool ContainsKey(string key) => keys.Contains(key);
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string result)
    {
        result = keys.Contains(key) ? value(key) : null;
        return result is not null;
    }
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => keys.Select(k => new KeyValuePair<string, string>(k, value(k))).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
