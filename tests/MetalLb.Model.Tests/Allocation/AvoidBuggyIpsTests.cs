using BgpKit.MetalLb.Model.Allocation;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Allocation;

/// <summary>
/// METALLB.md "IPAddressPool": with avoidBuggyIPs an IPv4 address ending in .0 or .255 is never assigned from
/// the pool, not automatically and not on request (upstream's poolFor passes over the pool, so the request
/// fails with "is not allowed in config"). IPv6 addresses are not concerned (upstream's ipConfusesBuggyFirmwares
/// looks at IPv4 only).
/// </summary>
public class AvoidBuggyIpsTests
{
    private static string PoolNamed(string name, string addresses, bool avoidBuggyIps = true) =>
        $"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: {name}}}\nspec: {{addresses: [{addresses}], avoidBuggyIPs: {(avoidBuggyIps ? "true" : "false")}}}";

    private static string Held(string name, string ips, string? annotations = null, string extraSpec = "") =>
        Service(name, annotations: annotations, extraSpec: extraSpec) + $"\nstatus: {{loadBalancer: {{ingress: [{string.Join(", ", ips.Split(',').Select(ip => $"{{ip: '{ip}'}}"))}]}}}}";

    private static ClusterAllocation Allocate(ClusterAllocation? previous, params string[] documents)
    {
        var result = ClusterAllocator.Allocate(Parse(Join(documents)), previous);
        Assert.True(result.ConfigurationValid, string.Join("\n", result.Errors));
        return result;
    }

    private static ServiceAllocationStatus Web(ClusterAllocation result) => result.Service("default", "web")!;

    private static string Refusal(string address, string pool) =>
        $"Failed to allocate IP for \"default/web\": \"{address}\" is not allowed in config: IPAddressPool {pool} has avoidBuggyIPs, which never assigns an IPv4 address ending in .0 or .255";

    [Theory]
    [InlineData("metallb.io/loadBalancerIPs: 192.0.2.0", "", "192.0.2.0")]
    [InlineData("metallb.io/loadBalancerIPs: 192.0.2.255", "", "192.0.2.255")]
    [InlineData("metallb.universe.tf/loadBalancerIPs: 192.0.3.0", "", "192.0.3.0")]
    [InlineData(null, "loadBalancerIP: 192.0.2.0", "192.0.2.0")]
    [InlineData(null, "loadBalancerIP: 192.0.3.255", "192.0.3.255")]
    public void A_requested_dot_0_or_dot_255_is_refused_with_a_reason(string? annotations, string extraSpec, string address)
    {
        var web = Web(Allocate(null, PoolNamed("edge", "192.0.2.0/23"), Service("web", annotations: annotations, extraSpec: extraSpec)));
        Assert.Equal(AllocationOutcome.Failed, web.Outcome);
        Assert.Equal(Refusal(address, "edge"), web.Reason);
        Assert.Empty(web.Addresses);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("192.0.2.254")]
    [InlineData("192.0.3.128")]
    public void A_requested_address_that_is_not_buggy_is_assigned(string address)
    {
        var web = Web(Allocate(null, PoolNamed("edge", "192.0.2.0/23"), Service("web", annotations: $"metallb.io/loadBalancerIPs: {address}")));
        Assert.Equal(AllocationOutcome.Allocated, web.Outcome);
        Assert.Equal(address, Assert.Single(web.Addresses).ToString());
    }

    [Fact]
    public void Without_avoidBuggyIPs_a_requested_dot_0_is_assigned()
    {
        var web = Web(Allocate(null, PoolNamed("edge", "192.0.2.0/24", avoidBuggyIps: false), Service("web", extraSpec: "loadBalancerIP: 192.0.2.0")));
        Assert.Equal("192.0.2.0", Assert.Single(web.Addresses).ToString());
    }

    [Fact]
    public void A_slash_31_entry_gives_only_its_dot_254()
    {
        var result = Allocate(null, PoolNamed("edge", "10.0.0.254/31"), Service("a"), Service("b"), Service("web", annotations: "metallb.io/loadBalancerIPs: 10.0.0.255"));
        Assert.Equal("10.0.0.254", Assert.Single(result.Service("default", "a")!.Addresses).ToString());
        Assert.Equal("Failed to allocate IP for \"default/b\": no available IPs", result.Service("default", "b")!.Reason);
        Assert.Equal(Refusal("10.0.0.255", "edge"), Web(result).Reason);
        Assert.Equal(new PoolAllocationStatus("edge", 1, 0, 0, 0), result.Pool("edge"));
    }

    [Fact]
    public void A_slash_32_entry_on_dot_0_gives_nothing_and_other_entries_still_serve()
    {
        var result = Allocate(null, PoolNamed("edge", "10.0.1.0/32, 10.0.2.7/32"),
            Service("a"), Service("b"), Service("web", annotations: "metallb.io/loadBalancerIPs: 10.0.1.0"));
        Assert.Equal("10.0.2.7", Assert.Single(result.Service("default", "a")!.Addresses).ToString());
        Assert.Equal("Failed to allocate IP for \"default/b\": no available IPs", result.Service("default", "b")!.Reason);
        Assert.Equal(Refusal("10.0.1.0", "edge"), Web(result).Reason);
    }

    [Theory]
    [InlineData("2001:db8::")]
    [InlineData("2001:db8::ff")]
    [InlineData("2001:db8::100")]
    public void IPv6_addresses_are_not_concerned(string address)
    {
        // "zauto" sorts after "web": the requested address is taken first.
        var result = Allocate(null, PoolNamed("v6", "'2001:db8::/119'"),
            Service("web", annotations: $"metallb.io/loadBalancerIPs: '{address}'", extraSpec: "ipFamilyPolicy: SingleStack\nipFamilies: [IPv6]"),
            Service("zauto", extraSpec: "ipFamilyPolicy: SingleStack\nipFamilies: [IPv6]"));
        Assert.Equal(address, Assert.Single(Web(result).Addresses).ToString());
        Assert.Equal(address == "2001:db8::" ? "2001:db8::1" : "2001:db8::", Assert.Single(result.Service("default", "zauto")!.Addresses).ToString());
    }

    [Fact]
    public void A_dual_stack_request_with_a_buggy_IPv4_address_fails_whole()
    {
        var web = Web(Allocate(null, PoolNamed("dual", "192.0.2.0/24, '2001:db8::/120'"),
            Service("web", annotations: "metallb.io/loadBalancerIPs: '2001:db8::5,192.0.2.255'", extraSpec: "ipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]")));
        Assert.Equal(Refusal("192.0.2.255", "dual"), web.Reason);
        Assert.Empty(web.Addresses);
    }

    [Fact]
    public void A_requested_pool_does_not_lift_the_rule()
    {
        var web = Web(Allocate(null, PoolNamed("edge", "192.0.2.0/24"),
            Service("web", annotations: "metallb.io/address-pool: edge, metallb.io/loadBalancerIPs: 192.0.2.0")));
        Assert.Equal(Refusal("192.0.2.0", "edge"), web.Reason);
    }

    [Fact]
    public void A_service_holding_dot_0_when_avoidBuggyIPs_is_turned_on_gets_a_new_address()
    {
        // As upstream: Assign of the held address fails (ClearAssignment), and the service is allocated anew.
        var before = Allocate(null, PoolNamed("edge", "192.0.2.0/24", avoidBuggyIps: false), Service("web"));
        Assert.Equal("192.0.2.0", Assert.Single(Web(before).Addresses).ToString());

        var after = Allocate(before, PoolNamed("edge", "192.0.2.0/24"), Held("web", "192.0.2.0", "metallb.io/ip-allocated-from-pool: edge"));
        var web = Web(after);
        Assert.Equal(AllocationOutcome.Allocated, web.Outcome);
        Assert.Equal("192.0.2.1", Assert.Single(web.Addresses).ToString());
        Assert.True(web.AddressesChanged);

        // A controller restart with the status already showing .0 does the same.
        var restarted = Allocate(null, PoolNamed("edge", "192.0.2.0/24"), Held("web", "192.0.2.0"));
        Assert.Equal("192.0.2.1", Assert.Single(Web(restarted).Addresses).ToString());
    }

    [Fact]
    public void A_service_that_holds_and_requests_dot_0_when_avoidBuggyIPs_is_turned_on_fails_and_is_cleared()
    {
        const string request = "metallb.io/loadBalancerIPs: 192.0.2.0";
        var before = Allocate(null, PoolNamed("edge", "192.0.2.0/24", avoidBuggyIps: false), Held("web", "192.0.2.0", request));
        Assert.Equal(AllocationOutcome.Allocated, Web(before).Outcome);

        var web = Web(Allocate(before, PoolNamed("edge", "192.0.2.0/24"), Held("web", "192.0.2.0", request)));
        Assert.Equal(AllocationOutcome.Failed, web.Outcome);
        Assert.Equal(Refusal("192.0.2.0", "edge"), web.Reason);
        Assert.Empty(web.Addresses);
        Assert.True(web.AddressesChanged); // the held .0 is released and its status cleared
    }

    [Fact]
    public void A_held_IPv6_address_ending_in_ff_is_kept()
    {
        var result = Allocate(null, PoolNamed("v6", "'2001:db8::/120'"),
            Held("web", "2001:db8::ff", extraSpec: "ipFamilyPolicy: SingleStack\nipFamilies: [IPv6]"));
        Assert.Equal("2001:db8::ff", Assert.Single(Web(result).Addresses).ToString());
        Assert.False(Web(result).AddressesChanged);
    }

    [Fact]
    public void The_plan_shows_the_refusal()
    {
        var plan = Plan(Join(Peer, PoolNamed("pool1", "192.0.2.0/24"), Advertisement, Service("web", annotations: "metallb.io/loadBalancerIPs: 192.0.2.255")), node: "n1");
        var web = plan.Services.Single(s => s.Name == "web");
        Assert.Equal(Refusal("192.0.2.255", "pool1"), web.Error);
        Assert.Empty(web.Addresses);
    }
}
