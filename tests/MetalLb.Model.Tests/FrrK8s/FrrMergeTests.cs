using System.Net;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.FrrK8s;

/// <summary>
/// FRR-K8s's rules for several FRRConfigurations (and MetalLB's own configuration) selecting one node: the
/// seed's "How FRR-K8s merges multiple configurations" and upstream's internal/controller/merge.go.
/// </summary>
public class FrrMergeTests
{
    private static string Frr(string name, string routers, string nodeSelector = "", string bfdProfiles = "") => $$"""
        apiVersion: frrk8s.metallb.io/v1beta1
        kind: FRRConfiguration
        metadata: {name: {{name}}, namespace: metallb-system}
        spec:
          {{(nodeSelector.Length == 0 ? "" : "nodeSelector: " + nodeSelector)}}
          bgp:
            {{(bfdProfiles.Length == 0 ? "" : "bfdProfiles: " + bfdProfiles)}}
            routers: {{routers}}
        """;

    private static string Node(string name, string labels = "") => $"apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{labels}}}}}";

    private static string Router(string neighbors, string extra = "", uint asn = 64500) => $"[{{asn: {asn}{extra}, neighbors: {neighbors}}}]";

    private static NodePlan NodeOf(ClusterPlan plan, string node = "node") => plan.Nodes.Single(n => n.Name == node);

    private static SessionPlan Session(ClusterPlan plan, string address, string node = "node") =>
        NodeOf(plan, node).Sessions.Single(s => s.Address.Equals(IPAddress.Parse(address)));

    public static TheoryData<string, string, string> Conflicts => new()
    {
        // second router, second neighbor list, words the reason must hold
        { Router("[]", asn: 64500), Router("[]", asn: 64999), "router ASN 64999 of b conflicts with ASN 64500 of a" },
        { Router("[]", ", id: 10.1.1.1"), Router("[]", ", id: 10.2.2.2"), "router ID 10.2.2.2 of b conflicts with router ID 10.1.1.1 of a" },
        { Router("[{address: 10.0.0.5, asn: 64505}]"), Router("[{address: 10.0.0.5, asn: 64506}]"), "neighbor 10.0.0.5 in VRF \"\": different ASNs are configured by a and b" },
        { Router("[{address: 10.0.0.5, asn: 64505}]"), Router("[{address: 10.0.0.5, asn: 64505, port: 1179}]"), "different ports are configured by a and b" },
        { Router("[{address: 10.0.0.5, asn: 64505}]"), Router("[{address: 10.0.0.5, asn: 64505, holdTime: 30s}]"), "different hold times are configured by a and b" },
        { Router("[{address: 10.0.0.5, asn: 64505}]"), Router("[{address: 10.0.0.5, asn: 64505, connectTime: 5s}]"), "different connect times are configured by a and b" },
        { Router("[{address: 10.0.0.5, asn: 64505}]"), Router("[{address: 10.0.0.5, asn: 64505, ebgpMultiHop: true}]"), "different ebgpMultiHop settings" },
        { Router("[{address: 10.0.0.5, asn: 64505}]"), Router("[{address: 10.0.0.5, asn: 64505, sourceaddress: 10.0.0.2}]"), "different source addresses" },
        { Router("[{address: 10.0.0.5, asn: 64505}]"), Router("[{address: 10.0.0.5, asn: 64505, password: x}]"), "different passwords" },
        { Router("[{address: 10.0.0.5, asn: 64505, bfdProfile: p1}]"), Router("[{address: 10.0.0.5, asn: 64505, bfdProfile: p2}]"), "different BFD profiles" },
        { Router("[{address: 10.0.0.5, asn: 64505, toAdvertise: {allowed: {prefixes: [198.51.100.0/24]}, withLocalPref: [{localPref: 100, prefixes: [198.51.100.0/24]}]}}]", ", prefixes: [198.51.100.0/24]"),
          Router("[{address: 10.0.0.5, asn: 64505, toAdvertise: {allowed: {prefixes: [198.51.100.0/24]}, withLocalPref: [{localPref: 200, prefixes: [198.51.100.0/24]}]}}]", ", prefixes: [198.51.100.0/24]"),
          "local preferences 100 and 200 are configured for prefix 198.51.100.0/24 by a and b" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void A_conflict_is_refused_with_a_reason_naming_both_configurations(string first, string second, string reason)
    {
        const string profiles = "[{name: p1}, {name: p2}]";
        var plan = Plan(Join(Frr("a", first, bfdProfiles: profiles), Frr("b", second, bfdProfiles: profiles)), "node");
        Assert.False(plan.Valid);
        var error = Assert.Single(plan.Errors, e => e.Message.Contains("cannot merge"));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Unset_values_equal_to_the_defaults_and_a_BFD_profile_on_one_side_only_merge()
    {
        var plan = Plan(Join(
            Frr("a", Router("[{address: 10.0.0.5, asn: 64505, holdTime: 90s, bfdProfile: p1}]"), bfdProfiles: "[{name: p1}]"),
            Frr("b", Router("[{address: 10.0.0.5, asn: 64505, port: 179}]"))), "node");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var session = Session(plan, "10.0.0.5");
        Assert.Equal("p1", session.BfdProfile);
        Assert.Equal(TimeSpan.FromSeconds(90), session.HoldTime);
    }

    [Fact]
    public void Neighbors_routers_and_advertised_prefixes_unite()
    {
        var plan = Plan(Join(
            Frr("a", Router("[{address: 10.0.0.5, asn: 64505, toAdvertise: {allowed: {prefixes: [198.51.100.0/24]}}}]", ", prefixes: [198.51.100.0/24]")),
            Frr("b", Router("[{address: 10.0.0.5, asn: 64505, toAdvertise: {allowed: {prefixes: [203.0.113.0/24]}}}, {address: 10.0.0.6, asn: 64506}]", ", id: 10.9.9.9, prefixes: [203.0.113.0/24]")),
            Frr("c", Router("[{address: 10.0.0.7, asn: 64507}]", ", vrf: red"))), "node");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var node = NodeOf(plan);
        Assert.Equal(["10.0.0.5", "10.0.0.6", "10.0.0.7"], node.Sessions.Select(s => s.Address.ToString()).Order());
        Assert.Equal("red", Session(plan, "10.0.0.7").Vrf);
        Assert.Equal(IPAddress.Parse("10.9.9.9"), Session(plan, "10.0.0.5").RouterId);
        Assert.Equal(["198.51.100.0/24", "203.0.113.0/24"], node.Announcements.Where(a => a.Peer == "10.0.0.5").Select(a => a.Prefix.ToString()));
        Assert.DoesNotContain(node.Announcements, a => a.Peer == "10.0.0.6");
    }

    public static TheoryData<string, string, string> ReceiveUnions => new()
    {
        // first toReceive, second toReceive, merged filter
        { "{allowed: {prefixes: [{prefix: 10.1.0.0/16}]}}", "{allowed: {prefixes: [{prefix: 10.2.0.0/16, ge: 24, le: 28}]}}", "10.1.0.0/16,10.2.0.0/16 ge 24 le 28" },
        { "{allowed: {prefixes: [{prefix: 10.1.0.0/16}]}}", "{allowed: {mode: all}}", "all" },
        { "{allowed: {mode: all}}", "{allowed: {prefixes: [{prefix: 10.1.0.0/16}]}}", "all" },
        { "{allowed: {prefixes: [{prefix: 10.1.0.0/16, le: 24}]}}", "{allowed: {prefixes: [{prefix: 10.1.0.0/16, le: 24}]}}", "10.1.0.0/16 le 24" },
        { "{allowed: {prefixes: [{prefix: 10.1.0.0/16}]}}", "{}", "10.1.0.0/16" },
        { "{}", "{}", "none" },
    };

    [Theory]
    [MemberData(nameof(ReceiveUnions))]
    public void Receive_filters_unite_and_mode_all_wins(string first, string second, string merged)
    {
        var plan = Plan(Join(
            Frr("a", Router($"[{{address: 10.0.0.5, asn: 64505, toReceive: {first}}}]")),
            Frr("b", Router($"[{{address: 10.0.0.5, asn: 64505, toReceive: {second}}}]"))), "node");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(merged, Session(plan, "10.0.0.5").ToReceive.ToString());
    }

    [Fact]
    public void MetalLb_peers_accept_nothing_and_an_FRRConfiguration_for_the_same_neighbor_opens_them()
    {
        Assert.Same(ReceiveFilter.None, NodeOf(Plan(Join(Peer, Pool, Advertisement, Service("a")), "node")).Sessions.Single().ToReceive);
        var plan = Plan(Join(Peer, Pool, Advertisement, Service("a"),
            Frr("open", Router("[{address: 10.0.0.1, asn: 64501, toReceive: {allowed: {prefixes: [{prefix: 10.8.0.0/16, ge: 24}]}}}]"))), "node");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var session = NodeOf(plan).Sessions.Single();
        Assert.Equal("peer1", session.Peer);
        Assert.Equal("10.8.0.0/16 ge 24", session.ToReceive.ToString());
        Assert.Contains(NodeOf(plan).Announcements, a => a.Peer == "peer1" && a.Prefix.ToString() == "192.0.2.0/32");
    }

    [Theory]
    [InlineData("tor: a", true)]
    [InlineData("tor: b", false)]
    [InlineData("", false)]
    public void A_nodeSelector_that_does_not_match_the_node_ignores_the_configuration(string labels, bool selected)
    {
        var plan = Plan(Join(Node("node", labels), Frr("a", Router("[{address: 10.0.0.5, asn: 64505}]"), nodeSelector: "{matchLabels: {tor: a}}")), "node");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(selected, NodeOf(plan).Sessions.Any(s => s.Address.ToString() == "10.0.0.5"));
    }

    [Fact]
    public void An_empty_or_absent_nodeSelector_selects_every_node()
    {
        var plan = Plan(Join(Node("n1", "x: y"), Node("n2"),
            Frr("a", Router("[{address: 10.0.0.5, asn: 64505}]"), nodeSelector: "{}"),
            Frr("b", Router("[{address: 10.0.0.6, asn: 64506}]"))));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        foreach (var node in new[] { "n1", "n2" })
        {
            Assert.Equal(["10.0.0.5", "10.0.0.6"], NodeOf(plan, node).Sessions.Select(s => s.Address.ToString()).Order());
        }
    }

    [Fact]
    public void A_conflict_in_configurations_that_select_another_node_does_not_touch_this_one()
    {
        var plan = Plan(Join(Node("node", "tor: a"),
            Frr("a", Router("[{address: 10.0.0.5, asn: 64505}]")),
            Frr("b", Router("[{address: 10.0.0.5, asn: 64506}]"), nodeSelector: "{matchLabels: {tor: b}}")), "node");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(64505u, Session(plan, "10.0.0.5").PeerAsn);
    }

    [Theory]
    [InlineData("{prefix: 10.1.0.0/16, ge: 8}", "ge 8 must be between the prefix length 16 and 32")]
    [InlineData("{prefix: 10.1.0.0/16, le: 33}", "le 33 must be between the prefix length 16 and 32")]
    [InlineData("{prefix: 10.1.0.0/16, ge: 28, le: 24}", "ge 28 is bigger than le 24")]
    [InlineData("{prefix: 10.1.0/16}", "invalid prefix \"10.1.0/16\"")]
    public void An_invalid_receive_selector_is_an_error_naming_its_field(string selector, string message)
    {
        var plan = Plan(Frr("a", Router($"[{{address: 10.0.0.5, asn: 64505, toReceive: {{allowed: {{prefixes: [{selector}]}}}}}}]")), "node");
        var error = Assert.Single(plan.Errors);
        Assert.Equal("spec.bgp.routers[0].neighbors[0].toReceive.allowed.prefixes[0]", error.Field);
        Assert.Equal("a", error.Name);
        Assert.Contains(message, error.Message);
    }
}

/// <summary>FRR prefix-list matching as toReceive uses it: exact length unless ge/le.</summary>
public class ReceiveFilterTests
{
    public static TheoryData<string, int?, int?, string, bool> Matches => new()
    {
        { "10.1.0.0/16", null, null, "10.1.0.0/16", true },
        { "10.1.0.0/16", null, null, "10.1.2.0/24", false },
        { "10.1.0.0/16", 24, null, "10.1.2.0/24", true },
        { "10.1.0.0/16", 24, null, "10.1.2.4/32", true },
        { "10.1.0.0/16", 24, null, "10.1.0.0/16", false },
        { "10.1.0.0/16", null, 24, "10.1.0.0/16", true },
        { "10.1.0.0/16", null, 24, "10.1.2.0/24", true },
        { "10.1.0.0/16", null, 24, "10.1.2.0/25", false },
        { "10.1.0.0/16", 20, 24, "10.1.16.0/20", true },
        { "10.1.0.0/16", 20, 24, "10.1.0.0/18", false },
        { "10.1.0.0/16", 20, 24, "10.2.0.0/20", false },
        { "10.1.0.0/16", null, 32, "10.0.0.0/8", false },
        { "2001:db8::/32", 48, 64, "2001:db8:1::/48", true },
        { "2001:db8::/32", 48, 64, "10.1.0.0/16", false },
    };

    [Theory]
    [MemberData(nameof(Matches))]
    public void Prefix_list_semantics(string prefix, int? ge, int? le, string candidate, bool accepted)
    {
        var filter = ReceiveFilter.Of([new ReceivePrefix(IPNetwork.Parse(prefix), ge, le)]);
        Assert.Equal(accepted, filter.Accepts(IPNetwork.Parse(candidate)));
        Assert.True(ReceiveFilter.All.Accepts(IPNetwork.Parse(candidate)));
        Assert.False(ReceiveFilter.None.Accepts(IPNetwork.Parse(candidate)));
    }

    [Fact]
    public void Equal_filters_are_equal_whatever_the_order()
    {
        var a = ReceiveFilter.Of([new(IPNetwork.Parse("10.1.0.0/16")), new(IPNetwork.Parse("10.0.0.0/8"), 24)]);
        var b = ReceiveFilter.Of([new(IPNetwork.Parse("10.0.0.0/8"), 24), new(IPNetwork.Parse("10.1.0.0/16")), new(IPNetwork.Parse("10.1.0.0/16"))]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, ReceiveFilter.None);
        Assert.NotEqual(ReceiveFilter.All, ReceiveFilter.None);
    }
}
