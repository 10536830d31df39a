using System.Net.Sockets;
using System.Text;

namespace BgpKit.MetalLb.Model;

/// <summary>Options of <see cref="FrrConfigRenderer"/>.</summary>
public sealed record FrrRenderOptions
{
    /// <summary>Add <c>bgp allow-martian-nexthop</c> (loopback tests: a 127.x next hop is otherwise refused).</summary>
    public bool AllowMartianNextHop { get; init; }

    /// <summary>Write the <c>bfd</c> profile section (bfdd's); leave it out for a standalone bgpd.</summary>
    public bool IncludeBfdProfiles { get; init; } = true;

    /// <summary>When set, IPv4 routes carry this NEXT_HOP (some receivers treat a loopback next hop as a withdraw).</summary>
    public System.Net.IPAddress? NextHopV4 { get; init; }

    /// <summary>When set, IPv6 routes carry this global NEXT_HOP.</summary>
    public System.Net.IPAddress? NextHopV6 { get; init; }
}

/// <summary>
/// Renders a node's plan as an frr.conf for FRR 8.4 that makes bgpd send exactly the plan's routes:
/// a <c>network</c> statement per prefix (with <c>no bgp network import-check</c>, so no zebra route
/// is needed) and, per neighbor, an outbound route-map whose entries match prefix-lists of routes
/// that share attributes and set local-preference (iBGP only), communities and large communities.
/// Anything not in the plan for that neighbor falls to the route-map's implicit deny.
/// The output contains the session passwords: that is its purpose.
/// </summary>
public static class FrrConfigRenderer
{
    /// <summary>Renders <paramref name="node"/>.</summary>
    public static string Render(NodePlan node, FrrRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        options ??= new FrrRenderOptions();
        var conf = new StringBuilder();
        var policies = new StringBuilder();
        conf.AppendLine("frr version 8.4");
        conf.AppendLine("frr defaults traditional");
        conf.AppendLine($"hostname {Word(node.Name)}");
        conf.AppendLine("log stdout informational");
        conf.AppendLine("!");
        var sessions = node.Sessions.Where(s => s.Pending is null).ToList();
        foreach (var router in sessions.GroupBy(s => (s.Vrf, s.MyAsn)).OrderBy(g => g.Key.Vrf, StringComparer.Ordinal).ThenBy(g => g.Key.MyAsn))
        {
            conf.AppendLine(router.Key.Vrf.Length == 0 ? $"router bgp {router.Key.MyAsn}" : $"router bgp {router.Key.MyAsn} vrf {Word(router.Key.Vrf)}");
            if (router.Select(s => s.RouterId).FirstOrDefault(r => r is not null) is { } routerId)
            {
                conf.AppendLine($" bgp router-id {routerId}");
            }
            conf.AppendLine(" no bgp ebgp-requires-policy");
            conf.AppendLine(" no bgp default ipv4-unicast");
            conf.AppendLine(" no bgp network import-check");
            // As MetalLB renders every router: GR helper for all peers, and our F bits when a neighbor enables restart.
            conf.AppendLine(" bgp graceful-restart preserve-fw-state");
            if (options.AllowMartianNextHop)
            {
                conf.AppendLine(" bgp allow-martian-nexthop");
            }
            foreach (var s in router)
            {
                string n = $" neighbor {s.Neighbor}";
                // BGP unnumbered as MetalLB renders it: FRR finds the peer on the interface from its Router Advertisements.
                conf.AppendLine($"{n}{(s.Interface is null ? "" : " interface")} remote-as {(s.PeerAsn?.ToString() ?? s.DynamicAsn)}");
                if (s.Port != 179)
                {
                    conf.AppendLine($"{n} port {s.Port}");
                }
                if (s.Password is { } password)
                {
                    conf.AppendLine($"{n} password {password}");
                }
                conf.AppendLine($"{n} timers {(int)s.KeepaliveTime.TotalSeconds} {(int)s.HoldTime.TotalSeconds}");
                if (s.ConnectTime is { } connect)
                {
                    conf.AppendLine($"{n} timers connect {(int)connect.TotalSeconds}");
                }
                if (s.EbgpMultiHop)
                {
                    conf.AppendLine($"{n} ebgp-multihop");
                }
                if (s.SourceAddress is { } source)
                {
                    conf.AppendLine($"{n} update-source {source}");
                }
                if (s.BfdProfile is { } profile)
                {
                    conf.AppendLine($"{n} bfd");
                    conf.AppendLine($"{n} bfd profile {Word(profile)}");
                }
                if (s.GracefulRestart)
                {
                    conf.AppendLine($"{n} graceful-restart");
                }
            }
            var peerNames = router.Select(s => s.Peer).ToHashSet(StringComparer.Ordinal);
            var routes = node.Announcements.Where(a => peerNames.Contains(a.Peer)).ToList();
            foreach (bool v6 in new[] { false, true })
            {
                var family = routes.Where(a => IsV6(a) == v6).ToList();
                var carriers = router.Where(s => !s.DisableMp || (s.Address.AddressFamily == AddressFamily.InterNetworkV6) == v6).ToList();
                if (carriers.Count == 0)
                {
                    continue;
                }
                conf.AppendLine(v6 ? " address-family ipv6 unicast" : " address-family ipv4 unicast");
                foreach (var prefix in family.Select(a => a.Prefix).Distinct().OrderBy(p => p.BaseAddress.ToString(), StringComparer.Ordinal))
                {
                    conf.AppendLine($"  network {prefix}");
                }
                foreach (var s in carriers)
                {
                    conf.AppendLine($"  neighbor {s.Neighbor} activate");
                    conf.AppendLine($"  neighbor {s.Neighbor} route-map {MapName(s)} out");
                }
                conf.AppendLine(" exit-address-family");
            }
            conf.AppendLine("exit");
            conf.AppendLine("!");
            foreach (var s in router)
            {
                RenderPolicy(policies, s, routes.Where(a => a.Peer == s.Peer).ToList(), options);
            }
        }
        conf.Append(policies);
        if (options.IncludeBfdProfiles)
        {
            var profiles = sessions.Where(s => s.Bfd is not null).GroupBy(s => s.BfdProfile!).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            if (profiles.Count > 0)
            {
                conf.AppendLine("bfd");
                foreach (var group in profiles)
                {
                    var b = group.First().Bfd!;
                    conf.AppendLine($" profile {Word(group.Key)}");
                    conf.AppendLine($"  receive-interval {b.ReceiveInterval}");
                    conf.AppendLine($"  transmit-interval {b.TransmitInterval}");
                    conf.AppendLine($"  detect-multiplier {b.DetectMultiplier}");
                    if (b.EchoMode)
                    {
                        conf.AppendLine("  echo-mode");
                        conf.AppendLine($"  echo receive-interval {b.EchoInterval}");
                    }
                    if (b.PassiveMode)
                    {
                        conf.AppendLine("  passive-mode");
                    }
                    conf.AppendLine($"  minimum-ttl {b.MinimumTtl}");
                    conf.AppendLine(" exit");
                }
                conf.AppendLine("exit");
                conf.AppendLine("!");
            }
        }
        conf.AppendLine("end");
        return conf.ToString();
    }

    private static void RenderPolicy(StringBuilder policies, SessionPlan session, List<Announcement> routes, FrrRenderOptions options)
    {
        string map = MapName(session);
        int sequence = 10;
        int group = 0;
        foreach (var attributes in routes
            .GroupBy(a => (IsV6(a), a.LocalPref, Communities: string.Join(" ", a.Communities), Large: string.Join(" ", a.LargeCommunities)))
            .OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.LocalPref).ThenBy(g => g.Key.Communities, StringComparer.Ordinal).ThenBy(g => g.Key.Large, StringComparer.Ordinal))
        {
            bool v6 = attributes.Key.Item1;
            string list = $"{map}-{++group}";
            int seq = 5;
            foreach (var route in attributes)
            {
                policies.AppendLine($"{(v6 ? "ipv6" : "ip")} prefix-list {list} seq {seq} permit {route.Prefix}");
                seq += 5;
            }
            policies.AppendLine($"route-map {map} permit {sequence}");
            policies.AppendLine($" match {(v6 ? "ipv6" : "ip")} address prefix-list {list}");
            if (attributes.Key.LocalPref is { } localPref)
            {
                policies.AppendLine($" set local-preference {localPref}");
            }
            if (attributes.Key.Communities.Length > 0)
            {
                policies.AppendLine($" set community {attributes.Key.Communities}");
            }
            if (attributes.Key.Large.Length > 0)
            {
                policies.AppendLine($" set large-community {attributes.Key.Large}");
            }
            if (!v6 && options.NextHopV4 is { } nextHop)
            {
                policies.AppendLine($" set ip next-hop {nextHop}");
            }
            if (v6 && options.NextHopV6 is { } nextHop6)
            {
                policies.AppendLine($" set ipv6 next-hop global {nextHop6}");
            }
            policies.AppendLine("exit");
            policies.AppendLine("!");
            sequence += 10;
        }
        // An explicit last entry so that the route-map exists even when this peer gets no route.
        policies.AppendLine($"route-map {map} deny 65535");
        policies.AppendLine("exit");
        policies.AppendLine("!");
    }

    private static bool IsV6(Announcement a) => a.Prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;

    private static string MapName(SessionPlan session) => Word($"{session.Peer}-out");

    /// <summary>FRR names are single words.</summary>
    private static string Word(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
