using BgpKit.MetalLb.Model.Planning;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model.Tests.Seeds;

/// <summary>
/// Every YAML example of /work/shared/seeds, extracted at run time, planned on its own. Examples with
/// mistakes (a real user would copy them) list the errors the plan must report; all others must be
/// valid. Several examples are also combined as their documents intend.
/// </summary>
public class SeedExampleTests
{
    private const string Bgp = "000_d758af731ad93c83.txt", BgpRendered = "001_c98691b13dec8f10.txt", Advanced = "002_ac234636b56c5e2b.txt",
        OpenShift = "003_0209080f5d8c5722.txt", Production = "004_1f090b6ca66c08da.txt";

    /// <summary>The mistakes in the seeds, by example, and a fragment of each error the plan reports.</summary>
    private static readonly Dictionary<string, string[]> Mistakes = new()
    {
        // Three documents pasted without "---" between them (the rendered page dropped the separators).
        [$"{Advanced}:13"] = ["Duplicate key apiVersion"],
        // Upstream's own doc writes "localpref" (the field is localPref) and uses an alias with no Community defining it.
        [$"{Advanced}:190"] = ["unknown field \"localpref\"; did you mean \"localPref\"?", "invalid community 'vpn-only'"],
        // PDF callout numbers left in the YAML ("labels: 1", "zone: east 1", "... 2").
        [$"{OpenShift}:49"] = ["metadata.labels: expected a map"],
        [$"{OpenShift}:115"] = ["unknown field \"zone\"", "invalid range \"192.168.100.1-192.168.100.254 2\""],
        [$"{OpenShift}:178"] = ["missing name", "unknown field \"name\""],
        [$"{OpenShift}:233"] = ["not valid YAML"],
        [$"{OpenShift}:265"] = ["not valid YAML"],
        // nodeSelector for nodeSelectors.
        [$"{OpenShift}:517"] = ["unknown field \"nodeSelector\"; did you mean \"nodeSelectors\"?"],
        [$"{OpenShift}:785"] = ["not valid YAML"],
        [$"{OpenShift}:1512"] = ["invalid community 'NO_ADVERTISE 1'"],
        [$"{OpenShift}:1694"] = ["not valid YAML"],
        [$"{OpenShift}:1902"] = ["not valid YAML"],
        [$"{OpenShift}:2023"] = ["not valid YAML"],
        [$"{OpenShift}:2057"] = ["not valid YAML"],
        // FRRConfiguration examples with neighbors, toReceive, prefixes, ge/le at the wrong level.
        [$"{OpenShift}:2123"] = ["spec.bgp.neighbors: unknown field \"neighbors\"", "spec.bgp.toReceive: unknown field"],
        [$"{OpenShift}:2176"] = ["spec.bgp.neighbors: unknown field"],
        [$"{OpenShift}:2204"] = ["unknown field \"routers\""],
        [$"{OpenShift}:2239"] = ["toAdvertise.prefixes: unknown field \"prefixes\"", "mode \"all 1\""],
        [$"{OpenShift}:2274"] = ["toReceive.allowed.ge: unknown field \"ge\"", "toReceive.allowed.le: unknown field \"le\""],
        [$"{OpenShift}:2332"] = ["spec.bgp.neighbors: unknown field", "spec.bfdProfiles: unknown field"],
        [$"{OpenShift}:2366"] = ["spec.nodeSelector.labelSelector: unknown field"],
        // The operator's MetalLB resource is not a configuration kind.
        [$"{OpenShift}:2145"] = ["unknown kind MetalLB"],
        [$"{OpenShift}:2496"] = ["unknown kind MetalLB"],
        // Advertisements naming Community resources where an alias is needed.
        [$"{Production}:384"] = ["invalid community 'production-community'", "invalid community 'high-priority-community'"],
        [$"{Production}:500"] = ["invalid community 'production-community'", "invalid community 'backup-community'"],
        [$"{Production}:597"] = ["use one of its aliases (dc1-primary)", "use one of its aliases (dc1-secondary)", "use one of its aliases (dc2-primary)", "use one of its aliases (dc2-secondary)"],
    };

    public static TheoryData<string> ExampleIds => new(SeedExamples.All().Select(e => e.Id));

    private static SeedExample Example(string id) => SeedExamples.All().Single(e => e.Id == id);

    private static ManifestSet Parse(params string[] ids) =>
        ids.Select(id => ManifestSet.Parse(Example(id).Yaml, id)).Aggregate(new ManifestSet(), (all, one) => all.Add(one));

    [Fact]
    public void Every_seed_has_examples_and_every_listed_mistake_exists()
    {
        var all = SeedExamples.All();
        Assert.True(all.Count >= 80, $"only {all.Count} examples extracted");
        foreach (var seed in new[] { Bgp, BgpRendered, Advanced, OpenShift, Production })
        {
            Assert.Contains(all, e => e.Seed == seed);
        }
        Assert.All(Mistakes.Keys, id => Assert.Contains(all, e => e.Id == id));
    }

    [Theory]
    [MemberData(nameof(ExampleIds))]
    public void Example_is_valid_or_its_mistakes_are_reported(string id)
    {
        var plan = MetalLbPlanner.Plan(Parse(id));
        var errors = plan.Errors.Select(e => e.ToString()).ToList();
        if (Mistakes.TryGetValue(id, out var expected))
        {
            Assert.False(plan.Valid);
            foreach (var fragment in expected)
            {
                Assert.True(errors.Any(e => e.Contains(fragment, StringComparison.Ordinal)), $"{id}: no error containing '{fragment}' in:\n{string.Join("\n", errors)}");
            }
            Assert.All(plan.Errors, e => Assert.True(e.Line > 0, e.ToString()));
        }
        else
        {
            Assert.True(plan.Valid, $"{id}:\n{string.Join("\n", errors)}");
        }
    }

    [Fact]
    public void Specific_peers_for_a_given_pool_send_each_pool_to_its_peer()
    {
        // OpenShift's "Configure a specific set of BGP peers for a given address pool": pool1 -> peer1, pool2 -> peer2.
        var manifests = Parse($"{OpenShift}:959", $"{OpenShift}:982", $"{OpenShift}:1006", $"{OpenShift}:1031", $"{OpenShift}:1056", $"{OpenShift}:1085");
        manifests.Add(ManifestSet.Parse(TestManifests.Join(
            TestManifests.Service("one", annotations: "metallb.io/address-pool: pool1"),
            TestManifests.Service("two", annotations: "metallb.io/address-pool: pool2"))));
        var plan = MetalLbPlanner.Plan(manifests, new PlanOptions { Node = "worker-0" });
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var one = plan.Services.Single(s => s.Name == "one").Addresses.Single();
        var two = plan.Services.Single(s => s.Name == "two").Addresses.Single();
        var routes = plan.Nodes.Single().Announcements;
        Assert.Equal(["peer1"], routes.Where(a => a.Prefix.Contains(one)).Select(a => a.Peer));
        Assert.Equal(["peer2"], routes.Where(a => a.Prefix.Contains(two)).Select(a => a.Peer));
    }

    [Fact]
    public void Production_peer_with_a_secret_name_in_password_is_warned()
    {
        // "BGP Peer with Authentication" puts the Secret's name into password, and the Secret is Opaque.
        var plan = MetalLbPlanner.Plan(Parse($"{Production}:209", $"{Production}:235"));
        Assert.Contains(plan.Warnings, w => w.Kind == "BGPPeer" && w.Field == "spec.password" && w.Message.Contains("passwordSecret"));
        Assert.DoesNotContain(plan.Warnings.Concat(plan.Errors), p => p.ToString().Contains("your-secure-password"));
    }

    [Fact]
    public void Production_node_selectors_are_ORed_not_ANDed_as_the_comment_claims()
    {
        var manifests = Parse($"{Production}:257");
        manifests.Add(ManifestSet.Parse("apiVersion: v1\nkind: Node\nmetadata: {name: plain-linux, labels: {kubernetes.io/os: linux}}"));
        var plan = MetalLbPlanner.Plan(manifests);
        Assert.Equal(["router-edge-nodes"], plan.Nodes.Single().Sessions.Select(s => s.Peer));
    }

    [Fact]
    public void Production_multi_router_example_as_corrected_in_Examples()
    {
        var plan = MetalLbPlanner.Plan(ManifestSet.Load([Path.Combine(AppContext.BaseDirectory, "Examples", "production")]));
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var worker1 = plan.Nodes.Single(n => n.Name == "worker-1");
        Assert.Equal(4, worker1.Sessions.Count);
        Assert.All(worker1.Sessions, s => Assert.True(s.PasswordSet));
        Assert.All(worker1.Sessions, s => Assert.False(string.IsNullOrEmpty(s.RevealPassword())));
        Assert.All(worker1.Sessions, s => Assert.DoesNotContain(s.RevealPassword()!, s.ToString()));
        Assert.All(worker1.Announcements, a => Assert.Null(a.LocalPref)); // eBGP: no LOCAL_PREF
        Assert.Contains(worker1.Announcements, a => a.Peer == "dc2-router-secondary" && a.Prefix.ToString() == "10.100.0.2/32" && a.Communities.SequenceEqual(["64512:2200"]));
        Assert.Empty(plan.Nodes.Single(n => n.Name == "control-1").Announcements);
        Assert.StartsWith("not announced: node is labelled", plan.Services.Single(s => s.Name == "web").Announced["control-1"]);
        Assert.StartsWith("announced to", plan.Services.Single(s => s.Name == "api").Announced["worker-2"]);
        Assert.Contains("externalTrafficPolicy Local", plan.Services.Single(s => s.Name == "api").Announced["worker-1"]);
        Assert.Equal("10.100.0.53", plan.Services.Single(s => s.Name == "dns-udp").Addresses.Single().ToString());
    }

    [Fact]
    public void Dual_stack_seed_peers_with_a_dual_stack_pool()
    {
        var manifests = Parse($"{OpenShift}:1381");
        manifests.Add(ManifestSet.Parse(TestManifests.Join(
            "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: dual}\nspec: {addresses: [192.0.2.0/28, '2001:db8::/124']}",
            "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: all}",
            TestManifests.Service("web", extraSpec: "ipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]"))));
        var plan = MetalLbPlanner.Plan(manifests);
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var routes = plan.Nodes.Single().Announcements.Select(a => $"{a.Peer} {a.Prefix} {a.LocalPref}").ToList();
        // iBGP (myASN = peerASN): LOCAL_PREF 100; each family over the peer of that family, as MetalLB 0.15
        // (the seed's peers set no dualStackAddressFamily).
        Assert.Equal(["doc-example-dual-stack-ipv4 192.0.2.0/32 100", "doc-example-dual-stack-ipv6 2001:db8::/128 100"], routes);

        // With dualStackAddressFamily the IPv4 session carries IPv6 too (MP-BGP), and the other way round.
        var dual = ManifestSet.Parse(TestManifests.Join(
            "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: dual-v4}\nspec: {myASN: 64500, peerASN: 64500, peerAddress: 10.0.0.1, dualStackAddressFamily: true}",
            "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: dual}\nspec: {addresses: [192.0.2.0/28, '2001:db8::/124']}",
            "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: all}",
            TestManifests.Service("web", extraSpec: "ipFamilyPolicy: RequireDualStack\nipFamilies: [IPv4, IPv6]")));
        var dualPlan = MetalLbPlanner.Plan(dual);
        Assert.True(dualPlan.Valid, string.Join("\n", dualPlan.Errors));
        Assert.Equal(["dual-v4 192.0.2.0/32", "dual-v4 2001:db8::/128"], dualPlan.Nodes.Single().Announcements.Select(a => $"{a.Peer} {a.Prefix}"));
        Assert.False(dualPlan.Nodes.Single().Sessions.Single().DisableMp);
    }
}
