using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Planning;

/// <summary>
/// One prefix that one advertisement asks for: the unit that tables count. Peers, localPref and
/// communities follow from the advertisement and the node, so they are applied when a node's plan is
/// read, not once per service and peer.
/// </summary>
internal readonly record struct Contribution(int Advertisement, IpBlock Prefix);

/// <summary>Orders contributions by prefix, then advertisement: the order a node plan walks them in.</summary>
internal readonly struct ContributionOrder : IComparer<Contribution>
{
    public int Compare(Contribution x, Contribution y)
    {
        int c = x.Prefix.CompareTo(y.Prefix);
        return c != 0 ? c : x.Advertisement.CompareTo(y.Advertisement);
    }
}

/// <summary>
/// Reference counts of (advertisement, prefix), so that adding or removing one service touches only
/// its own contributions, and an aggregate stays while any address inside it is announced.
/// </summary>
internal sealed class RouteTable
{
    private readonly Dictionary<Contribution, int> _counts = [];

    // The contributions in ContributionOrder, kept until the table changes: every node of a cluster
    // reads the same table, and sorting 10,000 prefixes once per node would dominate the plan.
    private Contribution[]? _sorted;

    public int Count => _counts.Count;

    public IEnumerable<Contribution> Routes => _counts.Keys;

    public void Add(Contribution contribution)
    {
        ref int count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, contribution, out bool existed);
        count++;
        if (!existed)
        {
            _sorted = null;
        }
    }

    public void Remove(Contribution contribution)
    {
        if (_counts.TryGetValue(contribution, out int count))
        {
            if (count <= 1)
            {
                _counts.Remove(contribution);
                _sorted = null;
            }
            else
            {
                _counts[contribution] = count - 1;
            }
        }
    }

    /// <summary>The distinct contributions by prefix, then advertisement. Shared: callers must not write to it.</summary>
    public Contribution[] Sorted()
    {
        if (_sorted is null)
        {
            var sorted = new Contribution[_counts.Count];
            _counts.Keys.CopyTo(sorted, 0);
            sorted.AsSpan().Sort(new ContributionOrder());
            _sorted = sorted;
        }
        return _sorted;
    }
}
