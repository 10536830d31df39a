using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Planning;

/// <summary>METALLB.md "Announcement": which node sends which route to which peer, and why.</summary>
public class PlanningTests
{
    private static string PeerNamed(string name, string address, uint peerAsn = 64501, string extra = "") => $$"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: {{name}}}
        spec: {myASN: 64500, peerASN: {{peerAsn}}, peerAddress: {{address}}{{extra}}}
        """;

    private static string Adv(string name, string spec) => $"apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {{name: {name}}}\nspec: {{{spec}}}";

    private static string Node(string name, string labels = "") => $"apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{labels}}}}}";

    private static string Slice(string service, params string[] nodes) =>
        $"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {{name: {service}-x, namespace: default, labels: {{kubernetes.io/service-name: {service}}}}}\nendpoints:\n"
        + string.Concat(nodes.Select(n => $"- {{addresses: [10.244.0.1], nodeName: {n}, conditions: {{ready: true}}}}\n"));

    private static List<string> Routes(ClusterPlan plan, string node) =>
        plan.Nodes.Single(n => n.Name == node).Announcements.Select(a => $"{a.Peer} {a.Prefix} lp={a.LocalPref?.ToString() ?? "-"} c={string.Join(",", a.Communities.Concat(a.LargeCommunities))}").ToList();

    [Fact]
    public void Exclusion_label_and_ETP_Local_and_endpoints()
    {
        var plan = Plan(Join(Peer, Pool, Advertisement, Node("a"), Node("b"), Node("c", "node.kubernetes.io/exclude-from-external-load-balancers: ''"),
            Service("cluster"), Service("local", extraSpec: "externalTrafficPolicy: Local"), Service("idle"),
            Slice("cluster", "a"), Slice("local", "b", "c")));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(["peer1 192.0.2.0/32 lp=- c="], Routes(plan, "a"));
        Assert.Equal(["peer1 192.0.2.0/32 lp=- c=", "peer1 192.0.2.2/32 lp=- c="], Routes(plan, "b"));
        Assert.Empty(Routes(plan, "c"));
        var idle = plan.Services.Single(s => s.Name == "idle");
        Assert.Equal("not announced: the service has no serving endpoint", idle.Announced["a"]);
        Assert.Contains("exclude-from-external-load-balancers", plan.Services.Single(s => s.Name == "local").Announced["c"]);
        Assert.DoesNotContain(plan.Notes, n => n.Contains("EndpointSlices"));
    }

    private static string PoolNamed(string name, string addresses) => $"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: {name}}}\nspec: {{addresses: [{addresses}]}}";

    private static string L2(string name, string spec) => $"apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {{name: {name}}}\nspec: {{{spec}}}";

    [Fact]
    public void A_pool_that_only_an_L2Advertisement_selects_is_allocated_and_announced_in_layer_2_not_over_BGP()
    {
        var plan = Plan(Join(Peer, PoolNamed("bgp", "192.0.2.0/24"), PoolNamed("lan", "198.51.100.0/24"),
            Adv("adv1", "ipAddressPools: [bgp]"), L2("l2adv", "ipAddressPools: [lan]"), L2("also-l2", "ipAddressPools: [bgp]"),
            Service("web", annotations: "metallb.io/address-pool: bgp"), Service("printer", annotations: "metallb.io/address-pool: lan")), node: "n1");

        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var printer = plan.Services.Single(s => s.Name == "printer");
        Assert.Equal("198.51.100.0", Assert.Single(printer.Addresses).ToString());
        Assert.Equal("not announced over BGP: no BGPAdvertisement for IPAddressPool lan (layer 2 only, L2Advertisement l2adv)", printer.Announced["n1"]);
        Assert.Equal("announced to peer1 via BGPAdvertisement adv1", plan.Services.Single(s => s.Name == "web").Announced["n1"]);
        Assert.Equal(["peer1 192.0.2.0/32"], plan.Nodes.Single().Announcements.Select(a => $"{a.Peer} {a.Prefix}"));
        // Layer 2 announces both: printer by l2adv, web (also in BGP) by also-l2; no warning any more.
        Assert.DoesNotContain(plan.Warnings, w => w.Message.Contains("L2Advertisement", StringComparison.Ordinal));
        Assert.Equal(["default/printer l2adv n1", "default/web also-l2 n1"],
            plan.Layer2.Select(s => $"{s.Namespace}/{s.Name} {string.Join(",", s.Advertisements)} {string.Join(",", s.Candidates.Select(c => c.Node))}"));
    }

    [Fact]
    public void An_L2Advertisement_for_every_pool_changes_nothing_when_a_BGPAdvertisement_covers_them()
    {
        string yaml = Join(Peer, PoolNamed("a", "192.0.2.0/24"), PoolNamed("b", "198.51.100.0/24"), Adv("adv1", ""), Service("web"));
        var without = Plan(yaml, node: "n1");
        var with = Plan(Join(yaml, L2("everything", "")), node: "n1");
        Assert.DoesNotContain(with.Warnings, w => w.Message.Contains("L2Advertisement", StringComparison.Ordinal));
        Assert.Equal(Routes(without, "n1"), Routes(with, "n1"));
        Assert.Equal(without.Services.Single().Announced["n1"], with.Services.Single().Announced["n1"]);
    }

    [Fact]
    public void Without_nodes_and_endpoints_the_plan_says_what_it_assumed()
    {
        var plan = Plan(Join(Peer, Pool, Advertisement, Service("web")), node: "n7");
        Assert.Equal("n7", plan.Nodes.Single().Name);
        Assert.Contains(plan.Notes, n => n.Contains("no Node manifests"));
        Assert.Contains(plan.Notes, n => n.Contains("no EndpointSlices"));
        Assert.Equal("announced to peer1 via BGPAdvertisement adv1", plan.Services.Single().Announced["n7"]);
    }

    [Fact]
    public void Node_selection_of_peers_and_advertisements()
    {
        var plan = Plan(Join(
            PeerNamed("rack-a", "10.0.0.1", extra: ", nodeSelectors: [{matchLabels: {rack: a}}]"),
            PeerNamed("everywhere", "10.0.0.2"),
            Pool,
            Adv("only-b", "ipAddressPools: [pool1], nodeSelectors: [{matchExpressions: [{key: rack, operator: In, values: [b]}]}]"),
            Node("na", "rack: a"), Node("nb", "rack: b"), Service("web")));
        Assert.Empty(Routes(plan, "na"));
        Assert.Equal(["everywhere 192.0.2.0/32 lp=- c="], Routes(plan, "nb"));
        Assert.Equal(["everywhere", "rack-a"], plan.Nodes.Single(n => n.Name == "na").Sessions.Select(s => s.Peer));
        Assert.Equal("not announced: BGPAdvertisement only-b does not select this node", plan.Services.Single().Announced["na"]);
    }

    [Fact]
    public void Aggregation_deduplication_and_community_union()
    {
        var plan = Plan(Join(
            PeerNamed("ibgp", "10.0.0.1", peerAsn: 64500), PeerNamed("ebgp", "10.0.0.2"),
            "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c}\nspec: {communities: [{name: gold, value: '64500:1'}]}",
            "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: pool1}\nspec: {addresses: [192.0.2.0/24]}",
            Adv("host", "localPref: 50, communities: [gold]"),
            Adv("agg", "aggregationLength: 24, localPref: 50, communities: [no-export, 'large:1:2:3']"),
            Adv("agg2", "aggregationLength: 24, localPref: 50, communities: ['64500:9'], peers: [ibgp]"),
            Service("a"), Service("b")));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal([
            "ebgp 192.0.2.0/24 lp=- c=65535:65281,1:2:3",
            "ebgp 192.0.2.0/32 lp=- c=64500:1",
            "ebgp 192.0.2.1/32 lp=- c=64500:1",
            "ibgp 192.0.2.0/24 lp=50 c=64500:9,65535:65281,1:2:3",
            "ibgp 192.0.2.0/32 lp=50 c=64500:1",
            "ibgp 192.0.2.1/32 lp=50 c=64500:1",
        ], Routes(plan, "node"));
    }

    [Fact]
    public void Aggregate_stays_while_any_address_inside_is_announced_incrementally()
    {
        var state = State(Join(Peer,
            "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: pool1}\nspec: {addresses: [192.0.2.0/24]}",
            Adv("agg", "aggregationLength: 24"), Service("a"), Service("b")));
        Assert.Single(state.NodePlan("node").Announcements);
        state.Remove("default/a");
        Assert.Equal("192.0.2.0/24", state.NodePlan("node").Announcements.Single().Prefix.ToString());
        state.Remove("default/b");
        Assert.Empty(state.NodePlan("node").Announcements);
        state.Upsert(Parse(Service("c")).Services.Single());
        Assert.Equal("192.0.2.0/24", state.NodePlan("node").Announcements.Single().Prefix.ToString());
    }

    [Fact]
    public void Service_selectors_pending_peers_and_disableMP()
    {
        var plan = Plan(Join(
            PeerNamed("v4only", "10.0.0.1", extra: ", disableMP: true"),
            PeerNamed("waiting", "10.0.0.2", extra: ", bfdProfile: later"),
            "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: pool1}\nspec: {addresses: [192.0.2.0/24, '2001:db8::/120']}",
            Adv("gold", "serviceSelectors: [{matchLabels: {tier: gold}}]"),
            Service("gold", labels: "tier: gold", extraSpec: "ipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]"), Service("plain")));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(["v4only 192.0.2.0/32 lp=- c="], Routes(plan, "node"));
        Assert.Contains(plan.Pending, p => p.Name == "waiting");
        Assert.Equal("not announced: the serviceSelectors of BGPAdvertisement gold do not match the service", plan.Services.Single(s => s.Name == "plain").Announced["node"]);
        Assert.Equal("later", plan.Nodes.Single().Sessions.Single(s => s.Peer == "waiting").Pending is { } p && p.Contains("later") ? "later" : "");
    }

    [Fact]
    public void Diff_between_plans_lists_sessions_and_routes()
    {
        var state = new ConfigurationState(new PlanOptions { Node = "n" });
        state.Apply(Parse(Join(Peer, Pool, Advertisement, Service("a"))));
        var before = state.Node("n")!;
        state.UpsertServices(Parse(Service("b")));
        var added = PlanDiff.Between(before, state.Node("n")!);
        Assert.Equal(["192.0.2.1/32"], added.Announce.Select(a => a.Prefix.ToString()));
        Assert.Empty(added.Withdraw);
        state.RemoveService("default", "a");
        var removed = PlanDiff.Between(before, state.Node("n")!);
        Assert.Equal(["192.0.2.0/32"], removed.Withdraw.Select(a => a.Prefix.ToString()));
        var second = state.Apply(Parse(Join(PeerNamed("peer1", "10.0.0.1", extra: ", holdTime: 30s"), Pool, Advertisement, Service("b"))));
        Assert.True(second.Applied);
        var changed = PlanDiff.Between(before, state.Node("n")!);
        Assert.Equal(["peer1"], changed.SessionsChanged.Select(s => s.Peer));
        Assert.True(PlanDiff.Between(state.Node("n"), state.Node("n")!).IsEmpty);
    }

    [Fact]
    public void Frr_configurations_merge_with_metallb_for_one_speaker_plan()
    {
        string Frr(string name, string neighbors, string prefixes = "[]") => $$"""
            apiVersion: frrk8s.metallb.io/v1beta1
            kind: FRRConfiguration
            metadata: {name: {{name}}, namespace: frr-k8s-system}
            spec:
              bgp:
                routers:
                - asn: 64500
                  prefixes: {{prefixes}}
                  neighbors: {{neighbors}}
            """;
        var plan = Plan(Join(Peer, Pool, Advertisement, Service("a"),
            Frr("extra", "[{address: 10.0.0.1, asn: 64501, toAdvertise: {allowed: {prefixes: [198.51.100.0/24]}, withCommunity: [{community: '1:1', prefixes: [198.51.100.0/24]}]}}]", "[198.51.100.0/24]"),
            Frr("other", "[{address: 10.0.0.9, asn: 64509, toAdvertise: {allowed: {mode: all}}}]")));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var routes = Routes(plan, "node");
        Assert.Contains("peer1 192.0.2.0/32 lp=- c=", routes);
        Assert.Contains("peer1 198.51.100.0/24 lp=- c=1:1", routes);
        Assert.Contains("10.0.0.9 192.0.2.0/32 lp=- c=", routes);
        Assert.Contains("10.0.0.9 198.51.100.0/24 lp=- c=", routes);

        // Only a neighbor whose toReceive allows something has its received routes installed; MetalLB's own peers none.
        var receives = plan.Nodes.Single(n => n.Name == "node").Sessions.ToDictionary(s => s.Address.ToString(), s => s.ReceivesRoutes);
        Assert.False(receives["10.0.0.1"]);
        Assert.False(receives["10.0.0.9"]);
        var receiving = Plan(Join(Peer, Pool, Advertisement, Service("a"),
            Frr("all", "[{address: 10.0.0.9, asn: 64509, toReceive: {allowed: {mode: all}}}]"),
            Frr("some", "[{address: 10.0.0.8, asn: 64508, toReceive: {allowed: {prefixes: [{prefix: 203.0.113.0/24}]}}}]")));
        Assert.True(receiving.Valid, string.Join("\n", receiving.Errors));
        var sessions = receiving.Nodes.Single(n => n.Name == "node").Sessions;
        Assert.True(sessions.Single(s => s.Address.ToString() == "10.0.0.9").ReceivesRoutes);
        Assert.True(sessions.Single(s => s.Address.ToString() == "10.0.0.8").ReceivesRoutes);
        Assert.False(sessions.Single(s => s.Peer == "peer1").ReceivesRoutes);

        var conflict = Plan(Join(Peer, Pool, Advertisement, Service("a"), Frr("clash", "[{address: 10.0.0.1, asn: 65000}]")));
        Assert.Contains(conflict.Errors, e => e.Message.Contains("neighbor 10.0.0.1 in VRF \"\": different ASNs are configured by metallb and clash"));
        Assert.Equal(["peer1 192.0.2.0/32 lp=- c="], Routes(conflict, "node"));
    }

    [Fact]
    public void EnableGracefulRestart_of_an_frr_k8s_neighbor_reaches_its_session_and_must_agree_with_the_BGPPeer()
    {
        string Frr(string name, string neighbors) => $$"""
            apiVersion: frrk8s.metallb.io/v1beta1
            kind: FRRConfiguration
            metadata: {name: {{name}}, namespace: frr-k8s-system}
            spec:
              bgp:
                routers:
                - asn: 64500
                  neighbors: {{neighbors}}
            """;
        var plan = Plan(Join(Peer, Pool, Advertisement, Service("a"), Frr("gr", "[{address: 10.0.0.9, asn: 64509, enableGracefulRestart: true}]")));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var sessions = plan.Nodes.Single().Sessions.ToDictionary(s => s.Peer);
        Assert.True(sessions["10.0.0.9"].GracefulRestart);
        Assert.False(sessions["peer1"].GracefulRestart);

        var clash = Plan(Join(Peer, Pool, Advertisement, Service("a"), Frr("clash", "[{address: 10.0.0.1, asn: 64501, enableGracefulRestart: true}]")));
        Assert.Contains(clash.Errors, e => e.Message.Contains("neighbor 10.0.0.1 in VRF \"\": different enableGracefulRestart settings are configured by metallb and clash"));
    }
}
