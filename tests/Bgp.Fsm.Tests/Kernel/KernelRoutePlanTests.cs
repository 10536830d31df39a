using System.Net;
using BgpKit.Bgp.Fsm.Kernel;

namespace BgpKit.Bgp.Fsm.Tests.Kernel;

/// <summary>The difference between routes installed and wanted, without a kernel.</summary>
public sealed class KernelRoutePlanTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");
    private static readonly KernelRouteKey P = new(254, IPNetwork.Parse("198.51.100.0/24"));
    private static readonly KernelRouteKey Q = new(254, IPNetwork.Parse("198.51.101.0/24"));
    private static readonly KernelRouteKey PInVrf = new(1001, IPNetwork.Parse("198.51.100.0/24"));

    private static Dictionary<KernelRouteKey, IPAddress[]> Table(params (KernelRouteKey Key, IPAddress[] Hops)[] routes) =>
        routes.ToDictionary(r => r.Key, r => KernelRoutePlan.Canonical(r.Hops));

    [Fact]
    public void Nothing_changes_when_the_same_next_hops_come_in_another_order()
    {
        Assert.Empty(KernelRoutePlan.Diff(Table((P, [A, B])), Table((P, [B, A, B]))));
    }

    [Fact]
    public void A_new_prefix_is_added_and_a_changed_next_hop_set_replaces_the_route_whole()
    {
        var changes = KernelRoutePlan.Diff(Table((P, [A, B])), Table((P, [A]), (Q, [B])));
        Assert.Equal(
            [new KernelRoutePlan.Change(P, [A], true), new KernelRoutePlan.Change(Q, [B], false)],
            changes, ChangeComparer.Instance);
    }

    [Fact]
    public void A_prefix_no_longer_wanted_or_left_without_next_hops_is_deleted_first()
    {
        var changes = KernelRoutePlan.Diff(Table((P, [A]), (Q, [B])), Table((Q, []), (PInVrf, [A])));
        Assert.Equal(
            [new KernelRoutePlan.Change(P, null, false), new KernelRoutePlan.Change(Q, null, false), new KernelRoutePlan.Change(PInVrf, [A], false)],
            changes, ChangeComparer.Instance);
    }

    [Fact]
    public void The_same_prefix_in_two_tables_is_two_routes()
    {
        var changes = KernelRoutePlan.Diff(Table((P, [A])), Table((P, [A]), (PInVrf, [B])));
        Assert.Equal([new KernelRoutePlan.Change(PInVrf, [B], false)], changes, ChangeComparer.Instance);
    }

    [Fact]
    public void Canonical_next_hops_are_distinct_IPv4_before_IPv6_in_address_order()
    {
        var v6 = IPAddress.Parse("2001:db8::1");
        Assert.Equal([A, B, v6], KernelRoutePlan.Canonical([v6, B, A, B]));
    }

    private sealed class ChangeComparer : IEqualityComparer<KernelRoutePlan.Change>
    {
        public static readonly ChangeComparer Instance = new();

        public bool Equals(KernelRoutePlan.Change x, KernelRoutePlan.Change y) =>
            x.Key == y.Key && x.Replace == y.Replace && (x.NextHops is null ? y.NextHops is null : y.NextHops is not null && x.NextHops.SequenceEqual(y.NextHops));

        public int GetHashCode(KernelRoutePlan.Change obj) => obj.Key.GetHashCode();
    }
}
