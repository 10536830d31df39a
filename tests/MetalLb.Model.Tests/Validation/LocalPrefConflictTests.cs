using BgpKit.MetalLb.Model.Validation;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Validation;

/// <summary>
/// METALLB.md "BGPAdvertisement": two advertisements of one pool with different localPref conflict only when
/// they send the same prefix, which needs the same family and the same aggregation length for that family
/// (upstream's BGPAdvertisementsHaveCompatibleLocalPref and isAggrLengthDifferent).
/// </summary>
public class LocalPrefConflictTests
{
    private static string PoolNamed(string name, string addresses) =>
        $"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: {name}}}\nspec: {{addresses: [{addresses}]}}";

    private static string Adv(string name, string spec) =>
        $"apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {{name: {name}}}\nspec: {{{spec}}}";

    private static List<Problem> Conflicts(params string[] documents)
    {
        var config = Validate(Join([Peer, .. documents]));
        Assert.DoesNotContain(config.Problems, p => p.Severity == ProblemSeverity.Error && p.Field != "spec.localPref");
        return config.Problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();
    }

    private const string V4 = "192.0.2.0/24";
    private const string V6 = "'2001:db8::/120'";
    private const string Dual = "192.0.2.0/24, '2001:db8::/120'";
    private const string DualWide = "192.0.2.0/24, '2001:db8::/32'";

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // An IPv4-only pool: aggregationLengthV6 is irrelevant, its default 128 on both sides must not count.
        { "IPv4 pool, lengths 32 and 24", V4, "localPref: 100", "localPref: 200, aggregationLength: 24" },
        { "IPv4 pool, lengths 24 and 25", V4, "localPref: 100, aggregationLength: 24", "localPref: 200, aggregationLength: 25" },
        { "IPv4 pool, both 32 (defaults)", V4, "localPref: 100", "localPref: 200" },
        { "IPv4 pool, both 24", V4, "localPref: 100, aggregationLength: 24", "localPref: 200, aggregationLength: 24" },
        { "IPv4 pool, equal IPv4, different IPv6", V4, "localPref: 100, aggregationLength: 24, aggregationLengthV6: 64", "localPref: 200, aggregationLength: 24" },
        // An IPv6-only pool: the other way round.
        { "IPv6 pool, lengths 128 and 124", V6, "localPref: 100", "localPref: 200, aggregationLengthV6: 124" },
        { "IPv6 pool, both 124", V6, "localPref: 100, aggregationLengthV6: 124", "localPref: 200, aggregationLengthV6: 124, aggregationLength: 24" },
        // A dual-stack pool sends prefixes of both families: one equal length is enough.
        { "dual-stack pool, IPv4 differs, IPv6 equal", Dual, "localPref: 100", "localPref: 200, aggregationLength: 24" },
        { "dual-stack pool, IPv6 differs, IPv4 equal", Dual, "localPref: 100", "localPref: 200, aggregationLengthV6: 124" },
        { "dual-stack pool, both differ", Dual, "localPref: 100", "localPref: 200, aggregationLength: 24, aggregationLengthV6: 124" },
        // An IPv4 length that happens to equal an IPv6 one is not the same prefix.
        { "IPv4 32 vs IPv6 32 on a dual-stack pool", DualWide, "localPref: 100, aggregationLengthV6: 64", "localPref: 200, aggregationLength: 24, aggregationLengthV6: 32" },
    };

    // The expected outcome per case: null = no conflict, else the family and length that clash.
    private static readonly Dictionary<string, string?> Expected = new()
    {
        ["IPv4 pool, lengths 32 and 24"] = null,
        ["IPv4 pool, lengths 24 and 25"] = null,
        ["IPv4 pool, both 32 (defaults)"] = "IPv4 aggregation length 32",
        ["IPv4 pool, both 24"] = "IPv4 aggregation length 24",
        ["IPv4 pool, equal IPv4, different IPv6"] = "IPv4 aggregation length 24",
        ["IPv6 pool, lengths 128 and 124"] = null,
        ["IPv6 pool, both 124"] = "IPv6 aggregation length 124",
        ["dual-stack pool, IPv4 differs, IPv6 equal"] = "IPv6 aggregation length 128",
        ["dual-stack pool, IPv6 differs, IPv4 equal"] = "IPv4 aggregation length 32",
        ["dual-stack pool, both differ"] = null,
        ["IPv4 32 vs IPv6 32 on a dual-stack pool"] = null,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Different_localPref_conflicts_only_on_the_same_prefix(string rule, string addresses, string first, string second)
    {
        var errors = Conflicts(PoolNamed("pool1", addresses), Adv("adv1", $"ipAddressPools: [pool1], {first}"), Adv("adv2", $"ipAddressPools: [pool1], {second}"));
        if (Expected[rule] is not { } clash)
        {
            Assert.True(errors.Count == 0, $"{rule}:\n{string.Join("\n", errors)}");
            return;
        }
        var error = Assert.Single(errors);
        Assert.Equal(("BGPAdvertisement", "adv2", "spec.localPref"), (error.Kind, error.Name, error.Field));
        Assert.Equal(
            $"invalid local preference 200: local preference 100 was already set for the same type of BGP update by BGPAdvertisement adv1 (IPAddressPool pool1, {clash} in both, the same peer and node)",
            error.Message);
    }

    [Fact]
    public void Advertisements_of_an_IPv4_pool_and_an_IPv6_pool_never_conflict()
    {
        // Each length is 32, in its own family.
        Assert.Empty(Conflicts(PoolNamed("v4", V4), PoolNamed("v6", "'2001:db8::/32'"),
            Adv("adv1", "ipAddressPools: [v4], localPref: 100"), Adv("adv2", "ipAddressPools: [v6], localPref: 200, aggregationLengthV6: 32")));
        // One advertisement of both pools against one of the IPv6 pool only, both lengths different there.
        Assert.Empty(Conflicts(PoolNamed("v4", V4), PoolNamed("v6", "'2001:db8::/32'"),
            Adv("adv1", "localPref: 100"), Adv("adv2", "ipAddressPools: [v6], localPref: 200, aggregationLengthV6: 32")));
    }

    [Fact]
    public void Among_several_shared_pools_the_one_with_equal_lengths_is_named()
    {
        // Both advertise both pools; their IPv4 lengths differ, their IPv6 lengths (default 128) do not.
        var error = Assert.Single(Conflicts(PoolNamed("a-v4", V4), PoolNamed("b-v6", V6),
            Adv("adv1", "ipAddressPools: [a-v4, b-v6], localPref: 100, aggregationLength: 24"), Adv("adv2", "ipAddressPools: [a-v4, b-v6], localPref: 200")));
        Assert.Contains("(IPAddressPool b-v6, IPv6 aggregation length 128 in both", error.Message);
    }

    [Fact]
    public void Equal_lengths_still_need_a_common_peer_and_no_serviceSelectors()
    {
        var peer2 = "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: peer2}\nspec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.2}";
        Assert.Empty(Conflicts(peer2, PoolNamed("pool1", V4),
            Adv("adv1", "ipAddressPools: [pool1], localPref: 100, peers: [peer1]"), Adv("adv2", "ipAddressPools: [pool1], localPref: 200, peers: [peer2]")));
        Assert.Empty(Conflicts(PoolNamed("pool1", V4),
            Adv("adv1", "ipAddressPools: [pool1], localPref: 100"), Adv("adv2", "ipAddressPools: [pool1], localPref: 200, serviceSelectors: [{matchLabels: {tier: gold}}]")));
    }

    [Fact]
    public void Lengths_that_differ_announce_both_prefixes_each_with_its_own_localPref()
    {
        var ibgp = "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: ibgp}\nspec: {myASN: 64500, peerASN: 64500, peerAddress: 10.0.0.9}";
        var plan = Plan(Join(ibgp, PoolNamed("pool1", V4), Adv("host", "ipAddressPools: [pool1], localPref: 100"), Adv("agg", "ipAddressPools: [pool1], localPref: 200, aggregationLength: 24"),
            Service("web")), node: "n1");
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        Assert.Equal(["192.0.2.0/24 200", "192.0.2.0/32 100"],
            plan.Nodes.Single().Announcements.Select(a => $"{a.Prefix} {a.LocalPref}").Order(StringComparer.Ordinal));
    }
}
