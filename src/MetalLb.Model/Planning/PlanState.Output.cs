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
        var merged = new Dictionary<(string Peer, IpBlock Prefix), (SortedSet<uint> LocalPrefs, SortedSet<CommunityValue> Communities)>();
        foreach (var table in new[] { nodeClass.Table, LocalTable(node) })
        {
            if (table is null)
            {
                continue;
            }
            foreach (var (key, entry) in table.Routes)
            {
                if (!merged.TryGetValue(key, out var value))
                {
                    merged[key] = value = ([], []);
                }
                value.LocalPrefs.UnionWith(entry.LocalPrefs);
                value.Communities.UnionWith(entry.Communities);
            }
        }
        var announcements = new List<Announcement>(merged.Count);
        foreach (var ((peer, prefix), (localPrefs, communities)) in merged.OrderBy(m => m.Key.Peer, StringComparer.Ordinal).ThenBy(m => m.Key.Prefix))
        {
            if (localPrefs.Count > 1)
            {
                PlanProblems.Add(new Problem
                {
                    Severity = ProblemSeverity.Error,
                    Kind = "BGPAdvertisement",
                    Field = "spec.localPref",
                    Message = $"node {node} would send {prefix} to {peer} with localPref {string.Join(" and ", localPrefs)}; {localPrefs.Max} is used",
                });
            }
            announcements.Add(new Announcement
            {
                Peer = peer,
                Prefix = new IPNetwork(prefix.Network.ToAddress(), prefix.Length),
                LocalPref = localPrefs.Count == 0 ? null : localPrefs.Max,
                Communities = communities.Where(c => !c.IsLarge).Select(c => c.ToString()).ToList(),
                LargeCommunities = communities.Where(c => c.IsLarge).Select(c => c.ToString()).ToList(),
            });
        }
        return new NodePlan { Name = node, Sessions = sessions, Announcements = announcements };
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
