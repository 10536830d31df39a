using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Planning;

/// <summary>
/// <see cref="AddressSource.ServiceStatus"/>: a speaker announces the addresses the controller wrote in
/// status.loadBalancer.ingress and allocates nothing; everything downstream plans as with allocation.
/// </summary>
public class StatusAddressesTests
{
    private static readonly PlanOptions Speaker = new() { Node = "n1", Addresses = AddressSource.ServiceStatus };

    private static string Held(string name, string ips, string? annotations = null, string extraSpec = "") =>
        Service(name, annotations: annotations, extraSpec: extraSpec) + $"\nstatus: {{loadBalancer: {{ingress: [{string.Join(", ", ips.Split(',').Select(ip => $"{{ip: {ip}}}"))}]}}}}";

    private static string PoolNamed(string name, string addresses) => $"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: {name}}}\nspec: {{addresses: [{addresses}]}}";

    private static string Adv(string name, string spec) => $"apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {{name: {name}}}\nspec: {{{spec}}}";

    private static ClusterPlan SpeakerPlan(params string[] documents) => MetalLbPlanner.Plan(Parse(Join(documents)), Speaker);

    private static List<string> Routes(ClusterPlan plan, string node = "n1") =>
        plan.Nodes.Single(n => n.Name == node).Announcements.Select(a => $"{a.Peer} {a.Prefix} lp={a.LocalPref?.ToString() ?? "-"} c={string.Join(",", a.Communities)}").ToList();

    [Fact]
    public void The_address_in_status_is_announced_not_the_one_allocation_would_choose()
    {
        var plan = SpeakerPlan(Peer, Pool, Advertisement, Held("web", "192.0.2.7", "metallb.io/ip-allocated-from-pool: pool1"));

        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var web = Assert.Single(plan.Services);
        Assert.Equal("192.0.2.7", Assert.Single(web.Addresses).ToString());
        Assert.Equal("pool1", web.Pool);
        Assert.Null(web.Error);
        Assert.Equal("announced to peer1 via BGPAdvertisement adv1", web.Announced["n1"]);
        Assert.Equal(["peer1 192.0.2.7/32 lp=- c="], Routes(plan));
    }

    [Fact]
    public void Two_services_the_controller_gave_one_address_are_both_announced_without_a_sharing_check()
    {
        // Sharing is the controller's decision; the speaker announces what it wrote, once.
        var plan = SpeakerPlan(Peer, Pool, Advertisement, Held("a", "192.0.2.9"), Held("b", "192.0.2.9"));

        Assert.All(plan.Services, s => Assert.Null(s.Error));
        Assert.Equal(["peer1 192.0.2.9/32 lp=- c="], Routes(plan));
    }

    [Fact]
    public void A_pool_annotation_that_does_not_contain_the_address_falls_back_to_the_pool_that_does()
    {
        var plan = SpeakerPlan(Peer, PoolNamed("blue", "192.0.2.0/24"), PoolNamed("green", "198.51.100.0/24"),
            Adv("blue-adv", "ipAddressPools: [blue], communities: ['64500:1']"), Adv("green-adv", "ipAddressPools: [green], communities: ['64500:2']"),
            Held("web", "198.51.100.4", "metallb.io/ip-allocated-from-pool: blue"));

        Assert.Equal("green", Assert.Single(plan.Services).Pool);
        Assert.Equal(["peer1 198.51.100.4/32 lp=- c=64500:2"], Routes(plan));
    }

    [Fact]
    public void An_address_in_no_pool_is_not_announced_and_the_plan_says_why()
    {
        var plan = SpeakerPlan(Peer, Pool, Advertisement, Held("web", "203.0.113.5", "metallb.io/ip-allocated-from-pool: pool1"));

        Assert.True(plan.Valid);
        var web = Assert.Single(plan.Services);
        Assert.Empty(web.Addresses);
        Assert.Equal("\"203.0.113.5\" in status.loadBalancer.ingress is not in any IPAddressPool (assigned IP not allowed by config)", web.Error);
        Assert.Equal("not announced: " + web.Error, web.Announced["n1"]);
        Assert.Empty(Routes(plan));
    }

    [Fact]
    public void Addresses_split_across_pools_are_not_announced()
    {
        var plan = SpeakerPlan(Peer, PoolNamed("v4", "192.0.2.0/24"), PoolNamed("v6", "2001:db8::/64"), Adv("adv", ""),
            Held("web", "192.0.2.1,2001:db8::1", extraSpec: "ipFamilyPolicy: PreferDualStack"));

        Assert.Contains("not all in one IPAddressPool", Assert.Single(plan.Services).Error);
        Assert.Empty(Routes(plan));
    }

    [Fact]
    public void A_service_without_ingress_is_not_announced_and_nothing_is_allocated_for_it()
    {
        var plan = SpeakerPlan(Peer, Pool, Advertisement, Service("web"));

        var web = Assert.Single(plan.Services);
        Assert.Empty(web.Addresses);
        Assert.Equal("not announced: no address in status.loadBalancer.ingress (the controller has not assigned one)", web.Announced["n1"]);
        Assert.Empty(Routes(plan));
    }

    [Fact]
    public void Aggregation_local_pref_communities_node_selection_and_ETP_Local_apply_as_with_allocation()
    {
        const string ibgp = "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: peer1}\nspec: {myASN: 64500, peerASN: 64500, peerAddress: 10.0.0.1}";
        string Node(string name, string labels) => $"apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{labels}}}}}";
        const string slice = "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: local-x, namespace: default, labels: {kubernetes.io/service-name: local}}\nendpoints:\n- {addresses: [10.244.0.1], nodeName: b, conditions: {ready: true}}";
        const string cluster = "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: agg-x, namespace: default, labels: {kubernetes.io/service-name: agg}}\nendpoints:\n- {addresses: [10.244.0.2], nodeName: a, conditions: {ready: true}}";
        string yaml = Join(ibgp, Pool,
            Adv("agg", "ipAddressPools: [pool1], aggregationLength: 24, localPref: 150, communities: [no-export], nodeSelectors: [{matchLabels: {bgp: 'yes'}}]"),
            Node("a", "bgp: 'yes'"), Node("b", "bgp: 'yes'"), Node("c", ""),
            Held("agg", "192.0.2.77"), Held("local", "192.0.2.200", extraSpec: "externalTrafficPolicy: Local"), slice, cluster);

        var plan = MetalLbPlanner.Plan(Parse(yaml), new PlanOptions { Addresses = AddressSource.ServiceStatus });

        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(["peer1 192.0.2.0/24 lp=150 c=65535:65281"], Routes(plan, "a"));
        Assert.Equal(["peer1 192.0.2.0/24 lp=150 c=65535:65281"], Routes(plan, "b"));
        Assert.Empty(Routes(plan, "c"));
        var local = plan.Services.Single(s => s.Name == "local");
        Assert.StartsWith("announced", local.Announced["b"], StringComparison.Ordinal);
        Assert.Equal("not announced: externalTrafficPolicy Local and no serving endpoint on this node", local.Announced["a"]);
    }

    [Fact]
    public void ConfigurationState_follows_the_status_and_keeps_nothing_the_controller_took_away()
    {
        var state = new ConfigurationState(Speaker);
        var first = state.Apply(Parse(Join(Peer, Pool, Advertisement, Held("web", "192.0.2.10"))));
        Assert.True(first.Applied);
        Assert.Equal(["peer1 192.0.2.10/32 lp=- c="], Routes(first.InForce!));

        // The controller moved the service: the speaker follows.
        var moved = state.UpsertServices(Parse(Held("web", "192.0.2.11")));
        Assert.Equal("192.0.2.11", Assert.Single(Assert.Single(moved).Addresses).ToString());
        Assert.Equal(["192.0.2.11/32"], state.Node("n1")!.Announcements.Select(a => a.Prefix.ToString()));

        // A new configuration with the status cleared: nothing is held over from before.
        var cleared = state.Apply(Parse(Join(Peer, Pool, Advertisement, Service("web"))));
        Assert.True(cleared.Applied);
        Assert.Empty(Assert.Single(cleared.InForce!.Services).Addresses);
        Assert.Empty(Routes(cleared.InForce!));
    }

    [Fact]
    public void A_dual_stack_status_is_announced_in_both_families()
    {
        var plan = SpeakerPlan(DualStackPeer, PoolNamed("ds", "192.0.2.0/24, 2001:db8::/64"), Adv("adv", ""),
            Held("web", "192.0.2.3,2001:db8::3", "metallb.io/ip-allocated-from-pool: ds", "ipFamilyPolicy: RequireDualStack"));

        Assert.Equal(["192.0.2.3", "2001:db8::3"], Assert.Single(plan.Services).Addresses.Select(a => a.ToString()));
        Assert.Equal(["192.0.2.3/32", "2001:db8::3/128"], plan.Nodes.Single().Announcements.Select(a => a.Prefix.ToString()).Order(StringComparer.Ordinal));
    }
}
