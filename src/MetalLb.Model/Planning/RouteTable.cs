using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Planning;

/// <summary>
/// One prefix that one advertisement asks for: the unit that tables count. Peers, localPref and
/// communities follow from the advertisement and the node, so they are applied when a node's plan is
/// read, not once per service and peer.
/// </summary>
internal readonly record struct Contribution(int Advertisement, IpBlock Prefix);

/// <summary>
/// Reference counts of (advertisement, prefix), so that adding or removing one service touches only
/// its own contributions, and an aggregate stays while any address inside it is announced.
/// </summary>
internal sealed class RouteTable
{
    private readonly Dictionary<Contribution, int> _counts = [];

    public int Count => _counts.Count;

    public IEnumerable<Contribution> Routes => _counts.Keys;

    public void Add(Contribution contribution) =>
        _counts[contribution] = _counts.GetValueOrDefault(contribution) + 1;

    public void Remove(Contribution contribution)
    {
        if (_counts.TryGetValue(contribution, out int count))
        {
            if (count <= 1)
            {
                _counts.Remove(contribution);
            }
            else
            {
                _counts[contribution] = count - 1;
            }
        }
    }
}
