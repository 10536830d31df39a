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

    // The prefixes whose set of distinct contributions changed, one per Version step from _logStart,
    // so that a cached plan can redo only those prefixes. Bounded: a reader further behind rebuilds.
    private const int LogLimit = 1024;
    private readonly List<IpBlock> _changes = [];
    private long _logStart;

    public int Count => _counts.Count;

    /// <summary>Counts changes to the set of distinct contributions (not to their reference counts).</summary>
    public long Version { get; private set; }

    public bool Contains(Contribution contribution) => _counts.ContainsKey(contribution);

    /// <summary>Adds to <paramref name="into"/> the prefixes changed since <paramref name="version"/>; false when the log no longer reaches back that far.</summary>
    public bool ChangesSince(long version, List<IpBlock> into)
    {
        if (version < _logStart || version > Version)
        {
            return false;
        }
        for (long at = version - _logStart; at < _changes.Count; at++)
        {
            into.Add(_changes[(int)at]);
        }
        return true;
    }

    private void Changed(IpBlock prefix)
    {
        _sorted = null;
        if (_changes.Count >= LogLimit)
        {
            _changes.Clear();
            _logStart = Version;
        }
        _changes.Add(prefix);
        Version++;
    }

    public IEnumerable<Contribution> Routes => _counts.Keys;

    public void Add(Contribution contribution)
    {
        ref int count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, contribution, out bool existed);
        count++;
        if (!existed)
        {
            Changed(contribution.Prefix);
        }
    }

    public void Remove(Contribution contribution)
    {
        if (_counts.TryGetValue(contribution, out int count))
        {
            if (count <= 1)
            {
                _counts.Remove(contribution);
                Changed(contribution.Prefix);
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
