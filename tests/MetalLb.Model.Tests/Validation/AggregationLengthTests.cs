using BgpKit.MetalLb.Model.Validation;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Validation;

/// <summary>
/// METALLB.md "BGPAdvertisement": the aggregation length is checked against each address entry of a pool on
/// its own (upstream's validateBGPAdvPerPool), never against the pool's widest block, so that no aggregate
/// covers addresses the pool does not own.
/// </summary>
public class AggregationLengthTests
{
    private static string PoolNamed(string name, string addresses) =>
        $"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: {name}}}\nspec: {{addresses: [{addresses}]}}";

    private static string Adv(string spec, string name = "adv1") =>
        $"apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {{name: {name}}}\nspec: {{{spec}}}";

    private static List<Problem> AggregationErrors(params string[] documents) =>
        Validate(Join([Peer, .. documents])).Problems
            .Where(p => p.Severity == ProblemSeverity.Error && p.Field.StartsWith("spec.aggregationLength", StringComparison.Ordinal)).ToList();

    [Fact]
    public void A_small_entry_is_not_hidden_by_a_wider_one_in_the_same_pool()
    {
        // The pool's widest block is /24, but 1.2.3.0/28 aggregated to /26 would announce 1.2.3.16-1.2.3.63 too.
        var error = Assert.Single(AggregationErrors(PoolNamed("pool1", "10.0.0.0/24, 1.2.3.0/28"), Adv("ipAddressPools: [pool1], aggregationLength: 26")));
        Assert.Equal("spec.aggregationLength", error.Field);
        Assert.Equal("BGPAdvertisement", error.Kind);
        Assert.Equal("adv1", error.Name);
        Assert.Equal("invalid aggregation length 26: prefix 28 in this pool is more specific than the aggregation length for addresses 1.2.3.0/28 (IPAddressPool pool1); it must be at least 28", error.Message);
    }

    [Fact]
    public void Each_entry_too_narrow_for_the_length_is_reported_in_the_order_written()
    {
        const string addresses = "10.0.0.0/23, 10.0.4.0/24, 1.2.3.0/28";
        var wide = AggregationErrors(PoolNamed("pool1", addresses), Adv("ipAddressPools: [pool1], aggregationLength: 22"));
        Assert.Equal(["10.0.0.0/23", "10.0.4.0/24", "1.2.3.0/28"], wide.Select(e => e.Message.Split("for addresses ")[1].Split(' ')[0]));
        Assert.Equal(["at least 23", "at least 24", "at least 28"], wide.Select(e => e.Message[^11..]));

        // 24 is fine for the /23 and (exactly) for the /24; only the /28 is left.
        var narrow = Assert.Single(AggregationErrors(PoolNamed("pool1", addresses), Adv("ipAddressPools: [pool1], aggregationLength: 24")));
        Assert.Contains("for addresses 1.2.3.0/28", narrow.Message);
    }

    [Theory]
    [InlineData(28)] // exactly the smallest entry's length
    [InlineData(30)]
    [InlineData(32)]
    public void A_length_equal_to_or_longer_than_every_entry_is_valid(int length) =>
        Assert.Empty(AggregationErrors(PoolNamed("pool1", "10.0.0.0/24, 1.2.3.0/28"), Adv($"ipAddressPools: [pool1], aggregationLength: {length}")));

    [Theory]
    // 192.0.2.10-192.0.2.20 summarizes to .10/31, .12/30, .16/30, .20/32: its widest block is a /30.
    [InlineData("192.0.2.10-192.0.2.20", 30, null)]
    [InlineData("192.0.2.10-192.0.2.20", 29, "prefix 30 in this pool is more specific than the aggregation length for addresses 192.0.2.10-192.0.2.20")]
    // The range's own blocks count, not a CIDR next to it: the /24 allows 24, the range does not.
    [InlineData("198.51.100.0/24, ' 192.0.2.10 - 192.0.2.20 '", 24, "for addresses 192.0.2.10 - 192.0.2.20 (IPAddressPool pool1); it must be at least 30")]
    // An aligned range is one block: 192.0.2.0-192.0.2.255 is the /24.
    [InlineData("192.0.2.0-192.0.2.255", 24, null)]
    public void A_range_counts_by_its_summarized_blocks(string addresses, int length, string? fragment)
    {
        var errors = AggregationErrors(PoolNamed("pool1", addresses), Adv($"ipAddressPools: [pool1], aggregationLength: {length}"));
        if (fragment is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(fragment, Assert.Single(errors).Message);
        }
    }

    [Theory]
    [InlineData(64, "2001:db8:1::/120")]
    [InlineData(119, "2001:db8:1::/120")]
    [InlineData(120, null)]
    [InlineData(128, null)]
    public void IPv6_entries_are_checked_one_by_one_against_aggregationLengthV6(int length, string? offending)
    {
        var errors = AggregationErrors(PoolNamed("pool1", "'2001:db8::/64', '2001:db8:1::/120'"), Adv($"ipAddressPools: [pool1], aggregationLengthV6: {length}"));
        if (offending is null)
        {
            Assert.Empty(errors);
            return;
        }
        var error = Assert.Single(errors);
        Assert.Equal("spec.aggregationLengthV6", error.Field);
        Assert.Contains($"invalid aggregation length {length}: prefix 120", error.Message);
        Assert.Contains(offending, error.Message);
    }

    [Fact]
    public void A_dual_stack_pool_checks_each_family_with_its_own_length()
    {
        const string dual = "10.0.0.0/24, '2001:db8::/120', 1.2.3.0/28";
        Assert.Empty(AggregationErrors(PoolNamed("pool1", dual), Adv("aggregationLength: 28, aggregationLengthV6: 120")));

        // The IPv6 length never meets an IPv4 entry, nor the other way round.
        var v6 = Assert.Single(AggregationErrors(PoolNamed("pool1", dual), Adv("aggregationLength: 28, aggregationLengthV6: 112")));
        Assert.Equal("spec.aggregationLengthV6", v6.Field);
        Assert.Contains("2001:db8::/120", v6.Message);

        var v4 = Assert.Single(AggregationErrors(PoolNamed("pool1", dual), Adv("aggregationLength: 24, aggregationLengthV6: 120")));
        Assert.Equal("spec.aggregationLength", v4.Field);
        Assert.Contains("1.2.3.0/28", v4.Message);
    }

    [Fact]
    public void Every_pool_the_advertisement_selects_is_checked()
    {
        // No ipAddressPools: all pools. Only pool2's /28 is too narrow for 26.
        var error = Assert.Single(AggregationErrors(PoolNamed("pool1", "10.0.0.0/24"), PoolNamed("pool2", "1.2.3.0/28"), Adv("aggregationLength: 26")));
        Assert.Contains("(IPAddressPool pool2)", error.Message);

        // A pool the advertisement does not select is not its business.
        Assert.Empty(AggregationErrors(PoolNamed("pool1", "10.0.0.0/24"), PoolNamed("pool2", "1.2.3.0/28"), Adv("ipAddressPools: [pool1], aggregationLength: 26")));
    }

    [Fact]
    public void A_valid_aggregate_stays_inside_its_entry()
    {
        var plan = Plan(Join(Peer, PoolNamed("pool1", "10.0.0.0/24, 1.2.3.0/28"), Adv("ipAddressPools: [pool1], aggregationLength: 28"),
            Service("web", annotations: "metallb.io/loadBalancerIPs: 1.2.3.5"), Service("api", annotations: "metallb.io/loadBalancerIPs: 10.0.0.77")), node: "n1");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(["1.2.3.0/28", "10.0.0.64/28"], plan.Nodes.Single().Announcements.Select(a => a.Prefix.ToString()).Order(StringComparer.Ordinal));
    }
}
