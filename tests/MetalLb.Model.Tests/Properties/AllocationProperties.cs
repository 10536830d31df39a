using BgpKit.MetalLb.Model.Allocation;
using BgpKit.MetalLb.Model.Resources;
using FsCheck;
using FsCheck.Fluent;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Properties;

/// <summary>The issue's properties of allocation and announcement, over random scenarios with a fixed seed.</summary>
public class AllocationProperties
{
    private static readonly Config Replay = Config.QuickThrowOnFailure.WithReplay(20261121UL, 5UL).WithMaxTest(60);

    private static Arbitrary<Scenario> Scenarios => Gen.Choose(0, int.MaxValue / 2).Select(Scenario.Build).ToArbitrary();

    private static Dictionary<string, ServiceAllocationResult> Allocate(string yaml)
    {
        var config = Validate(yaml);
        return Allocator.AllocateAll(config, config.Manifests.Services).Services.ToDictionary(p => p.Key, p => p.Value);
    }

    [Fact]
    public void No_address_is_given_to_two_services_unless_sharing_allows_it()
    {
        Check.One(Replay, Prop.ForAll(Scenarios, scenario =>
        {
            var results = Allocate(scenario.Yaml).Values.Where(r => r.Allocated).ToList();
            foreach (var group in results.SelectMany(r => r.Addresses.Select(a => (a, r))).GroupBy(x => x.a))
            {
                var users = group.Select(x => x.r.Request).ToList();
                for (int i = 0; i < users.Count; i++)
                {
                    for (int j = i + 1; j < users.Count; j++)
                    {
                        var (a, b) = (users[i], users[j]);
                        Assert.True(a.SharingKey is not null && a.SharingKey == b.SharingKey, $"{a.Key} and {b.Key} share {group.Key} without a common key (seed {scenario.Seed})");
                        Assert.False(a.Service.Ports.Intersect(b.Service.Ports).Any(), $"{a.Key} and {b.Key} use one port on {group.Key}");
                        Assert.True(!(a.IsLocal || b.IsLocal) || a.BackendKey == b.BackendKey, $"{a.Key} and {b.Key}: ETP Local with different selectors");
                    }
                }
            }
            return true;
        }));
    }

    [Fact]
    public void Every_address_lies_in_its_pool_and_honours_avoidBuggyIPs()
    {
        Check.One(Replay, Prop.ForAll(Scenarios, scenario =>
            Allocate(scenario.Yaml).Values.Where(r => r.Allocated).All(r =>
                r.Addresses.All(a => r.Pool!.Contains(a) && !(r.Pool.Resource.AvoidBuggyIps && a.IsBuggy)))));
    }

    [Fact]
    public void Allocation_is_independent_of_input_order()
    {
        Check.One(Replay, Prop.ForAll(Scenarios, scenario =>
        {
            string Summary(string yaml) => string.Join(";", Allocate(yaml).OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}={p.Value.Pool?.Name}:{string.Join(",", p.Value.Addresses)}:{p.Value.Error}"));
            return Summary(scenario.Yaml) == Summary(scenario.Shuffled(scenario.Seed));
        }));
    }

    [Fact]
    public void Incremental_changes_touch_no_other_service_and_equal_a_full_recomputation()
    {
        Check.One(Replay, Prop.ForAll(Scenarios, scenario =>
        {
            if (scenario.Services.Count == 0)
            {
                return true;
            }
            var state = State(scenario.Yaml);
            var last = Parse(scenario.Services[^1]).Services.Single();
            var before = Held(state);
            state.Remove(last.Key);
            var after = Held(state);
            Assert.True(before.Where(p => p.Key != last.Key).All(p => after.TryGetValue(p.Key, out var a) && a.SequenceEqual(p.Value)), "removing one service moved another");
            // A service whose allocation failed is not retried when another one leaves (as upstream's
            // controller): compare against a full plan of the services that hold addresses.
            var failed = state.Allocator.Services.Where(p => !p.Value.Allocated).Select(p => $"name: {p.Key.Split('/')[1]}\n").ToList();
            var withoutLast = Validate(Join(scenario.Yaml.Split("\n---\n").Where(d => d != scenario.Services[^1] && !failed.Any(d.Contains)).ToArray()));
            Assert.True(SamePlan(state.ToPlan(), BgpKit.MetalLb.Model.Planning.PlanState.Build(withoutLast, null, after).ToPlan()), "removal differs from a full plan");
            state.Upsert(last);
            var readded = Held(state);
            Assert.True(after.All(p => readded[p.Key].SequenceEqual(p.Value)), "adding one service moved another");
            failed = state.Allocator.Services.Where(p => !p.Value.Allocated).Select(p => $"name: {p.Key.Split('/')[1]}\n").ToList();
            var all = Validate(Join(scenario.Yaml.Split("\n---\n").Where(d => !failed.Any(d.Contains)).ToArray()));
            return SamePlan(state.ToPlan(), BgpKit.MetalLb.Model.Planning.PlanState.Build(all, null, readded).ToPlan());
        }));
    }

    private static Dictionary<string, IReadOnlyList<System.Net.IPAddress>> Held(BgpKit.MetalLb.Model.Planning.PlanState state) =>
        state.Allocator.Services.Where(p => p.Value.Allocated).ToDictionary(p => p.Key, p => (IReadOnlyList<System.Net.IPAddress>)p.Value.Addresses.Select(a => a.ToAddress()).ToList());

    private static bool SamePlan(ClusterPlan a, ClusterPlan b) =>
        a.Services.Where(s => s.Addresses.Count > 0).Select(s => $"{s.Namespace}/{s.Name}={string.Join(",", s.Addresses)}")
            .SequenceEqual(b.Services.Where(s => s.Addresses.Count > 0).Select(s => $"{s.Namespace}/{s.Name}={string.Join(",", s.Addresses)}"))
        && a.Nodes.Zip(b.Nodes).All(n => Routes(n.First).SequenceEqual(Routes(n.Second)));

    private static IEnumerable<string> Routes(NodePlan node) =>
        node.Announcements.Select(r => $"{r.Peer} {r.Prefix} {r.LocalPref} {string.Join(",", r.Communities)}");

    [Fact]
    public void An_aggregate_is_announced_iff_some_announced_address_lies_inside_it_and_peers_get_exactly_what_advertisements_select()
    {
        Check.One(Replay, Prop.ForAll(Scenarios, scenario =>
        {
            var state = State(scenario.Yaml);
            var config = state.Config;
            var expected = new HashSet<string>();
            foreach (var (key, allocation) in state.Allocator.Services.Where(p => p.Value.Allocated))
            {
                var service = state.Services.Single(s => s.Key == key);
                foreach (var ad in config.Advertisements.Where(a => a.Pools.Contains(allocation.Pool!.Name)))
                {
                    foreach (var peer in config.Peers.Where(p => ad.SelectsPeer(p.Name)))
                    {
                        // MetalLB 0.15: a peer gets its own address family only, both with dualStackAddressFamily.
                        foreach (var address in allocation.Addresses.Where(a => BgpKit.MetalLb.Model.Planning.PlanState.CarriesFamily(peer, a.IsV6)))
                        {
                            expected.Add($"{peer.Name} {IpBlock.Create(address, ad.AggregationFor(address.IsV6))}");
                        }
                    }
                }
            }
            var actual = state.NodePlan("node").Announcements.Select(a => $"{a.Peer} {a.Prefix}").ToHashSet();
            var announced = state.Allocator.Services.Values.Where(r => r.Allocated).SelectMany(r => r.Addresses).ToList();
            bool aggregatesCovered = state.NodePlan("node").Announcements.All(a =>
                announced.Any(x => IpBlock.TryParse(a.Prefix.ToString(), out var block) && block.Contains(x)));
            return expected.SetEquals(actual) && aggregatesCovered;
        }));
    }
}
