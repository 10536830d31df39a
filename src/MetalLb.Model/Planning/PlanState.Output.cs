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
        // Per advertisement that selects this node, the running sessions it reaches, by family.
        var reach = new Dictionary<int, (int[] V4, int[] V6)>();
        var classPeers = nodeClass.Peers;
        var advertisements = Config.Advertisements;
        for (int index = 0; index < advertisements.Count; index++)
        {
            var advertisement = advertisements[index];
            if (!nodeClass.Advertisements.Contains(advertisement))
            {
                continue;
            }
            var peers = Enumerable.Range(0, classPeers.Count).Where(i => classPeers[i].PendingReason is null && advertisement.SelectsPeer(classPeers[i].Name)).ToList();
            reach[index] = (peers.Where(i => CarriesFamily(classPeers[i], false)).ToArray(), peers.Where(i => CarriesFamily(classPeers[i], true)).ToArray());
        }
        // Keyed by the peer's position in the class: PeerConfig's record equality would hash the whole resource.
        var merged = new Dictionary<(int Peer, IpBlock Prefix), RouteAttributes>();
        foreach (var table in new[] { ClusterTable, LocalTable(node) })
        {
            if (table is null)
            {
                continue;
            }
            foreach (var route in table.Routes)
            {
                if (!reach.TryGetValue(route.Advertisement, out var peers))
                {
                    continue;
                }
                var advertisement = advertisements[route.Advertisement];
                foreach (int peerIndex in route.Prefix.IsV6 ? peers.V6 : peers.V4)
                {
                    var peer = classPeers[peerIndex];
                    // RFC 4271 section 5.1.5: LOCAL_PREF goes to internal peers only, and always
                    // there; without localPref the receiver's usual default (100) is sent.
                    uint? localPref = peer.IsIbgp ? advertisement.Resource.LocalPref ?? 100 : null;
                    var key = (peerIndex, route.Prefix);
                    merged[key] = merged.TryGetValue(key, out var existing)
                        ? existing.Merge(localPref, advertisement.Communities)
                        : new RouteAttributes(localPref, null, advertisement.Communities);
                }
            }
        }
        var announcements = new List<Announcement>(merged.Count);
        foreach (var ((peerIndex, prefix), attributes) in merged.OrderBy(m => classPeers[m.Key.Peer].Name, StringComparer.Ordinal).ThenBy(m => m.Key.Prefix))
        {
            var peer = classPeers[peerIndex];
            if (attributes.ConflictingLocalPref is { } other)
            {
                PlanProblems.Add(new Problem
                {
                    Severity = ProblemSeverity.Error,
                    Kind = "BGPAdvertisement",
                    Field = "spec.localPref",
                    Message = $"node {node} would send {prefix} to {peer.Name} with localPref {attributes.LocalPref} and {other}; {Math.Max(attributes.LocalPref ?? 0, other)} is used",
                });
            }
            announcements.Add(new Announcement
            {
                Peer = peer.Name,
                Prefix = new IPNetwork(prefix.Network.ToAddress(), prefix.Length),
                LocalPref = attributes.ConflictingLocalPref is { } c ? Math.Max(attributes.LocalPref ?? 0, c) : attributes.LocalPref,
                Communities = attributes.Communities.Where(x => !x.IsLarge).Select(x => x.ToString()).ToList(),
                LargeCommunities = attributes.Communities.Where(x => x.IsLarge).Select(x => x.ToString()).ToList(),
            });
        }
        return new NodePlan { Name = node, Sessions = sessions, Announcements = announcements };
    }

    /// <summary>The attributes of one route as advertisements add up: communities united, localPref conflicts kept.</summary>
    private readonly record struct RouteAttributes(uint? LocalPref, uint? ConflictingLocalPref, IReadOnlyList<CommunityValue> Communities)
    {
        public RouteAttributes Merge(uint? localPref, IReadOnlyList<CommunityValue> communities) => new(
            LocalPref,
            localPref != LocalPref ? localPref ?? 0 : ConflictingLocalPref,
            communities.Count == 0 || ReferenceEquals(communities, Communities) ? Communities : Communities.Union(communities).Order().ToList());
    }

    internal static SessionPlan ToSession(PeerConfig peer) => new()
    {
        Peer = peer.Name,
        Address = peer.Address,
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
        DisableMp = peer.Resource.DisableMp,
        GracefulRestart = peer.Resource.EnableGracefulRestart,
        Pending = peer.PendingReason,
        Password = peer.Password,
    };

    /// <summary>Why a service is or is not announced from a node, in one line.</summary>
    public string Reason(ServiceResource service, string node)
    {
        if (!Allocator.Services.TryGetValue(service.Key, out var allocation) || !allocation.Allocated)
        {
            return "not announced: no address allocated";
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
            return $"not announced: no BGPAdvertisement for IPAddressPool {pool}";
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

    public ClusterPlan ToPlan()
    {
        PlanProblems.Clear();
        var nodes = NodeNames.Select(NodePlan).ToList();
        var services = _services.Values.OrderBy(s => s.Key, StringComparer.Ordinal).Select(service =>
        {
            var allocation = Allocator.Services[service.Key];
            return new ServicePlan
            {
                Namespace = service.Meta.Namespace,
                Name = service.Meta.Name,
                Addresses = allocation.Addresses.Select(a => a.ToAddress()).ToList(),
                Pool = allocation.Pool?.Name,
                Error = allocation.Error,
                Announced = new LazyDictionary(NodeNames, node => Reason(service, node)),
            };
        }).ToList();
        var problems = Config.Problems.Concat(PlanProblems).ToList();
        foreach (var service in _services.Values)
        {
            var warnings = new List<string>();
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
            Notes = notes,
        };
    }
}
