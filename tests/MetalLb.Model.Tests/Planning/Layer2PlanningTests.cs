using System.Net;
using System.Security.Cryptography;
using System.Text;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Planning;

/// <summary>Layer 2 mode: the candidate nodes of each Service (L2Advertisement nodeSelectors and interfaces, exclusion, endpoints) and MetalLB's owner election.</summary>
public class Layer2PlanningTests
{
    private static string PoolNamed(string name, string addresses) => $"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: {name}}}\nspec: {{addresses: [{addresses}]}}";

    private static string L2(string name, string spec) => $"apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {{name: {name}}}\nspec: {{{spec}}}";

    private static string Node(string name, string labels = "") => $"apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{labels}}}}}";

    private static string Slice(string service, params string[] nodes) =>
        $"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {{name: {service}-x, namespace: default, labels: {{kubernetes.io/service-name: {service}}}}}\nendpoints:\n"
        + string.Concat(nodes.Select(n => $"- {{addresses: [10.244.0.1], nodeName: {n}, conditions: {{ready: true}}}}\n"));

    [Fact]
    public void NodeSelectors_exclusion_and_interfaces_decide_the_candidates()
    {
        var plan = Plan(Join(PoolNamed("lan", "198.51.100.0/24"),
            L2("eth", "ipAddressPools: [lan], interfaces: [eth1], nodeSelectors: [{matchLabels: {zone: a}}]"),
            L2("more", "ipAddressPoolSelectors: [{matchLabels: {none: none}}], interfaces: [eth9]"),
            L2("bond", "ipAddressPools: [lan], interfaces: [bond0, eth1], nodeSelectors: [{matchLabels: {zone: a}}, {matchLabels: {zone: b}}]"),
            Node("n1", "zone: a"), Node("n2", "zone: b"), Node("n3", "zone: c"), Node("n4", "zone: a, node.kubernetes.io/exclude-from-external-load-balancers: ''"),
            Service("web"), Slice("web", "n3")));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var web = Assert.Single(plan.Layer2);
        Assert.Equal(["bond", "eth"], web.Advertisements);
        Assert.Equal(["n1 bond0,eth1", "n2 bond0,eth1"], web.Candidates.Select(c => $"{c.Node} {string.Join(",", c.Interfaces)}"));
        Assert.Contains("do not select this node", web.Reasons["n3"]);
        Assert.Contains("exclude-from-external-load-balancers", web.Reasons["n4"]);
        Assert.True(web.Candidates[1].Allows("bond0"));
        Assert.False(web.Candidates[1].Allows("eth9"));
    }

    [Fact]
    public void An_advertisement_without_interfaces_allows_every_interface()
    {
        var plan = Plan(Join(PoolNamed("lan", "198.51.100.0/24"), L2("some", "interfaces: [eth1]"), L2("all", ""), Node("n1"), Service("web"), Slice("web", "n1")));
        var candidate = Assert.Single(Assert.Single(plan.Layer2).Candidates);
        Assert.Empty(candidate.Interfaces);
        Assert.True(candidate.Allows("anything0"));
    }

    [Fact]
    public void Endpoints_decide_with_externalTrafficPolicy_Local_and_without_them_no_node_may_announce()
    {
        var plan = Plan(Join(PoolNamed("lan", "198.51.100.0/24"), L2("l2", ""), Node("n1"), Node("n2"),
            Service("local", extraSpec: "externalTrafficPolicy: Local"), Slice("local", "n2"), Service("idle")));
        var local = plan.Layer2.Single(s => s.Name == "local");
        Assert.Equal(["n2"], local.Candidates.Select(c => c.Node));
        Assert.Contains("externalTrafficPolicy Local", local.Reasons["n1"]);
        var idle = plan.Layer2.Single(s => s.Name == "idle");
        Assert.Empty(idle.Candidates);
        Assert.Equal("the service has no serving endpoint", idle.Reasons["n1"]);
        Assert.Null(idle.Owner(new HashSet<string> { "n1", "n2" }));
    }

    [Fact]
    public void The_owner_is_the_live_candidate_first_by_sha256_of_node_hash_address()
    {
        var plan = Plan(Join(PoolNamed("lan", "198.51.100.0/24"), L2("l2", ""), Node("n1"), Node("n2"), Node("n3"),
            Service("web"), Slice("web", "n1", "n2", "n3")));
        var web = Assert.Single(plan.Layer2);
        var address = web.Addresses[0];
        // MetalLB's sortL2Candidates: sha256(node + "#" + ip), bytewise ascending.
        var expected = new[] { "n1", "n2", "n3" }.OrderBy(n => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{n}#{address}"))), StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, Layer2Election.Order(["n3", "n1", "n2"], address));
        Assert.Equal(expected[0], web.Owner(new HashSet<string>(expected))!.Node);
        // The owner's speaker is gone: the next one in the order takes over; it comes back: it owns again.
        Assert.Equal(expected[1], web.Owner(new HashSet<string>(expected[1..]))!.Node);
        Assert.Equal(expected[0], web.Owner(new HashSet<string>(expected))!.Node);
        Assert.Null(web.Owner(new HashSet<string>()));
    }

    [Fact]
    public void Order_matches_sha256sum()
    {
        // printf 'node-1#192.0.2.1' | sha256sum = 1299c740..., printf 'node-2#192.0.2.1' | sha256sum = 80064378...
        Assert.Equal(["node-1", "node-2"], Layer2Election.Order(["node-2", "node-1"], IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void A_plan_for_one_node_still_lists_every_node_as_a_candidate()
    {
        // A speaker plans its own node only, but must elect among all of them to agree with the others.
        var plan = Plan(Join(PoolNamed("lan", "198.51.100.0/24"), L2("l2", ""), Node("n1"), Node("n2"), Service("web"), Slice("web", "n1", "n2")), node: "n2");
        Assert.Equal(["n1", "n2"], Assert.Single(plan.Layer2).Candidates.Select(c => c.Node));
    }
}
