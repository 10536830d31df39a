using BgpKit.MetalLb.Kubernetes.Reconcile;
using FsCheck;
using FsCheck.Fluent;
using static BgpKit.MetalLb.Kubernetes.Tests.Reconcile.Intents;

namespace BgpKit.MetalLb.Kubernetes.Tests.Reconcile;

public sealed class IntentDiffTests
{
    [Fact]
    public void Same_intent_twice_is_no_change()
    {
        var a = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32", 100, Community(64512, 1))]);
        var b = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32", 100, Community(64512, 1))]);
        Assert.True(IntentDiff.Between(a, b).IsEmpty);
    }

    [Fact]
    public void A_changed_toReceive_alone_changes_the_filter_without_a_reset()
    {
        var open = Model.ReceiveFilter.Of([new(System.Net.IPNetwork.Parse("10.0.0.0/8"), null, 24)]);
        var a = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32")]);
        var b = new NodeIntent([Peer("r1") with { ToReceive = open }], [Route("r1", "10.0.0.1/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.False(diff.IsEmpty);
        Assert.Empty(diff.PeersReset);
        Assert.Empty(diff.RoutesAnnounced);
        Assert.Same(open, Assert.Single(diff.ReceiveChanged).ToReceive);
        Assert.True(IntentDiff.Between(b, new NodeIntent([Peer("r1") with { ToReceive = Model.ReceiveFilter.Of([new(System.Net.IPNetwork.Parse("10.0.0.0/8"), null, 24)]) }], [Route("r1", "10.0.0.1/32")])).IsEmpty);

        // With a reset the new session starts with the new filter: no separate change.
        var c = new NodeIntent([Peer("r1", peerAsn: 64999) with { ToReceive = Model.ReceiveFilter.All }], []);
        var reset = IntentDiff.Between(b, c);
        Assert.Single(reset.PeersReset);
        Assert.Empty(reset.ReceiveChanged);
    }

    [Fact]
    public void Added_service_announces_only_its_route()
    {
        var a = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32")]);
        var b = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32"), Route("r1", "10.0.0.2/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.Empty(diff.PeersAdded);
        Assert.Empty(diff.PeersRemoved);
        Assert.Empty(diff.RoutesWithdrawn);
        Assert.Equal(["10.0.0.2/32"], diff.RoutesAnnounced.Select(r => r.Prefix.ToString()));
    }

    [Fact]
    public void Changed_community_reannounces_without_withdraw()
    {
        var a = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32", null, Community(64512, 1)), Route("r1", "10.0.0.2/32")]);
        var b = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32", null, Community(64512, 2)), Route("r1", "10.0.0.2/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.Empty(diff.RoutesWithdrawn);
        var route = Assert.Single(diff.RoutesAnnounced);
        Assert.Equal([Community(64512, 2)], route.Communities);
    }

    [Fact]
    public void Community_order_and_duplicates_do_not_matter()
    {
        var a = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32", null, Community(1, 1), Community(1, 2))]);
        var b = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32", null, Community(1, 2), Community(1, 1), Community(1, 2))]);
        Assert.True(IntentDiff.Between(a, b).IsEmpty);
    }

    [Fact]
    public void Removed_peer_is_removed_and_its_routes_go_with_it_while_others_are_untouched()
    {
        var a = new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")], [Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32")]);
        var b = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.Equal(["r2"], diff.PeersRemoved.Select(p => p.Name));
        Assert.Empty(diff.PeersAdded);
        Assert.Empty(diff.RoutesWithdrawn);
        Assert.Empty(diff.RoutesAnnounced);
    }

    [Fact]
    public void Changed_session_parameter_resets_that_session_with_all_its_routes()
    {
        var a = new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")], [Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32")]);
        var b = new NodeIntent([Peer("r1", password: "s3cret"), Peer("r2", "127.0.0.3")], [Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.Empty(diff.PeersRemoved);
        Assert.Empty(diff.PeersAdded);
        var reset = Assert.Single(diff.PeersReset);
        Assert.Equal((a.Peers["r1"], b.Peers["r1"]), (reset.Previous, reset.Next));
        Assert.Equal(["r1"], diff.RoutesAnnounced.Select(r => r.Peer));
        Assert.Empty(diff.RoutesWithdrawn);
    }

    [Fact]
    public void Changed_local_asn_or_router_id_resets_exactly_the_sessions_that_carry_it()
    {
        var r1 = Peer("r1");
        var r2 = Peer("r2", "127.0.0.3");
        var routes = new[] { Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32") };
        var a = new NodeIntent([r1, r2], routes);

        var asn = IntentDiff.Between(a, new NodeIntent([r1 with { MyAsn = 64999 }, r2], routes));
        Assert.Equal(["r1"], asn.PeersReset.Select(p => p.Next.Name));
        Assert.Equal(64999u, asn.PeersReset[0].Next.MyAsn);

        var routerId = IntentDiff.Between(a, new NodeIntent([r1, r2 with { RouterId = System.Net.IPAddress.Parse("10.0.0.9") }], routes));
        Assert.Equal(["r2"], routerId.PeersReset.Select(p => p.Next.Name));
        Assert.Equal(["r2"], routerId.RoutesAnnounced.Select(r => r.Peer));
        Assert.Empty(routerId.PeersRemoved);
        Assert.Empty(routerId.PeersAdded);
    }

    [Fact]
    public void Changed_bfd_profile_alone_does_not_restart_bgp()
    {
        var a = new NodeIntent([Peer("r1", bfd: new BfdIntent { ProfileName = "fast" })], [Route("r1", "10.0.0.1/32")]);
        var b = new NodeIntent([Peer("r1", bfd: new BfdIntent { ProfileName = "fast", DetectMultiplier = 5 })], [Route("r1", "10.0.0.1/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.Empty(diff.PeersRemoved);
        Assert.Empty(diff.PeersAdded);
        Assert.Equal(["r1"], diff.BfdChanged.Select(p => p.Name));
        Assert.Empty(diff.RoutesAnnounced);
    }

    [Fact]
    public void Changed_kernel_route_setting_alone_applies_to_the_running_session()
    {
        var a = new NodeIntent([Peer("r1")], [Route("r1", "10.0.0.1/32")]);
        var b = new NodeIntent([Peer("r1") with { InstallReceived = true }], [Route("r1", "10.0.0.1/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.Empty(diff.PeersReset);
        Assert.Empty(diff.RoutesAnnounced);
        Assert.True(Assert.Single(diff.BfdChanged).InstallReceived);
    }

    [Fact]
    public void Route_leaving_the_plan_is_withdrawn_only_there()
    {
        var a = new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")], [Route("r1", "10.0.0.1/32"), Route("r2", "10.0.0.1/32")]);
        var b = new NodeIntent([Peer("r1"), Peer("r2", "127.0.0.3")], [Route("r2", "10.0.0.1/32")]);
        var diff = IntentDiff.Between(a, b);
        Assert.Equal([new RouteKey("r1", System.Net.IPNetwork.Parse("10.0.0.1/32"))], diff.RoutesWithdrawn);
        Assert.Empty(diff.RoutesAnnounced);
    }

    [Fact]
    public void Password_never_appears_in_ToString()
    {
        var peer = Peer("r1", password: "hunter2");
        Assert.DoesNotContain("hunter2", peer.ToString());
        Assert.Contains("password set", peer.ToString());
    }

    [Fact]
    public void Diff_applied_in_order_reaches_the_next_intent_property()
    {
        // For random pairs of intents, replaying the diff on the first gives the second.
        var prefixes = Enumerable.Range(1, 6).Select(i => $"10.0.0.{i}/32").ToArray();
        var peers = new[] { "r1", "r2", "r3" };
        var gen = Gen.Choose(0, int.MaxValue / 64).Select(seed => (From: Build(seed), To: Build(seed * 31 + 7)));
        NodeIntent Build(int seed)
        {
            var random = new Random(seed);
            var chosen = peers.Where(_ => random.Next(3) > 0).Select(p => Peer(p, password: random.Next(4) == 0 ? "x" : null))
                .Select(p => random.Next(3) == 0 ? p with { ToReceive = Model.ReceiveFilter.All } : p).ToArray();
            var routes = chosen.SelectMany(p => prefixes.Where(_ => random.Next(2) == 0)
                .Select(x => Route(p.Name, x, (uint)random.Next(2) * 100, Community(1, (ushort)random.Next(3)))));
            return new NodeIntent(chosen, routes);
        }
        var property = Prop.ForAll(gen.ToArbitrary(), pair =>
        {
            var (from, to) = pair;
            var diff = IntentDiff.Between(from, to);
            var peersNow = from.Peers.Values.ToDictionary(p => p.Name);
            var routesNow = from.Routes.Values.ToDictionary(r => r.Key);
            foreach (var p in diff.PeersRemoved)
            {
                peersNow.Remove(p.Name);
                foreach (var key in routesNow.Keys.Where(k => k.Peer == p.Name).ToList())
                {
                    routesNow.Remove(key);
                }
            }
            foreach (var p in diff.PeersReset)
            {
                peersNow[p.Next.Name] = p.Next;
                foreach (var key in routesNow.Keys.Where(k => k.Peer == p.Next.Name).ToList())
                {
                    routesNow.Remove(key);
                }
            }
            foreach (var key in diff.RoutesWithdrawn)
            {
                Assert.True(routesNow.Remove(key));
            }
            foreach (var p in diff.PeersAdded)
            {
                peersNow.Add(p.Name, p);
            }
            foreach (var r in diff.BfdChanged.Concat(diff.ReceiveChanged))
            {
                peersNow[r.Name] = r;
            }
            foreach (var r in diff.RoutesAnnounced)
            {
                routesNow[r.Key] = r;
            }
            return peersNow.Values.OrderBy(p => p.Name).SequenceEqual(to.Peers.Values.OrderBy(p => p.Name))
                && routesNow.Count == to.Routes.Count && to.Routes.All(r => routesNow.TryGetValue(r.Key, out var v) && v.Equals(r.Value));
        });
        Check.One(Config.QuickThrowOnFailure.WithReplay(20261121UL, 7UL).WithMaxTest(200), property);
    }
}
