using System.Net;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>
/// The difference between the routes installed and the routes wanted, as the changes that make one the other:
/// a route whose next-hop set changed is replaced whole (one RTM_NEWROUTE with NLM_F_REPLACE), a new one added,
/// one no longer wanted (or wanted with no next hop) deleted. Pure: the same inputs give the same changes, in
/// (table, prefix) order, deletions first so that a table never holds more than both sides together.
/// </summary>
internal static class KernelRoutePlan
{
    /// <summary>One change: <see cref="NextHops"/> null deletes the route; <see cref="Replace"/> says it is ours already.</summary>
    public readonly record struct Change(KernelRouteKey Key, IReadOnlyList<IPAddress>? NextHops, bool Replace);

    /// <summary>The next hops of a route in canonical form: distinct, sorted by family then bytes.</summary>
    public static IPAddress[] Canonical(IEnumerable<IPAddress> nextHops) =>
        nextHops.Distinct().OrderBy(a => a.AddressFamily).ThenBy(a => a, AddressOrder.Instance).ToArray();

    public static List<Change> Diff(IReadOnlyDictionary<KernelRouteKey, IPAddress[]> installed, IReadOnlyDictionary<KernelRouteKey, IPAddress[]> desired)
    {
        var changes = new List<Change>();
        foreach (var key in installed.Keys.Where(k => !desired.TryGetValue(k, out var hops) || hops.Length == 0).Order(KeyOrder.Instance))
        {
            changes.Add(new Change(key, null, false));
        }
        foreach (var (key, hops) in desired.Where(kv => kv.Value.Length > 0).OrderBy(kv => kv.Key, KeyOrder.Instance))
        {
            if (!installed.TryGetValue(key, out var current))
            {
                changes.Add(new Change(key, hops, false));
            }
            else if (!current.SequenceEqual(hops))
            {
                changes.Add(new Change(key, hops, true));
            }
        }
        return changes;
    }

    private sealed class AddressOrder : IComparer<IPAddress>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare(IPAddress? x, IPAddress? y)
        {
            Span<byte> a = stackalloc byte[16];
            Span<byte> b = stackalloc byte[16];
            x!.TryWriteBytes(a, out var la);
            y!.TryWriteBytes(b, out var lb);
            var c = la.CompareTo(lb);
            return c != 0 ? c : a[..la].SequenceCompareTo(b[..lb]);
        }
    }

    internal sealed class KeyOrder : IComparer<KernelRouteKey>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(KernelRouteKey x, KernelRouteKey y)
        {
            var c = x.Table.CompareTo(y.Table);
            if (c != 0)
            {
                return c;
            }
            c = AddressOrder.Instance.Compare(x.Prefix.BaseAddress, y.Prefix.BaseAddress);
            return c != 0 ? c : x.Prefix.PrefixLength.CompareTo(y.Prefix.PrefixLength);
        }
    }
}
