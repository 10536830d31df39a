using System.Text;
using BgpKit.MetalLb.Model.Planning;
using BgpKit.MetalLb.Model.Resources;
using BgpKit.MetalLb.Model.Validation;
using FsCheck;
using FsCheck.Fluent;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Properties;

/// <summary>
/// The node plan (route tables, sorted walk per peer, shared attributes) against a reference that
/// follows METALLB.md "Announcement" literally: per node, service, advertisement, peer and address.
/// </summary>
public class PlanningProperties
{
    private static readonly Config Replay = Config.QuickThrowOnFailure.WithReplay(20261121UL, 7UL).WithMaxTest(80);

    private static Arbitrary<string> Clusters => Gen.Choose(0, int.MaxValue / 2).Select(RandomCluster).ToArbitrary();

    [Fact]
    public void Every_node_plan_equals_the_literal_reference()
    {
        Check.One(Replay, Prop.ForAll(Clusters, yaml =>
        {
            var state = PlanState.Build(Validate(yaml));
            foreach (var node in state.NodeNames)
            {
                var actual = state.NodePlan(node).Announcements.Select(Text).ToList();
                var expected = Reference(state, node);
                Assert.True(expected.SequenceEqual(actual), $"node {node}\nexpected:\n{string.Join("\n", expected)}\nactual:\n{string.Join("\n", actual)}\n{yaml}");
            }
            return true;
        }));
    }

    [Fact]
    public void After_removing_and_re_adding_services_the_plan_equals_the_reference()
    {
        Check.One(Replay, Prop.ForAll(Clusters, yaml =>
        {
            var state = PlanState.Build(Validate(yaml));
            var services = state.Services.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
            foreach (var service in services.Where((_, i) => i % 2 == 0))
            {
                state.Remove(service.Key);
            }
            foreach (var node in state.NodeNames)
            {
                Assert.Equal(Reference(state, node), state.NodePlan(node).Announcements.Select(Text));
            }
            foreach (var service in services.Where((_, i) => i % 2 == 0))
            {
                state.Upsert(service);
            }
            foreach (var node in state.NodeNames)
            {
                Assert.Equal(Reference(state, node), state.NodePlan(node).Announcements.Select(Text));
            }
            return true;
        }));
    }

    internal static string Text(Announcement a) =>
        $"{a.Peer} {a.Prefix} lp={a.LocalPref?.ToString() ?? "-"} c={string.Join(",", a.Communities)} l={string.Join(",", a.LargeCommunities)}";

    /// <summary>METALLB.md "Announcement", one loop per sentence.</summary>
    internal static List<string> Reference(PlanState state, string node)
    {
        var config = state.Config;
        var labels = config.Manifests.Nodes.FirstOrDefault(n => n.Name == node)?.Meta.Labels ?? ObjectMeta.NoLabels;
        if (labels.ContainsKey(PlanState.ExcludeLabel))
        {
            return [];
        }
        var sessions = config.Peers.Where(p => LabelSelector.AnyMatches(p.Resource.NodeSelectors, labels)).ToList();
        var routes = new Dictionary<(string Peer, IpBlock Prefix), (PeerConfig Peer, SortedSet<int> Advertisements)>();
        foreach (var service in state.Services)
        {
            if (!state.Allocator.Services.TryGetValue(service.Key, out var allocation) || !allocation.Allocated)
            {
                continue;
            }
            if (!state.EndpointsAssumed)
            {
                var endpoints = config.Manifests.EndpointSlices
                    .Where(e => e.Meta.Namespace == service.Meta.Namespace && e.ServiceName == service.Meta.Name)
                    .SelectMany(e => e.Endpoints).Where(e => e.Serving).ToList();
                if (endpoints.Count == 0 || service.ExternalTrafficPolicy == "Local" && !endpoints.Any(e => e.NodeName == node))
                {
                    continue;
                }
            }
            for (int index = 0; index < config.Advertisements.Count; index++)
            {
                var advertisement = config.Advertisements[index];
                if (!advertisement.Pools.Contains(allocation.Pool!.Name)
                    || !LabelSelector.AnyMatches(advertisement.Resource.ServiceSelectors, service.Meta.Labels)
                    || !LabelSelector.AnyMatches(advertisement.Resource.NodeSelectors, labels))
                {
                    continue;
                }
                foreach (var peer in sessions.Where(p => p.PendingReason is null && advertisement.SelectsPeer(p.Name)))
                {
                    foreach (var address in allocation.Addresses.Where(a => PlanState.CarriesFamily(peer, a.IsV6)))
                    {
                        var key = (peer.Name, IpBlock.Create(address, advertisement.AggregationFor(address.IsV6)));
                        if (!routes.TryGetValue(key, out var route))
                        {
                            routes[key] = route = (peer, []);
                        }
                        route.Advertisements.Add(index);
                    }
                }
            }
        }
        return routes.OrderBy(r => r.Key.Peer, StringComparer.Ordinal).ThenBy(r => r.Key.Prefix).Select(r =>
        {
            var ads = r.Value.Advertisements.Select(i => config.Advertisements[i]).ToList();
            // Internal peers get LOCAL_PREF (100 unless set); differing values send the largest.
            uint? localPref = r.Value.Peer.IsIbgp ? ads.Max(a => a.Resource.LocalPref ?? 100) : null;
            var communities = ads.SelectMany(a => a.Communities).Distinct().Order().ToList();
            return $"{r.Key.Peer} {r.Key.Prefix} lp={localPref?.ToString() ?? "-"} c={string.Join(",", communities.Where(c => !c.IsLarge))} l={string.Join(",", communities.Where(c => c.IsLarge))}";
        }).ToList();
    }

    /// <summary>
    /// Racks of nodes (one excluded), peers by rack and family (one pending on a missing Secret, one
    /// with disableMP), advertisements with node, peer and service selectors, aggregation, localPref and
    /// (large) communities, and services with ETP Local, dual stack and EndpointSlices on some nodes.
    /// </summary>
    private static string RandomCluster(int seed) => Join([.. RandomDocuments(seed)]);

    /// <summary>The documents of <see cref="RandomCluster"/>, one manifest each.</summary>
    internal static List<string> RandomDocuments(int seed)
    {
        var random = new Random(seed);
        var docs = new List<string>();
        int nodes = random.Next(1, 5);
        for (int n = 0; n < nodes; n++)
        {
            string exclude = random.Next(6) == 0 ? ", node.kubernetes.io/exclude-from-external-load-balancers: ''" : "";
            docs.Add($"apiVersion: v1\nkind: Node\nmetadata: {{name: n{n}, labels: {{rack: r{n % 2}{exclude}}}}}");
        }
        int pools = random.Next(1, 4);
        for (int p = 0; p < pools; p++)
        {
            docs.Add($"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: pool{p}}}\nspec: {{addresses: ['10.{p}.0.0/28', '2001:db8:{p}::/124']}}");
        }
        int peers = random.Next(1, 5);
        for (int p = 0; p < peers; p++)
        {
            var spec = new StringBuilder($"myASN: 64500, peerASN: {(random.Next(2) == 0 ? 64500 : 64600 + p)}");
            spec.Append(random.Next(3) == 0 ? $", peerAddress: 'fd00::{p + 1}'" : $", peerAddress: 192.168.0.{p + 1}");
            if (random.Next(3) == 0)
            {
                spec.Append($", nodeSelectors: [{{matchLabels: {{rack: r{random.Next(2)}}}}}]");
            }
            if (random.Next(4) == 0)
            {
                spec.Append(", disableMP: true");
            }
            if (random.Next(6) == 0)
            {
                spec.Append(", passwordSecret: {name: missing}");
            }
            docs.Add($"apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {{name: peer{p}}}\nspec: {{{spec}}}");
        }
        int ads = random.Next(1, 5);
        for (int a = 0; a < ads; a++)
        {
            // serviceSelectors need host routes (aggregation 32/128).
            bool bySelector = random.Next(4) == 0;
            var spec = new StringBuilder(bySelector
                ? $"aggregationLength: 32, aggregationLengthV6: 128, serviceSelectors: [{{matchLabels: {{tier: t{random.Next(2)}}}}}]"
                : $"aggregationLength: {random.Next(28, 33)}, aggregationLengthV6: {random.Next(124, 129)}");
            if (random.Next(3) > 0)
            {
                spec.Append($", localPref: {100 * random.Next(1, 4)}");
            }
            if (random.Next(2) == 0)
            {
                spec.Append($", ipAddressPools: [pool{random.Next(pools)}]");
            }
            if (random.Next(2) == 0)
            {
                spec.Append($", peers: [peer{random.Next(peers)}]");
            }
            if (random.Next(3) == 0)
            {
                spec.Append($", nodeSelectors: [{{matchLabels: {{rack: r{random.Next(2)}}}}}]");
            }
            spec.Append(random.Next(3) switch
            {
                0 => "",
                1 => $", communities: ['1:{random.Next(3)}']",
                _ => $", communities: ['1:{random.Next(3)}', 'large:1:2:{random.Next(3)}', no-export]",
            });
            docs.Add($"apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {{name: adv{a}}}\nspec: {{{spec}}}");
        }
        bool slices = random.Next(3) > 0;
        int count = random.Next(0, 12);
        for (int s = 0; s < count; s++)
        {
            string family = random.Next(3) == 0 ? "ipFamilyPolicy: PreferDualStack\nipFamilies: [IPv6, IPv4]\n" : "";
            string policy = random.Next(3) == 0 ? "externalTrafficPolicy: Local\n" : "";
            docs.Add(Service($"svc{s}", labels: $"tier: t{random.Next(2)}", extraSpec: policy + family));
            if (slices && random.Next(4) > 0)
            {
                var on = Enumerable.Range(0, nodes).Where(_ => random.Next(2) == 0).ToList();
                bool serving = random.Next(5) > 0;
                docs.Add($"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {{name: svc{s}-x, namespace: default, labels: {{kubernetes.io/service-name: svc{s}}}}}\n"
                    + (on.Count == 0 ? "endpoints: []\n" : "endpoints:\n")
                    + string.Concat(on.Select(n => $"- {{addresses: [10.244.0.1], nodeName: n{n}, conditions: {{ready: {(serving ? "true" : "false")}}}}}\n")));
            }
        }
        return docs;
    }
}
