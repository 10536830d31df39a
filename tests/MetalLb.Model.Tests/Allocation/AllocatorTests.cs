using BgpKit.MetalLb.Model.Allocation;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Allocation;

/// <summary>One test per rule of METALLB.md "Allocation".</summary>
public class AllocatorTests
{
    private static string PoolWith(string name, string addresses, string extra = "", string labels = "") => $$"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: {{name}}
          namespace: metallb-system
          labels: {{{labels}}}
        spec: {addresses: [{{addresses}}]{{extra}}}
        """;

    private static Dictionary<string, ServiceAllocationResult> Allocate(params string[] documents)
    {
        var config = Validate(Join(documents));
        Assert.True(config.IsValid, string.Join("\n", config.Problems));
        return Allocator.AllocateAll(config, config.Manifests.Services).Services.ToDictionary(p => p.Key, p => p.Value);
    }

    private static string Addresses(ServiceAllocationResult result) => string.Join(",", result.Addresses);

    [Fact]
    public void Lowest_free_address_first_in_name_order()
    {
        var result = Allocate(PoolWith("a", "10.0.0.0/30"), Service("b"), Service("a"), Service("c"));
        Assert.Equal("10.0.0.0", Addresses(result["default/a"]));
        Assert.Equal("10.0.0.1", Addresses(result["default/b"]));
        Assert.Equal("10.0.0.2", Addresses(result["default/c"]));
        Assert.Equal("a", result["default/a"].Pool!.Name);
    }

    [Fact]
    public void AvoidBuggyIPs_skips_dot_0_and_dot_255_but_not_IPv6()
    {
        var result = Allocate(PoolWith("a", "10.0.0.255-10.0.1.1, '2001:db8::/127'", ", avoidBuggyIPs: true"),
            Service("x"), Service("y", extraSpec: "ipFamilyPolicy: SingleStack\nipFamilies: [IPv6]"));
        Assert.Equal("10.0.1.1", Addresses(result["default/x"]));
        Assert.Equal("2001:db8::", Addresses(result["default/y"]));
    }

    [Fact]
    public void Requested_address_must_be_in_a_pool_with_upstream_event_text()
    {
        var result = Allocate(PoolWith("a", "10.0.0.0/24"), Service("web", annotations: "metallb.io/loadBalancerIPs: 4.3.2.1"));
        Assert.Equal("Failed to allocate IP for \"default/web\": \"4.3.2.1\" is not allowed in config", result["default/web"].Error);
    }

    [Fact]
    public void Requested_address_by_annotation_or_spec_but_not_both()
    {
        var result = Allocate(PoolWith("a", "10.0.0.0/24"),
            Service("one", annotations: "metallb.io/loadBalancerIPs: 10.0.0.7"),
            Service("two", extraSpec: "loadBalancerIP: 10.0.0.8"),
            Service("three", annotations: "metallb.io/loadBalancerIPs: 10.0.0.9", extraSpec: "loadBalancerIP: 10.0.0.9"),
            Service("four", annotations: "metallb.io/loadBalancerIPs: '10.0.0.10,10.0.0.11'"));
        Assert.Equal("10.0.0.7", Addresses(result["default/one"]));
        Assert.Equal("10.0.0.8", Addresses(result["default/two"]));
        Assert.Contains("can not have both", result["default/three"].Error);
        Assert.Contains("at most one address per IP family", result["default/four"].Error);
    }

    [Fact]
    public void Requested_pool_ignores_autoAssign_and_legacy_annotation_is_accepted()
    {
        var result = Allocate(PoolWith("auto", "10.0.0.0/24"), PoolWith("manual", "10.1.0.0/24", ", autoAssign: false"),
            Service("a", annotations: "metallb.io/address-pool: manual"),
            Service("b", annotations: "metallb.universe.tf/address-pool: manual"),
            Service("c"),
            Service("d", annotations: "metallb.io/address-pool: missing"));
        Assert.Equal("10.1.0.0", Addresses(result["default/a"]));
        Assert.Equal("10.1.0.1", Addresses(result["default/b"]));
        Assert.Equal("10.0.0.0", Addresses(result["default/c"]));
        Assert.Contains("unknown pool \"missing\"", result["default/d"].Error);
    }

    [Fact]
    public void Legacy_annotation_produces_a_warning_in_the_plan()
    {
        var plan = Plan(Join(PoolWith("a", "10.0.0.0/24"), Service("b", annotations: "metallb.universe.tf/address-pool: a")));
        Assert.Contains(plan.Warnings, w => w.Message.Contains("deprecated"));
    }

    [Fact]
    public void Service_allocation_priority_then_name_then_general_pools()
    {
        var result = Allocate(
            PoolWith("z-general", "10.9.0.0/24"),
            PoolWith("b-prio10", "10.2.0.0/24", ", serviceAllocation: {priority: 10, namespaces: [shop]}"),
            PoolWith("a-prio10", "10.1.0.0/24", ", serviceAllocation: {priority: 10, namespaces: [shop]}"),
            PoolWith("c-prio5", "10.3.0.0/32", ", serviceAllocation: {priority: 5, namespaces: [shop]}"),
            PoolWith("d-unset", "10.4.0.0/24", ", serviceAllocation: {namespaces: [shop]}"),
            Service("first", "shop"), Service("second", "shop"), Service("other", "default"));
        Assert.Equal("10.3.0.0", Addresses(result["shop/first"]));
        Assert.Equal("10.1.0.0", Addresses(result["shop/second"]));
        Assert.Equal("10.9.0.0", Addresses(result["default/other"]));
    }

    [Fact]
    public void Service_allocation_with_only_priority_matches_everything_and_selectors_restrict()
    {
        var result = Allocate(
            PoolWith("general", "10.9.0.0/24"),
            PoolWith("any", "10.1.0.0/32", ", serviceAllocation: {priority: 1}"),
            PoolWith("labelled", "10.2.0.0/24", ", serviceAllocation: {priority: 0, serviceSelectors: [{matchLabels: {tier: gold}}]}"),
            PoolWith("ns-selected", "10.3.0.0/24", ", serviceAllocation: {priority: 0, namespaceSelectors: [{matchLabels: {team: red}}]}"),
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: red, labels: {team: red}}",
            Service("gold", labels: "tier: gold"), Service("plain"), Service("plain2"), Service("r", "red"),
            Service("pinned", annotations: "metallb.io/address-pool: labelled"));
        Assert.Equal("10.2.0.0", Addresses(result["default/gold"]));
        Assert.Equal("10.1.0.0", Addresses(result["default/plain"]));
        Assert.Equal("10.9.0.0", Addresses(result["default/plain2"]));
        Assert.Equal("10.3.0.0", Addresses(result["red/r"]));
        Assert.Contains("does not allow", result["default/pinned"].Error);
    }

    [Fact]
    public void AutoAssign_false_pools_are_not_used_automatically()
    {
        var result = Allocate(PoolWith("manual", "10.1.0.0/24", ", autoAssign: false"), Service("a"));
        Assert.Equal("Failed to allocate IP for \"default/a\": no available IPs", result["default/a"].Error);
    }

    [Fact]
    public void Exhausted_pool()
    {
        var result = Allocate(PoolWith("tiny", "10.1.0.0/32"), Service("a", annotations: "metallb.io/address-pool: tiny"), Service("b", annotations: "metallb.io/address-pool: tiny"));
        Assert.Equal("10.1.0.0", Addresses(result["default/a"]));
        Assert.Equal("Failed to allocate IP for \"default/b\": no available IPs in pool \"tiny\"", result["default/b"].Error);
    }

    [Theory]
    [InlineData("RequireDualStack", "[IPv4, IPv6]", "dual", "10.0.0.0,2001:db8::")]
    [InlineData("RequireDualStack", "[IPv6, IPv4]", "dual", "2001:db8::,10.0.0.0")]
    [InlineData("PreferDualStack", "[IPv4, IPv6]", "v4only", "10.5.0.0")]
    [InlineData("RequireDualStack", "[IPv4, IPv6]", "v4only", "")]
    [InlineData("SingleStack", "[IPv6]", "dual", "2001:db8::")]
    public void Dual_stack_from_one_pool(string policy, string families, string pool, string expected)
    {
        var result = Allocate(PoolWith("dual", "10.0.0.0/24, '2001:db8::/120'", ", autoAssign: false"), PoolWith("v4only", "10.5.0.0/24", ", autoAssign: false"),
            Service("s", annotations: $"metallb.io/address-pool: {pool}", extraSpec: $"ipFamilyPolicy: {policy}\nipFamilies: {families}"));
        Assert.Equal(expected, Addresses(result["default/s"]));
    }

    [Fact]
    public void Sharing_needs_the_same_key_and_distinct_ports()
    {
        string Shared(string name, string key, string port, string protocol) => Service(name, annotations: $"metallb.io/allow-shared-ip: {key}, metallb.io/loadBalancerIPs: 10.0.0.5")
            .Replace("ports: [{port: 80, protocol: TCP}]", $"ports: [{{port: {port}, protocol: {protocol}}}]");
        var result = Allocate(PoolWith("a", "10.0.0.0/24"),
            Shared("a-tcp", "k", "53", "TCP"), Shared("b-udp", "k", "53", "UDP"), Shared("c-tcp-again", "k", "53", "TCP"), Shared("d-other-key", "j", "80", "TCP"),
            Service("e-unshared", annotations: "metallb.io/loadBalancerIPs: 10.0.0.5"));
        Assert.Equal("10.0.0.5", Addresses(result["default/a-tcp"]));
        Assert.Equal("10.0.0.5", Addresses(result["default/b-udp"]));
        Assert.Contains("port TCP/53 is already in use", result["default/c-tcp-again"].Error);
        Assert.Contains("can't change sharing key", result["default/d-other-key"].Error);
        Assert.Contains("can't change sharing key", result["default/e-unshared"].Error);
    }

    [Fact]
    public void Sharing_with_local_policy_needs_the_same_selector()
    {
        string Local(string name, string app, int port) => Service(name, annotations: "metallb.io/allow-shared-ip: k, metallb.io/loadBalancerIPs: 10.0.0.5",
            extraSpec: $"externalTrafficPolicy: Local\nselector: {{app: {app}}}").Replace("port: 80,", $"port: {port},");
        var result = Allocate(PoolWith("a", "10.0.0.0/24"), Local("a", "x", 1), Local("b", "x", 2), Local("c", "y", 3));
        Assert.True(result["default/b"].Allocated);
        Assert.Contains("selectors must match", result["default/c"].Error);
    }

    [Fact]
    public void Automatic_allocation_joins_a_compatible_shared_address()
    {
        var result = Allocate(PoolWith("a", "10.0.0.0/24"),
            Service("a", annotations: "metallb.io/allow-shared-ip: k"),
            Service("b", annotations: "metallb.io/allow-shared-ip: k").Replace("port: 80,", "port: 81,"));
        Assert.Equal("10.0.0.0", Addresses(result["default/a"]));
        Assert.Equal("10.0.0.0", Addresses(result["default/b"]));
    }

    [Fact]
    public void Existing_allocations_are_kept_rehomed_or_released()
    {
        string Held(string name, string ip) => Service(name) + $"\nstatus: {{loadBalancer: {{ingress: [{{ip: {ip}}}]}}}}";
        var result = Allocate(PoolWith("a", "10.0.0.0/24"), PoolWith("b", "10.1.0.0/24"),
            Service("a-new"), Held("z-kept", "10.0.0.0"), Held("y-rehomed", "10.1.0.9"), Held("x-gone", "10.7.0.1"));
        Assert.Equal("10.0.0.0", Addresses(result["default/z-kept"]));
        Assert.Equal("10.1.0.9", Addresses(result["default/y-rehomed"]));
        Assert.Equal("b", result["default/y-rehomed"].Pool!.Name);
        // Released (no pool contains 10.7.0.1) and reallocated after the services that kept theirs.
        Assert.Equal("10.0.0.1", Addresses(result["default/a-new"]));
        Assert.Equal("10.0.0.2", Addresses(result["default/x-gone"]));
    }

    [Fact]
    public void Configuration_state_keeps_allocations_across_changes_and_refuses_invalid_ones()
    {
        var state = new ConfigurationState(new PlanOptions { Node = "n1" });
        var first = state.Apply(Parse(Join(Peer, PoolWith("pool1", "10.0.0.0/24"), Advertisement, Service("b"), Service("c"))));
        Assert.True(first.Applied);
        Assert.Equal("10.0.0.1", first.InForce!.Services.Single(s => s.Name == "c").Addresses[0].ToString());
        // "a" sorts first but must not take b's or c's address.
        var second = state.Apply(Parse(Join(Peer, PoolWith("pool1", "10.0.0.0/24"), Advertisement, Service("a"), Service("b"), Service("c"))));
        Assert.True(second.Applied);
        Assert.Equal(["10.0.0.2", "10.0.0.0", "10.0.0.1"], second.InForce!.Services.Select(s => s.Addresses[0].ToString()));
        var broken = state.Apply(Parse(Join(Peer, PoolWith("pool1", "10.0.0.0/33"), Advertisement, Service("a"))));
        Assert.False(broken.Applied);
        Assert.Same(second.InForce, broken.InForce);
        Assert.NotEmpty(broken.Candidate.Errors);
    }

    [Fact]
    public void Non_LoadBalancer_and_foreign_class_services_are_ignored()
    {
        var config = Validate(Join(PoolWith("a", "10.0.0.0/24"),
            "apiVersion: v1\nkind: Service\nmetadata: {name: cip, namespace: default}\nspec: {type: ClusterIP}",
            Service("other", extraSpec: "loadBalancerClass: example.com/lb")));
        Assert.Empty(Allocator.AllocateAll(config, config.Manifests.Services).Services);
    }
}
