using System.Net;
using BgpKit.MetalLb.Model.Resources;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model.Planning;

internal sealed partial class PlanState
{
    public NodePlan NodePlan(string node)
    {
        var metalLb = MetalLbNodePlan(node);
        var frrConfigurations = Config.Manifests.FrrConfigurations
            .Where(f => f.NodeSelector is null || f.NodeSelector.Matches(_nodeLabels.GetValueOrDefault(node) ?? ObjectMeta.NoLabels))
            .OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (frrConfigurations.Count == 0)
        {
            return metalLb;
        }
        // MetalLB in FRR-K8s mode: its configuration becomes one more FRRConfiguration, merged with the user's.
        int before = PlanProblems.Count;
        var bfd = new Dictionary<string, BfdPlan>(StringComparer.Ordinal);
        foreach (var profile in frrConfigurations.SelectMany(f => f.BfdProfiles))
        {
            var value = new BfdPlan(profile.ReceiveInterval, profile.TransmitInterval, profile.DetectMultiplier, profile.EchoMode, profile.EchoInterval, profile.PassiveMode, profile.MinimumTtl);
            if (bfd.TryGetValue(profile.Name, out var existing) && existing != value)
            {
                PlanProblems.Add(new Problem { Severity = ProblemSeverity.Error, File = profile.Source.File, Line = profile.Source.Line, Kind = "FRRConfiguration", Name = profile.Name, Field = "spec.bgp.bfdProfiles", Message = $"BFD profile \"{profile.Name}\" is defined twice with different values" });
            }
            bfd[profile.Name] = value;
        }
        var routers = FrrK8s.FrrMerge.Compile(metalLb).Select(r => ("metallb", r))
            .Concat(frrConfigurations.SelectMany(f => f.Routers.Select(r => (f.Name, r))));
        var merged = FrrK8s.FrrMerge.Merge(routers, PlanProblems);
        return PlanProblems.Count > before ? metalLb : FrrK8s.FrrMerge.ToNodePlan(node, merged, metalLb.Sessions, bfd);
    }

    private NodePlan MetalLbNodePlan(string node)
    {
        var nodeClass = _classOfNode[node];
        var sessions = nodeClass.Peers.Select(ToSession).OrderBy(s => s.Peer, StringComparer.Ordinal).ToList();
        if (nodeClass.Excluded)
        {
            return new NodePlan { Name = node, Sessions = sessions, Announcements = [] };
        }
        var local = LocalTable(node);
        bool alike = local is null || local.Count == 0;
        if (alike && _classAnnouncements.TryGetValue(nodeClass, out var cached) && (cached.Version == ClusterTable.Version || Update(cached)))
        {
            ReportConflicts(node, cached.Conflicts);
            return new NodePlan { Name = node, Sessions = sessions, Announcements = cached.Announcements };
        }
        var cluster = ClusterTable.Sorted();
        var classPeers = nodeClass.Peers;
        var advertisements = Config.Advertisements;
        int peerCount = classPeers.Count;
        // Per advertisement that selects this node, whether it reaches each running session of the
        // class, by family: reaches[(advertisement * peers + peer) * 2 + (v6 ? 1 : 0)].
        var reaches = new bool[advertisements.Count * peerCount * 2];
        var used = new bool[advertisements.Count];
        for (int index = 0; index < advertisements.Count; index++)
        {
            var advertisement = advertisements[index];
            if (!nodeClass.Advertisements.Contains(advertisement))
            {
                continue;
            }
            for (int peer = 0; peer < peerCount; peer++)
            {
                if (classPeers[peer].PendingReason is null && advertisement.SelectsPeer(classPeers[peer].Name))
                {
                    int at = (index * peerCount + peer) * 2;
                    reaches[at] = CarriesFamily(classPeers[peer], false);
                    reaches[at + 1] = CarriesFamily(classPeers[peer], true);
                    used[index] |= reaches[at] | reaches[at + 1];
                }
            }
        }
        var routes = NodeRoutes(cluster, local, used);
        var attributes = new AttributeCache(advertisements);
        var networks = new IPNetwork?[routes.Count];
        var byName = Enumerable.Range(0, peerCount).OrderBy(i => classPeers[i].Name, StringComparer.Ordinal).ToArray();
        var announcements = new List<Announcement>();
        var conflicts = new List<LocalPrefConflict>();
        Span<int> reaching = advertisements.Count <= 64 ? stackalloc int[advertisements.Count] : new int[advertisements.Count];
        foreach (int peerIndex in byName)
        {
            var peer = classPeers[peerIndex];
            // Routes are sorted by prefix, then advertisement: each run of one prefix is one announcement.
            for (int start = 0, end; start < routes.Count; start = end)
            {
                var prefix = routes[start].Prefix;
                int family = prefix.IsV6 ? 1 : 0;
                int count = 0;
                for (end = start; end < routes.Count && routes[end].Prefix == prefix; end++)
                {
                    int advertisement = routes[end].Advertisement;
                    if (reaches[(advertisement * peerCount + peerIndex) * 2 + family] && (count == 0 || reaching[count - 1] != advertisement))
                    {
                        reaching[count++] = advertisement;
                    }
                }
                if (count == 0)
                {
                    continue;
                }
                var route = attributes.For(reaching[..count], peer.IsIbgp);
                if (route.ConflictingLocalPref is { } other)
                {
                    conflicts.Add(new LocalPrefConflict(prefix, peer.Name, route.LocalPref, other));
                }
                announcements.Add(new Announcement
                {
                    Peer = peer.Name,
                    Prefix = networks[start] ??= new IPNetwork(prefix.Network.ToAddress(), prefix.Length),
                    LocalPref = route.ConflictingLocalPref is { } c ? Math.Max(route.LocalPref ?? 0, c) : route.LocalPref,
                    Communities = route.Communities,
                    LargeCommunities = route.LargeCommunities,
                });
            }
        }
        ReportConflicts(node, conflicts);
        if (alike)
        {
            _classAnnouncements[nodeClass] = ClassAnnouncements.Of(ClusterTable.Version, announcements, conflicts, byName.Select(i => classPeers[i]).ToArray(), reaches, peerCount, byName, attributes);
        }
        return new NodePlan { Name = node, Sessions = sessions, Announcements = announcements };
    }

    /// <summary>
    /// Brings a class's cached announcements up to the cluster table by redoing only the prefixes
    /// that changed since: a change copies one chunk of a peer's routes (see PeerRoutes), so plans handed
    /// out before stay as they were. False when that is not possible (conflicts, or too far behind).
    /// </summary>
    private bool Update(ClassAnnouncements cached)
    {
        var changed = new List<IpBlock>();
        if (cached.Conflicts.Count > 0 || !ClusterTable.ChangesSince(cached.Version, changed))
        {
            return false;
        }
        var prefixes = changed.Distinct().ToArray();
        var advertisements = Config.Advertisements;
        Span<int> reaching = advertisements.Count <= 64 ? stackalloc int[advertisements.Count] : new int[advertisements.Count];
        var peers = new PeerRoutes[cached.Peers.Length];
        for (int p = 0; p < cached.Peers.Length; p++)
        {
            var peer = cached.Peers[p];
            int peerIndex = cached.PeerIndex[p];
            var old = cached.ByPeer[p];
            PeerRoutes? edited = null;
            foreach (var prefix in prefixes)
            {
                int family = prefix.IsV6 ? 1 : 0;
                int count = 0;
                for (int advertisement = 0; advertisement < advertisements.Count; advertisement++)
                {
                    if (cached.Reaches[(advertisement * cached.PeerCount + peerIndex) * 2 + family] && ClusterTable.Contains(new Contribution(advertisement, prefix)))
                    {
                        reaching[count++] = advertisement;
                    }
                }
                if (count == 0)
                {
                    edited = (edited ?? old).With(prefix, null);
                    continue;
                }
                var route = cached.Attributes.For(reaching[..count], peer.IsIbgp);
                if (route.ConflictingLocalPref is not null)
                {
                    return false;
                }
                edited = (edited ?? old).With(prefix, new Announcement
                {
                    Peer = peer.Name,
                    Prefix = new IPNetwork(prefix.Network.ToAddress(), prefix.Length),
                    LocalPref = route.LocalPref,
                    Communities = route.Communities,
                    LargeCommunities = route.LargeCommunities,
                });
            }
            peers[p] = edited ?? old;
        }
        cached.ByPeer = peers;
        cached.Announcements = new ConcatenatedRoutes(peers);
        cached.Version = ClusterTable.Version;
        return true;
    }

    /// <summary>
    /// One peer's routes of a class, by prefix, in chunks of a few hundred: a change copies one chunk
    /// and the chunk index, never the whole list, and every other chunk is shared with earlier plans.
    /// </summary>
    private sealed class PeerRoutes : IEnumerable<Announcement>
    {
        private const int ChunkSize = 256;
        private readonly Announcement[][] _chunks;

        private PeerRoutes(Announcement[][] chunks)
        {
            _chunks = chunks;
            Count = chunks.Sum(c => c.Length);
        }

        public int Count { get; }

        public static PeerRoutes Of(List<Announcement> routes) =>
            new(routes.Chunk(ChunkSize).ToArray());

        /// <summary>These routes with the one for <paramref name="prefix"/> replaced, added, or removed (when <paramref name="route"/> is null).</summary>
        public PeerRoutes With(IpBlock prefix, Announcement? route)
        {
            int chunk = 0;
            while (chunk < _chunks.Length - 1 && BlockOf(_chunks[chunk][^1]).CompareTo(prefix) < 0)
            {
                chunk++;
            }
            var routes = _chunks.Length == 0 ? [] : _chunks[chunk];
            int low = 0, high = routes.Length - 1;
            while (low <= high)
            {
                int middle = (low + high) / 2;
                int c = BlockOf(routes[middle]).CompareTo(prefix);
                if (c == 0)
                {
                    low = middle;
                    break;
                }
                (low, high) = c < 0 ? (middle + 1, high) : (low, middle - 1);
            }
            bool found = low < routes.Length && BlockOf(routes[low]).CompareTo(prefix) == 0;
            Announcement[] changed;
            if (route is null)
            {
                if (!found)
                {
                    return this;
                }
                changed = [.. routes.AsSpan(0, low), .. routes.AsSpan(low + 1)];
            }
            else if (found)
            {
                changed = [.. routes];
                changed[low] = route;
            }
            else
            {
                changed = [.. routes.AsSpan(0, low), route, .. routes.AsSpan(low)];
            }
            var chunks = new List<Announcement[]>(_chunks.Length + 1);
            chunks.AddRange(_chunks.AsSpan(0, Math.Min(chunk, _chunks.Length)));
            if (changed.Length > 2 * ChunkSize)
            {
                chunks.Add(changed[..ChunkSize]);
                chunks.Add(changed[ChunkSize..]);
            }
            else if (changed.Length > 0)
            {
                chunks.Add(changed);
            }
            if (chunk + 1 < _chunks.Length)
            {
                chunks.AddRange(_chunks.AsSpan(chunk + 1));
            }
            return new PeerRoutes([.. chunks]);
        }

        public Announcement this[int index]
        {
            get
            {
                foreach (var chunk in _chunks)
                {
                    if (index < chunk.Length)
                    {
                        return chunk[index];
                    }
                    index -= chunk.Length;
                }
                throw new ArgumentOutOfRangeException(nameof(index));
            }
        }

        private static IpBlock BlockOf(Announcement route) => new(IpValue.From(route.Prefix.BaseAddress), route.Prefix.PrefixLength);

        public IEnumerator<Announcement> GetEnumerator()
        {
            foreach (var chunk in _chunks)
            {
                foreach (var route in chunk)
                {
                    yield return route;
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The peers' routes one after another (peers by name): a node plan's announcements without copying them.</summary>
    private sealed class ConcatenatedRoutes(PeerRoutes[] peers) : IReadOnlyList<Announcement>
    {
        public int Count { get; } = peers.Sum(p => p.Count);

        public Announcement this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                foreach (var peer in peers)
                {
                    if (index < peer.Count)
                    {
                        return peer[index];
                    }
                    index -= peer.Count;
                }
                throw new ArgumentOutOfRangeException(nameof(index));
            }
        }

        public IEnumerator<Announcement> GetEnumerator()
        {
            foreach (var peer in peers)
            {
                foreach (var route in peer)
                {
                    yield return route;
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Two advertisements that would send one route to one peer with different localPref.</summary>
    private sealed record LocalPrefConflict(IpBlock Prefix, string Peer, uint? LocalPref, uint Other);

    /// <summary>
    /// The announcements of a class of nodes without routes of their own (externalTrafficPolicy Local),
    /// as of the cluster table's <c>Version</c> (brought up to date by <c>Update</c>): every such node
    /// of the class sends exactly these, so a plan of 100 nodes in 5 racks computes 5.
    /// </summary>
    private sealed class ClassAnnouncements
    {
        public required long Version { get; set; }
        public required IReadOnlyList<Announcement> Announcements { get; set; }
        public required PeerRoutes[] ByPeer { get; set; }
        public required List<LocalPrefConflict> Conflicts { get; init; }

        // What Update needs to redo one prefix as the full pass would: the peers by name, their index
        // in the class, and which advertisement reaches which of them by family.
        public required PeerConfig[] Peers { get; init; }
        public required int[] PeerIndex { get; init; }
        public required bool[] Reaches { get; init; }
        public required int PeerCount { get; init; }
        public required AttributeCache Attributes { get; init; }

        public static ClassAnnouncements Of(long version, List<Announcement> announcements, List<LocalPrefConflict> conflicts, PeerConfig[] peers, bool[] reaches, int peerCount, int[] peerIndex, AttributeCache attributes)
        {
            // Announcements come by peer (in name order), then prefix: split them back into runs per peer.
            var byPeer = new PeerRoutes[peers.Length];
            int at = 0;
            for (int p = 0; p < peers.Length; p++)
            {
                var routes = new List<Announcement>();
                for (; at < announcements.Count && announcements[at].Peer == peers[p].Name; at++)
                {
                    routes.Add(announcements[at]);
                }
                byPeer[p] = PeerRoutes.Of(routes);
            }
            return new ClassAnnouncements
            {
                Version = version,
                Announcements = announcements,
                ByPeer = byPeer,
                Conflicts = conflicts,
                Peers = peers,
                PeerIndex = peerIndex,
                Reaches = reaches,
                PeerCount = peerCount,
                Attributes = attributes,
            };
        }
    }

    private void ReportConflicts(string node, List<LocalPrefConflict> conflicts)
    {
        foreach (var (prefix, peer, localPref, other) in conflicts)
        {
            PlanProblems.Add(new Problem
            {
                Severity = ProblemSeverity.Error,
                Kind = "BGPAdvertisement",
                Field = "spec.localPref",
                Message = $"node {node} would send {prefix} to {peer} with localPref {localPref} and {other}; {Math.Max(localPref ?? 0, other)} is used",
            });
        }
    }

    /// <summary>The cluster table's routes and the node's own (externalTrafficPolicy Local), by prefix then advertisement, of the advertisements in use.</summary>
    private static List<Contribution> NodeRoutes(Contribution[] cluster, RouteTable? local, bool[] used)
    {
        var own = local?.Sorted() ?? [];
        var routes = new List<Contribution>(cluster.Length + own.Length);
        var order = new ContributionOrder();
        int i = 0, j = 0;
        while (i < cluster.Length || j < own.Length)
        {
            var next = j == own.Length || (i < cluster.Length && order.Compare(cluster[i], own[j]) <= 0) ? cluster[i++] : own[j++];
            if (used[next.Advertisement])
            {
                routes.Add(next);
            }
        }
        return routes;
    }

    /// <summary>The attributes of one route for one peer, with the texts the plan prints.</summary>
    private sealed record RouteAttributes(uint? LocalPref, uint? ConflictingLocalPref, IReadOnlyList<string> Communities, IReadOnlyList<string> LargeCommunities);

    /// <summary>
    /// Attributes by the advertisements that announce a route to a peer, and whether the peer is internal:
    /// computed once per such set, so routes share their community lists instead of formatting them again.
    /// </summary>
    private sealed class AttributeCache(IReadOnlyList<AdvertisementConfig> advertisements)
    {
        private readonly Dictionary<(ulong Advertisements, bool Ibgp), RouteAttributes> _bySet = [];

        public RouteAttributes For(ReadOnlySpan<int> reaching, bool ibgp)
        {
            ulong set = 0;
            foreach (int advertisement in reaching)
            {
                if (advertisement >= 64)
                {
                    return Compute(reaching, ibgp);
                }
                set |= 1UL << advertisement;
            }
            if (!_bySet.TryGetValue((set, ibgp), out var attributes))
            {
                _bySet[(set, ibgp)] = attributes = Compute(reaching, ibgp);
            }
            return attributes;
        }

        /// <summary>
        /// Communities are united; localPref is the first advertisement's (by name), and when another
        /// one differs the largest such value is the conflict (the plan sends the larger of the two).
        /// </summary>
        private RouteAttributes Compute(ReadOnlySpan<int> reaching, bool ibgp)
        {
            // RFC 4271 section 5.1.5: LOCAL_PREF goes to internal peers only, and always there;
            // without localPref the receiver's usual default (100) is sent.
            uint? LocalPref(int advertisement) => ibgp ? advertisements[advertisement].Resource.LocalPref ?? 100 : null;
            uint? localPref = LocalPref(reaching[0]);
            uint? conflict = null;
            var communities = new SortedSet<CommunityValue>(advertisements[reaching[0]].Communities);
            foreach (int advertisement in reaching[1..])
            {
                if (LocalPref(advertisement) is { } other && other != localPref && (conflict is null || other > conflict))
                {
                    conflict = other;
                }
                communities.UnionWith(advertisements[advertisement].Communities);
            }
            return new RouteAttributes(
                localPref,
                conflict,
                communities.Where(x => !x.IsLarge).Select(x => x.ToString()).ToArray(),
                communities.Where(x => x.IsLarge).Select(x => x.ToString()).ToArray());
        }
    }

    internal static SessionPlan ToSession(PeerConfig peer) => new()
    {
        Peer = peer.Name,
        Address = peer.Address,
        Interface = peer.Interface,
        Port = peer.Resource.PeerPort,
        MyAsn = peer.Resource.MyAsn,
        PeerAsn = peer.Resource.PeerAsn,
        DynamicAsn = peer.Resource.DynamicAsn,
        HoldTime = peer.HoldTime,
        KeepaliveTime = peer.KeepaliveTime,
        ConnectTime = peer.ConnectTime,
        RouterId = peer.RouterId,
        SourceAddress = peer.SourceAddress,
        EbgpMultiHop = peer.Resource.EbgpMultiHop,
        BfdProfile = peer.Bfd?.Name,
        Bfd = peer.Bfd is { } b ? new BfdPlan(b.ReceiveInterval, b.TransmitInterval, b.DetectMultiplier, b.EchoMode, b.EchoInterval, b.PassiveMode, b.MinimumTtl) : null,
        Vrf = peer.Resource.Vrf,
        IsIbgp = peer.IsIbgp,
        DisableMp = !peer.Resource.DualStackAddressFamily && peer.Interface is null,
        GracefulRestart = peer.Resource.EnableGracefulRestart,
        Pending = peer.PendingReason,
        Password = peer.Password,
    };

    /// <summary>Why a service is or is not announced from a node, in one line.</summary>
    public string Reason(ServiceResource service, string node)
    {
        if (!Allocator.Services.TryGetValue(service.Key, out var allocation) || !allocation.Allocated)
        {
            return AddressesFromStatus && allocation?.Error is { } error ? $"not announced: {error}" : "not announced: no address allocated";
        }
        var nodeClass = _classOfNode[node];
        if (nodeClass.Excluded)
        {
            return $"not announced: node is labelled {ExcludeLabel}";
        }
        var endpoints = Endpoints(service.Key);
        if (endpoints is { Serving: false })
        {
            return "not announced: the service has no serving endpoint";
        }
        if (service.ExternalTrafficPolicy == "Local" && endpoints is not null && !endpoints.Nodes.Contains(node))
        {
            return "not announced: externalTrafficPolicy Local and no serving endpoint on this node";
        }
        string pool = allocation.Pool!.Name;
        var forPool = Config.Advertisements.Where(a => a.Pools.Contains(pool)).ToList();
        if (forPool.Count == 0)
        {
            return Config.Layer2Only.TryGetValue(pool, out var layer2)
                ? $"not announced over BGP: no BGPAdvertisement for IPAddressPool {pool} (layer 2 only, L2Advertisement {string.Join(", ", layer2)})"
                : $"not announced: no BGPAdvertisement for IPAddressPool {pool}";
        }
        var forService = forPool.Where(a => LabelSelector.AnyMatches(a.Resource.ServiceSelectors, service.Meta.Labels)).ToList();
        if (forService.Count == 0)
        {
            return $"not announced: the serviceSelectors of BGPAdvertisement {Names(forPool)} do not match the service";
        }
        var forNode = forService.Where(nodeClass.Advertisements.Contains).ToList();
        if (forNode.Count == 0)
        {
            return $"not announced: BGPAdvertisement {Names(forService)} does not select this node";
        }
        var peers = nodeClass.Peers.Where(p => forNode.Any(a => a.SelectsPeer(p.Name))).ToList();
        var running = peers.Where(p => p.PendingReason is null && allocation.Addresses.Any(a => CarriesFamily(p, a.IsV6))).ToList();
        if (running.Count == 0)
        {
            return peers.Count > 0
                ? $"not announced: peer {string.Join(", ", peers.Select(p => p.Name))} is pending ({peers[0].PendingReason ?? "no session carries the address family"})"
                : $"not announced: no BGP session on this node reaches the peers of BGPAdvertisement {Names(forNode)}";
        }
        return $"announced to {string.Join(", ", running.Select(p => p.Name))} via BGPAdvertisement {Names(forNode)}";
    }

    private static string Names(IEnumerable<AdvertisementConfig> advertisements) => string.Join(", ", advertisements.Select(a => a.Name));

    // A service's plan stays while its allocation is the same object (Assign and TryKeep make a new
    // one for every change; Announced reads the state when asked), and the services stay sorted, so
    // that after one Upsert or Remove ToPlan rebuilds neither 10,000 plans nor their order.
    private readonly Dictionary<string, (Allocation.ServiceAllocationResult Allocation, ServicePlan Plan)> _servicePlans = new(StringComparer.Ordinal);
    private List<string>? _sortedKeys;

    // The plans in _sortedKeys order as the last ToPlan made them, and the keys changed since (Upsert,
    // Remove): ToPlan copies the list and redoes those, instead of looking up 10,000 services.
    private List<ServicePlan?>? _sortedPlans;
    private readonly HashSet<string> _changedPlans = new(StringComparer.Ordinal);

    // Services with any annotation: only these can warn about deprecated ones, so ToPlan reads only them when there are any.
    private readonly HashSet<string> _annotated = new(StringComparer.Ordinal);

    /// <summary>The plan of one service as the last <see cref="ToPlan"/> made it, or null.</summary>
    public ServicePlan? PlanOf(string key) => _servicePlans.TryGetValue(key, out var cached) ? cached.Plan : null;

    private ServicePlan ToServicePlan(ServiceResource service, Allocation.ServiceAllocationResult allocation) => new()
    {
        Namespace = service.Meta.Namespace,
        Name = service.Meta.Name,
        Addresses = allocation.Addresses.Select(a => a.ToAddress()).ToList(),
        Pool = allocation.Pool?.Name,
        Error = allocation.Error,
        Announced = new LazyDictionary(NodeNames, node => Reason(service, node)),
    };

    private ServicePlan CurrentPlan(string key)
    {
        var allocation = Allocator.Services[key];
        if (!_servicePlans.TryGetValue(key, out var cached) || !ReferenceEquals(cached.Allocation, allocation))
        {
            _servicePlans[key] = cached = (allocation, ToServicePlan(_services[key], allocation));
        }
        return cached.Plan;
    }

    /// <summary>Keeps the sorted service keys (once ToPlan has sorted them) in step with one added or removed service.</summary>
    private void KeepSorted(string key, bool add)
    {
        if (_sortedKeys is null)
        {
            return;
        }
        int at = _sortedKeys.BinarySearch(key, StringComparer.Ordinal);
        if (add && at < 0)
        {
            _sortedKeys.Insert(~at, key);
            _sortedPlans?.Insert(~at, null);
        }
        else if (!add && at >= 0)
        {
            _sortedKeys.RemoveAt(at);
            _sortedPlans?.RemoveAt(at);
        }
    }

    public ClusterPlan ToPlan()
    {
        PlanProblems.Clear();
        var nodes = NodeNames.Select(NodePlan).ToList();
        var keys = _sortedKeys ??= _services.Keys.Order(StringComparer.Ordinal).ToList();
        if (_sortedPlans is null)
        {
            _sortedPlans = new List<ServicePlan?>(keys.Count);
            foreach (var key in keys)
            {
                _sortedPlans.Add(CurrentPlan(key));
            }
        }
        else
        {
            foreach (var key in _changedPlans)
            {
                int at = keys.BinarySearch(key, StringComparer.Ordinal);
                if (at >= 0)
                {
                    _sortedPlans[at] = CurrentPlan(key);
                }
            }
        }
        _changedPlans.Clear();
        var services = new List<ServicePlan>(_sortedPlans!);
        var problems = Config.Problems.Concat(PlanProblems).ToList();
        var warnings = new List<string>();
        foreach (var service in _annotated.Count == 0 ? (IEnumerable<ServiceResource>)[] : _services.Values)
        {
            warnings.Clear();
            Allocation.ServiceRequest.Annotation(service, Allocation.ServiceRequest.AddressPoolAnnotation, warnings);
            Allocation.ServiceRequest.Annotation(service, Allocation.ServiceRequest.AllowSharedIpAnnotation, warnings);
            Allocation.ServiceRequest.Annotation(service, Allocation.ServiceRequest.LoadBalancerIpsAnnotation, warnings);
            foreach (var warning in warnings)
            {
                problems.Add(new Problem { Severity = ProblemSeverity.Warning, File = service.Source.File, Line = service.Source.Line, Kind = "Service", Name = service.Key, Field = "metadata.annotations", Message = warning });
            }
        }
        var notes = new List<string>();
        if (NodesAssumed)
        {
            notes.Add(Config.Manifests.HasNodes
                ? $"no Node manifest names \"{NodeNames[0]}\": planned for it with no labels"
                : $"no Node manifests: planned for node \"{NodeNames[0]}\" with no labels");
        }
        if (EndpointsAssumed)
        {
            notes.Add("no EndpointSlices: every service counts as served on every node");
        }
        return new ClusterPlan
        {
            Errors = problems.Where(p => p.Severity == ProblemSeverity.Error).ToList(),
            Pending = problems.Where(p => p.Severity == ProblemSeverity.Pending).ToList(),
            Warnings = problems.Where(p => p.Severity == ProblemSeverity.Warning).ToList(),
            Services = services,
            Nodes = nodes,
            Layer2 = Layer2Plans(),
            Notes = notes,
        };
    }
}
