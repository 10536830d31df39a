using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Model;
using static BgpKit.MetalLb.Kubernetes.Tests.Controller.ClusterObjects;

namespace BgpKit.MetalLb.Kubernetes.Tests.Controller;

public class ControllerPlannerTests
{
    private static IReadOnlyList<ClusterWrite> Plan(params ManifestDocument[] documents)
    {
        var snapshot = Snapshot(documents);
        var manifests = new ManifestSet();
        foreach (var document in snapshot.Documents)
        {
            manifests.Add(ManifestSet.Parse(document.Text, document.Origin, ReadMode.ApiServer));
        }
        var allocation = ClusterAllocator.Allocate(manifests);
        Assert.True(allocation.ConfigurationValid, allocation.ErrorSummary);
        return ControllerPlanner.Services(ObservedCluster.From(snapshot), allocation.Services);
    }

    [Fact]
    public void A_new_service_gets_its_address_its_pool_annotation_and_an_IPAllocated_event()
    {
        var writes = Plan(Pool("pool", "192.0.2.0/30"), Service("web"));
        Assert.Collection(writes,
            w => Assert.Equal(["192.0.2.0"], Assert.IsType<SetServiceIngress>(w).Addresses),
            w => Assert.Equal(("Normal", "IPAllocated", "Assigned IP [\"192.0.2.0\"]"),
                (((ServiceEvent)w).Type, ((ServiceEvent)w).Reason, ((ServiceEvent)w).Message)),
            w => Assert.Equal("pool", Assert.IsType<SetAllocatedPool>(w).Pool));
    }

    [Fact]
    public void A_Service_taking_an_address_another_gives_up_is_written_after_the_release()
    {
        // Found by tests/BgpKit.Simulation (seed 13): "b" moves to the address it now requests and "a" gets the one
        // "b" gives up. Written in name order, "a" took 192.0.2.0 while "b" still held it: watchers saw it twice.
        var writes = Plan(Pool("pool", "192.0.2.0/30"), Service("a"), Service("b", ingress: "192.0.2.0", pool: "pool", requested: "192.0.2.3"));
        var ingress = writes.OfType<SetServiceIngress>().ToList();
        Assert.Equal([("b", "192.0.2.3"), ("a", "192.0.2.0")], ingress.Select(w => (w.Service.Name, string.Join(",", w.Addresses))));
        Assert.Equal(["192.0.2.0"], ingress[0].Previous);
    }

    [Fact]
    public void Two_Services_swapping_addresses_are_written_so_that_no_address_is_ever_on_both()
    {
        // Found by tests/BgpKit.Simulation (seed 43143 of the 100,000-seed run): "a" asks for the address "b" holds
        // and "b" for the one "a" holds. Each took the other's address in name order, so "a" was written onto
        // 192.0.2.1 while "b" still held it. Now "a" first gives its address up, then "b" moves, then "a" does.
        var writes = Plan(Pool("pool", "192.0.2.0/30"),
            Service("a", ingress: "192.0.2.0", pool: "pool", requested: "192.0.2.1"),
            Service("b", ingress: "192.0.2.1", pool: "pool", requested: "192.0.2.0"));
        var ingress = writes.OfType<SetServiceIngress>().ToList();
        Assert.Equal([("a", ""), ("b", "192.0.2.0"), ("a", "192.0.2.1")], ingress.Select(w => (w.Service.Name, string.Join(",", w.Addresses))));
        Assert.Equal(["192.0.2.0"], ingress[0].Previous);
        Assert.Empty(ingress[2].Previous);

        // Replaying the writes in order over the observed status: no prefix puts an address on two Services.
        var held = new Dictionary<string, string[]> { ["a"] = ["192.0.2.0"], ["b"] = ["192.0.2.1"] };
        foreach (var write in ingress)
        {
            held[write.Service.Name] = [.. write.Addresses];
            var all = held.Values.SelectMany(a => a).ToList();
            Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void A_chain_of_takes_moves_from_its_far_end()
    {
        // "a" takes what "b" holds, "b" what "c" holds, "c" a free address: "c", then "b", then "a", no release needed.
        var writes = Plan(Pool("pool", "192.0.2.0/29"),
            Service("a", ingress: "192.0.2.0", pool: "pool", requested: "192.0.2.1"),
            Service("b", ingress: "192.0.2.1", pool: "pool", requested: "192.0.2.2"),
            Service("c", ingress: "192.0.2.2", pool: "pool", requested: "192.0.2.5"));
        var ingress = writes.OfType<SetServiceIngress>().ToList();
        Assert.Equal([("c", "192.0.2.5"), ("b", "192.0.2.2"), ("a", "192.0.2.1")], ingress.Select(w => (w.Service.Name, string.Join(",", w.Addresses))));
    }

    [Fact]
    public void A_service_whose_status_already_matches_gets_no_write()
    {
        Assert.Empty(Plan(Pool("pool", "192.0.2.0/30"), Service("web", ingress: "192.0.2.2", pool: "pool")));
    }

    [Fact]
    public void Addresses_already_in_status_are_kept_even_when_a_lower_one_is_free()
    {
        // A restarted controller sees the status it wrote before: nothing moves.
        var writes = Plan(Pool("pool", "192.0.2.0/30"), Service("a", ingress: "192.0.2.3", pool: "pool"), Service("b", ingress: "192.0.2.1", pool: "pool"));
        Assert.Empty(writes);
    }

    [Fact]
    public void A_missing_annotation_alone_is_repaired_without_an_event()
    {
        var writes = Plan(Pool("pool", "192.0.2.0/30"), Service("web", ingress: "192.0.2.0"));
        Assert.Equal("pool", Assert.IsType<SetAllocatedPool>(Assert.Single(writes)).Pool);
    }

    [Fact]
    public void An_address_no_pool_holds_any_more_is_cleared_and_a_new_one_assigned()
    {
        var writes = Plan(Pool("pool", "192.0.2.0/30"), Service("web", ingress: "198.51.100.7", pool: "old"));
        Assert.Collection(writes,
            w => Assert.Equal("ClearAssignment", Assert.IsType<ServiceEvent>(w).Reason),
            w => Assert.Equal(["192.0.2.0"], Assert.IsType<SetServiceIngress>(w).Addresses),
            w => Assert.Equal("IPAllocated", Assert.IsType<ServiceEvent>(w).Reason),
            w => Assert.Equal("pool", Assert.IsType<SetAllocatedPool>(w).Pool));
    }

    [Fact]
    public void A_refused_request_gets_AllocationFailed_with_the_allocators_reason_and_no_address()
    {
        var writes = Plan(Pool("pool", "192.0.2.0/30"), Service("web", requested: "203.0.113.9"));
        var failed = Assert.IsType<ServiceEvent>(Assert.Single(writes));
        Assert.Equal(("Warning", "AllocationFailed"), (failed.Type, failed.Reason));
        Assert.StartsWith("Failed to allocate IP for \"default/web\": ", failed.Message, StringComparison.Ordinal);
        Assert.Contains("203.0.113.9", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_pool_fails_the_next_service_with_no_available_IPs()
    {
        var writes = Plan(Pool("pool", "192.0.2.0/32"), Service("a", ingress: "192.0.2.0", pool: "pool"), Service("b"));
        var failed = Assert.IsType<ServiceEvent>(Assert.Single(writes));
        Assert.Equal("Failed to allocate IP for \"default/b\": no available IPs", failed.Message);
    }

    [Fact]
    public void A_service_that_stops_being_a_LoadBalancer_has_its_status_and_annotation_cleared()
    {
        var writes = Plan(Pool("pool", "192.0.2.0/30"), Service("web", ingress: "192.0.2.0", pool: "pool", type: "ClusterIP"));
        Assert.Collection(writes,
            w => Assert.Equal("ClearAssignment", Assert.IsType<ServiceEvent>(w).Reason),
            w => Assert.Empty(Assert.IsType<SetServiceIngress>(w).Addresses),
            w => Assert.Null(Assert.IsType<SetAllocatedPool>(w).Pool));
    }

    [Fact]
    public void A_service_left_without_any_pool_is_cleared_and_fails()
    {
        var writes = Plan(Pool("other", "203.0.113.0/30"), Service("web", ingress: "192.0.2.0", pool: "pool", requested: "192.0.2.0"));
        Assert.Equal(["ClearAssignment", "SetServiceIngress", "SetAllocatedPool", "AllocationFailed"],
            writes.Select(w => w is ServiceEvent e ? e.Reason : w.GetType().Name));
        Assert.Empty(writes.OfType<SetServiceIngress>().Single().Addresses);
    }

    [Fact]
    public void A_service_of_another_load_balancer_class_is_never_touched()
    {
        Assert.Empty(Plan(Pool("pool", "192.0.2.0/30"), Service("web", ingress: "10.1.1.1", loadBalancerClass: "example.com/other")));
    }

    [Fact]
    public void Events_quote_addresses_as_MetalLB_does()
    {
        Assert.Equal("[\"192.0.2.1\" \"2001:db8::1\"]", ControllerPlanner.Quote(["192.0.2.1", "2001:db8::1"]));
    }

    [Fact]
    public void Pool_status_is_written_only_when_it_differs()
    {
        var snapshot = Snapshot(Pool("a", "192.0.2.0/30"), Pool("b", "192.0.2.8/30"));
        var observed = ObservedCluster.From(snapshot);
        var writes = ControllerPlanner.Pools(observed, [new PoolAllocationStatus("a", 1, 0, 3, 0), new PoolAllocationStatus("gone", 1, 0, 3, 0)], "metallb-system");
        Assert.Equal("a", Assert.IsType<SetPoolStatus>(Assert.Single(writes)).Name);
    }
}
