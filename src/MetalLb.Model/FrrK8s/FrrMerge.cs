using System.Net;
using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.FrrK8s;

/// <summary>
/// FRR-K8s semantics: validation of FRRConfigurations, merging the ones that select a node
/// (routers combine per VRF, prefixes and neighbors merge, the less restrictive filter wins,
/// conflicts invalidate the merge), and compiling a MetalLB node plan into the same form.
/// </summary>
internal static class FrrMerge
{
    public static void Validate(FrrConfigurationResource config, List<Problem> problems)
    {
        void Error(string field, string message) => problems.Add(new Problem
        {
            Severity = ProblemSeverity.Error, File = config.Source.File, Line = config.LineOf(field), Kind = config.Kind, Name = config.Name, Field = field, Message = message,
        });
        for (int r = 0; r < config.Routers.Count; r++)
        {
            var router = config.Routers[r];
            string rf = $"spec.bgp.routers[{r}]";
            if (router.Asn == 0)
            {
                Error($"{rf}.asn", "asn is required and must not be 0");
            }
            if (router.Id is { Length: > 0 } id && (!StrictIp.TryParse(id, out var rid) || rid.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
            {
                Error($"{rf}.id", $"id must be an IPv4 address, not \"{id}\"");
            }
            foreach (var prefix in router.Prefixes.Where(p => !IpBlock.TryParse(p, out _)))
            {
                Error($"{rf}.prefixes", $"invalid prefix \"{prefix}\"");
            }
            for (int n = 0; n < router.Neighbors.Count; n++)
            {
                var neighbor = router.Neighbors[n];
                string nf = $"{rf}.neighbors[{n}]";
                if (!StrictIp.TryParse(neighbor.Address, out _))
                {
                    Error($"{nf}.address", $"invalid address \"{neighbor.Address}\"");
                }
                if ((neighbor.Asn is null or 0) == (neighbor.DynamicAsn is null))
                {
                    Error($"{nf}.asn", "exactly one of asn or dynamicASN is required");
                }
                if (neighbor.ToAdvertise.Mode is not ("all" or "filtered"))
                {
                    Error($"{nf}.toAdvertise.allowed.mode", $"mode \"{neighbor.ToAdvertise.Mode}\" must be all or filtered");
                }
                if (neighbor.ToReceive.Mode is not ("all" or "filtered"))
                {
                    Error($"{nf}.toReceive.allowed.mode", $"mode \"{neighbor.ToReceive.Mode}\" must be all or filtered");
                }
                foreach (var prefix in neighbor.ToAdvertise.Prefixes.Concat(neighbor.ToAdvertise.WithLocalPref.SelectMany(w => w.Prefixes)).Concat(neighbor.ToAdvertise.WithCommunity.SelectMany(w => w.Prefixes)))
                {
                    if (!IpBlock.TryParse(prefix, out _))
                    {
                        Error($"{nf}.toAdvertise", $"invalid prefix \"{prefix}\"");
                    }
                    else if (!router.Prefixes.Contains(prefix))
                    {
                        Error($"{nf}.toAdvertise", $"prefix \"{prefix}\" is not among the router's prefixes");
                    }
                }
                foreach (var community in neighbor.ToAdvertise.WithCommunity.Where(c => !CommunityValue.TryParse(c.Community, out _, out _)))
                {
                    Error($"{nf}.toAdvertise.withCommunity", $"invalid community \"{community.Community}\"");
                }
                for (int p = 0; p < neighbor.ToReceive.Prefixes.Count; p++)
                {
                    if (ReceivePrefixError(neighbor.ToReceive.Prefixes[p]) is { } message)
                    {
                        Error($"{nf}.toReceive.allowed.prefixes[{p}]", message);
                    }
                }
                if (neighbor.Password is not null && neighbor.PasswordSecret is not null)
                {
                    Error($"{nf}.password", "password and passwordSecret are mutually exclusive");
                }
            }
        }
    }

    /// <summary>Why a toReceive prefix selector is invalid (upstream's validateSelectorLengths), or null.</summary>
    internal static string? ReceivePrefixError(FrrPrefixSelector selector)
    {
        if (!IpBlock.TryParse(selector.Prefix, out var block))
        {
            return $"invalid prefix \"{selector.Prefix}\"";
        }
        int max = block.IsV6 ? 128 : 32;
        if (selector.Ge is > 0 and var ge && (ge < block.Length || ge > max))
        {
            return $"ge {ge} must be between the prefix length {block.Length} and {max}";
        }
        if (selector.Le is > 0 and var le && (le < block.Length || le > max))
        {
            return $"le {le} must be between the prefix length {block.Length} and {max}";
        }
        if (selector.Ge is > 0 and var g && selector.Le is > 0 and var l && g > l)
        {
            return $"ge {g} is bigger than le {l}";
        }
        return null;
    }

    /// <summary>
    /// Merges routers of several configurations as FRR-K8s does (internal/controller/merge.go): one router per
    /// VRF, whose ASN and router ID must agree; prefixes and neighbors united; a neighbor (by address) named twice
    /// must agree on ASN, port, source address, password, timers, multihop and families, and may name a BFD profile
    /// on one side only; its filters unite, the less restrictive winning. Every conflict is reported naming both
    /// configurations and makes the result invalid.
    /// </summary>
    public static List<FrrRouter> Merge(IEnumerable<(string Source, FrrRouter Router)> routers, List<Problem> problems)
    {
        var merged = new Dictionary<string, (FrrRouter Router, string Origin, Dictionary<string, (FrrNeighbor Neighbor, string Origin)> Neighbors)>(StringComparer.Ordinal);
        foreach (var (source, router) in routers)
        {
            if (!merged.TryGetValue(router.Vrf, out var existing))
            {
                existing = (router with { Prefixes = [], Neighbors = [] }, source, new(StringComparer.Ordinal));
            }
            else if (existing.Router.Asn != router.Asn)
            {
                Conflict(problems, source, $"router ASN {router.Asn} of {source} conflicts with ASN {existing.Router.Asn} of {existing.Origin} in VRF \"{router.Vrf}\"");
                continue;
            }
            else if (existing.Router.Id is { Length: > 0 } a && router.Id is { Length: > 0 } b && a != b)
            {
                Conflict(problems, source, $"router ID {b} of {source} conflicts with router ID {a} of {existing.Origin} in VRF \"{router.Vrf}\"");
                continue;
            }
            var neighbors = existing.Neighbors;
            var staged = new Dictionary<string, (FrrNeighbor Neighbor, string Origin)>(neighbors, StringComparer.Ordinal);
            bool clash = false;
            foreach (var neighbor in router.Neighbors)
            {
                if (!staged.TryGetValue(neighbor.Key, out var other))
                {
                    staged[neighbor.Key] = (neighbor, source);
                    continue;
                }
                var reason = NeighborConflict(other.Neighbor, neighbor) ?? LocalPrefConflict(other.Neighbor.ToAdvertise, neighbor.ToAdvertise);
                if (reason is not null)
                {
                    Conflict(problems, source, $"neighbor {neighbor.Key} in VRF \"{router.Vrf}\": {reason} by {other.Origin} and {source}");
                    clash = true;
                    continue;
                }
                staged[neighbor.Key] = (other.Neighbor with
                {
                    BfdProfile = other.Neighbor.BfdProfile ?? neighbor.BfdProfile,
                    ToAdvertise = Union(other.Neighbor.ToAdvertise, neighbor.ToAdvertise),
                    ToReceive = Union(other.Neighbor.ToReceive, neighbor.ToReceive),
                }, other.Origin);
            }
            if (clash)
            {
                continue;
            }
            merged[router.Vrf] = (existing.Router with
            {
                Id = existing.Router.Id is { Length: > 0 } ? existing.Router.Id : router.Id,
                Prefixes = existing.Router.Prefixes.Union(router.Prefixes).ToList(),
            }, existing.Origin, staged);
        }
        return merged.Values.Select(m => m.Router with { Neighbors = m.Neighbors.Values.Select(n => n.Neighbor).OrderBy(n => n.Key, StringComparer.Ordinal).ToList() })
            .OrderBy(r => r.Vrf, StringComparer.Ordinal).ToList();
    }

    /// <summary>Why two definitions of one neighbor cannot merge, or null. Unset values mean the defaults, as upstream's ptrsEqual.</summary>
    private static string? NeighborConflict(FrrNeighbor a, FrrNeighbor b) =>
        a.Asn != b.Asn || a.DynamicAsn != b.DynamicAsn ? "different ASNs are configured"
        : a.Port != b.Port ? "different ports are configured"
        : (a.SourceAddress ?? "") != (b.SourceAddress ?? "") ? "different source addresses are configured"
        : a.Password != b.Password || a.PasswordSecret != b.PasswordSecret ? "different passwords are configured"
        : a.BfdProfile is not null && b.BfdProfile is not null && a.BfdProfile != b.BfdProfile ? "different BFD profiles are configured"
        : a.EbgpMultiHop != b.EbgpMultiHop ? "different ebgpMultiHop settings are configured"
        : a.GracefulRestart != b.GracefulRestart ? "different enableGracefulRestart settings are configured"
        : a.DisableMp != b.DisableMp ? "different dualStackAddressFamily settings are configured"
        : Hold(a) != Hold(b) ? "different hold times are configured"
        : Keepalive(a) != Keepalive(b) ? "different keepalive times are configured"
        : (a.ConnectTime ?? DefaultConnectTime) != (b.ConnectTime ?? DefaultConnectTime) ? "different connect times are configured"
        : null;

    /// <summary>Upstream refuses two local preferences for one prefix toward one neighbor.</summary>
    private static string? LocalPrefConflict(FrrToAdvertise a, FrrToAdvertise b)
    {
        foreach (var x in a.WithLocalPref)
        {
            foreach (var y in b.WithLocalPref.Where(y => y.LocalPref != x.LocalPref))
            {
                if (x.Prefixes.Intersect(y.Prefixes).FirstOrDefault() is { } prefix)
                {
                    return $"local preferences {x.LocalPref} and {y.LocalPref} are configured for prefix {prefix}";
                }
            }
        }
        return null;
    }

    private static readonly TimeSpan DefaultConnectTime = TimeSpan.FromSeconds(60);

    // Unset timers mean FRR's defaults; only different effective values conflict.
    private static TimeSpan Hold(FrrNeighbor n) => n.HoldTime ?? n.KeepaliveTime * 3 ?? TimeSpan.FromSeconds(90);

    private static TimeSpan Keepalive(FrrNeighbor n) => n.KeepaliveTime ?? n.HoldTime / 3 ?? TimeSpan.FromSeconds(30);

    /// <summary>The less restrictive filter wins: "all" over "filtered", and prefix lists unite.</summary>
    private static FrrToAdvertise Union(FrrToAdvertise a, FrrToAdvertise b) => new(
        a.Mode == "all" || b.Mode == "all" ? "all" : "filtered",
        a.Prefixes.Union(b.Prefixes).ToList(),
        a.WithLocalPref.Concat(b.WithLocalPref).GroupBy(w => w.LocalPref).Select(g => new FrrLocalPref(g.Key, g.SelectMany(w => w.Prefixes).Distinct().ToList())).ToList(),
        a.WithCommunity.Concat(b.WithCommunity).GroupBy(w => w.Community).Select(g => new FrrCommunity(g.Key, g.SelectMany(w => w.Prefixes).Distinct().ToList())).ToList());

    private static FrrToReceive Union(FrrToReceive a, FrrToReceive b) => new(
        a.Mode == "all" || b.Mode == "all" ? "all" : "filtered",
        a.Prefixes.Union(b.Prefixes).ToList());

    private static void Conflict(List<Problem> problems, string source, string message) =>
        problems.Add(new Problem { Severity = ProblemSeverity.Error, Kind = "FRRConfiguration", Name = source, Field = "spec.bgp.routers", Message = "cannot merge: " + message });

    /// <summary>MetalLB's plan for a node in FRR-K8s form, as MetalLB generates it for FRR-K8s.</summary>
    public static List<FrrRouter> Compile(NodePlan plan) =>
        plan.Sessions.Where(s => s.Pending is null).GroupBy(s => (s.Vrf, s.MyAsn)).Select(router =>
        {
            var peers = router.ToList();
            var routes = plan.Announcements.Where(a => peers.Any(p => p.Peer == a.Peer)).ToList();
            return new FrrRouter(router.Key.MyAsn, peers.Select(p => p.RouterId?.ToString()).FirstOrDefault(r => r is not null), router.Key.Vrf,
                routes.Select(a => a.Prefix.ToString()).Distinct().ToList(),
                peers.Select(p =>
                {
                    var mine = routes.Where(a => a.Peer == p.Peer).ToList();
                    return new FrrNeighbor
                    {
                        Asn = p.PeerAsn, DynamicAsn = p.DynamicAsn, Address = p.Address.ToString(), Interface = p.Interface, Port = p.Port, Password = p.Password,
                        SourceAddress = p.SourceAddress?.ToString(), HoldTime = p.HoldTime, KeepaliveTime = p.KeepaliveTime, ConnectTime = p.ConnectTime,
                        EbgpMultiHop = p.EbgpMultiHop, BfdProfile = p.BfdProfile, DisableMp = p.DisableMp, GracefulRestart = p.GracefulRestart,
                        ToAdvertise = new FrrToAdvertise("filtered", mine.Select(a => a.Prefix.ToString()).ToList(),
                            mine.Where(a => a.LocalPref is not null).GroupBy(a => a.LocalPref!.Value).Select(g => new FrrLocalPref(g.Key, g.Select(a => a.Prefix.ToString()).ToList())).ToList(),
                            mine.SelectMany(a => a.Communities.Concat(a.LargeCommunities.Select(l => "large:" + l)).Select(c => (c, a))).GroupBy(x => x.c)
                                .Select(g => new FrrCommunity(g.Key, g.Select(x => x.a.Prefix.ToString()).ToList())).ToList()),
                    };
                }).ToList());
        }).ToList();

    /// <summary>toReceive as the speaker applies it: mode all, else the listed prefixes (none listed: nothing accepted). ge/le of 0 mean unset, as upstream.</summary>
    internal static ReceiveFilter ToReceiveFilter(FrrToReceive toReceive) =>
        toReceive.Mode == "all" ? ReceiveFilter.All
        : ReceiveFilter.Of(toReceive.Prefixes.Select(p => IpBlock.TryParse(p.Prefix, out var b)
            ? new ReceivePrefix(new IPNetwork(b.Network.ToAddress(), b.Length), p.Ge is > 0 ? p.Ge : null, p.Le is > 0 ? p.Le : null)
            : (ReceivePrefix?)null).OfType<ReceivePrefix>());

    /// <summary>Turns merged routers back into sessions and announcements: the one form the speaker and renderer consume.</summary>
    public static NodePlan ToNodePlan(string node, List<FrrRouter> routers, IReadOnlyList<SessionPlan> metalLbSessions, IReadOnlyDictionary<string, BfdPlan> bfdProfiles)
    {
        var sessions = new List<SessionPlan>();
        var announcements = new List<Announcement>();
        foreach (var router in routers)
        {
            foreach (var n in router.Neighbors)
            {
                var known = metalLbSessions.FirstOrDefault(s => s.Neighbor == n.Key && s.Vrf == router.Vrf);
                string name = known?.Peer ?? n.Key;
                var address = IPAddress.Parse(n.Address);
                bool ibgp = n.Asn is { } asn ? asn == router.Asn : n.DynamicAsn == "internal";
                sessions.Add(new SessionPlan
                {
                    Peer = name, Address = address, Interface = n.Interface, Port = n.Port, MyAsn = router.Asn, PeerAsn = n.Asn, DynamicAsn = n.DynamicAsn,
                    HoldTime = n.HoldTime ?? (n.KeepaliveTime * 3) ?? TimeSpan.FromSeconds(90), KeepaliveTime = n.KeepaliveTime ?? (n.HoldTime / 3) ?? TimeSpan.FromSeconds(30),
                    ConnectTime = n.ConnectTime, RouterId = router.Id is { } id ? IPAddress.Parse(id) : null, SourceAddress = n.SourceAddress is { } s ? IPAddress.Parse(s) : null,
                    EbgpMultiHop = n.EbgpMultiHop, BfdProfile = n.BfdProfile, Bfd = n.BfdProfile is { } b && bfdProfiles.TryGetValue(b, out var bp) ? bp : known?.Bfd,
                    Vrf = router.Vrf, IsIbgp = ibgp, ReceivesRoutes = n.ToReceive.Mode == "all" || n.ToReceive.Prefixes.Count > 0, DisableMp = n.DisableMp, GracefulRestart = n.GracefulRestart || (known?.GracefulRestart ?? false), Password = n.Password ?? known?.Password,
                    ToReceive = ToReceiveFilter(n.ToReceive),
                });
                var allowed = n.ToAdvertise.Mode == "all" ? router.Prefixes : router.Prefixes.Intersect(n.ToAdvertise.Prefixes).ToList();
                foreach (var prefix in allowed)
                {
                    var block = IpBlock.TryParse(prefix, out var parsed) ? parsed : default;
                    var communities = n.ToAdvertise.WithCommunity.Where(c => c.Prefixes.Contains(prefix))
                        .Select(c => CommunityValue.TryParse(c.Community, out var v, out _) ? v : default).Distinct().Order().ToList();
                    uint? localPref = ibgp ? n.ToAdvertise.WithLocalPref.Where(w => w.Prefixes.Contains(prefix)).Select(w => (uint?)w.LocalPref).Max() ?? 100 : null;
                    announcements.Add(new Announcement
                    {
                        Peer = name, Prefix = new IPNetwork(block.Network.ToAddress(), block.Length), LocalPref = localPref,
                        Communities = communities.Where(c => !c.IsLarge).Select(c => c.ToString()).ToList(),
                        LargeCommunities = communities.Where(c => c.IsLarge).Select(c => c.ToString()).ToList(),
                    });
                }
            }
        }
        return new NodePlan
        {
            Name = node,
            Sessions = sessions.OrderBy(s => s.Peer, StringComparer.Ordinal).ToList(),
            Announcements = announcements.OrderBy(a => a.Peer, StringComparer.Ordinal).ThenBy(a => IpBlock.TryParse(a.Prefix.ToString(), out var b) ? b : default).ToList(),
        };
    }
}
