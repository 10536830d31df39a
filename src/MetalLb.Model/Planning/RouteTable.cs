using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Planning;

/// <summary>One route a service asks for on one session: the unit that tables count.</summary>
internal readonly record struct Contribution(string Peer, IpBlock Prefix, uint? LocalPref, IReadOnlyList<CommunityValue> Communities);

/// <summary>
/// The routes of one session set, reference counted so that adding or removing one service touches
/// only its own contributions: an aggregate stays while any address inside it is announced, and
/// communities are the union over the contributions still present.
/// </summary>
internal sealed class RouteTable
{
    private readonly Dictionary<(string Peer, IpBlock Prefix), RouteEntry> _routes = [];

    public int Count => _routes.Count;

    public IEnumerable<KeyValuePair<(string Peer, IpBlock Prefix), RouteEntry>> Routes => _routes;

    public void Add(in Contribution contribution)
    {
        var key = (contribution.Peer, contribution.Prefix);
        if (!_routes.TryGetValue(key, out var entry))
        {
            _routes[key] = entry = new RouteEntry();
        }
        entry.Add(contribution);
    }

    public void Remove(in Contribution contribution)
    {
        var key = (contribution.Peer, contribution.Prefix);
        if (_routes.TryGetValue(key, out var entry) && entry.Remove(contribution))
        {
            _routes.Remove(key);
        }
    }
}

/// <summary>A counted route: how many contributions hold it, with which localPrefs and communities.</summary>
internal sealed class RouteEntry
{
    private readonly Dictionary<CommunityValue, int> _communities = [];
    private readonly SortedDictionary<uint, int> _localPrefs = [];

    public int Count { get; private set; }

    public IEnumerable<CommunityValue> Communities => _communities.Keys;

    public IReadOnlyCollection<uint> LocalPrefs => _localPrefs.Keys;

    public void Add(in Contribution contribution)
    {
        Count++;
        foreach (var community in contribution.Communities)
        {
            _communities[community] = _communities.GetValueOrDefault(community) + 1;
        }
        if (contribution.LocalPref is { } localPref)
        {
            _localPrefs[localPref] = _localPrefs.GetValueOrDefault(localPref) + 1;
        }
    }

    /// <summary>Returns true when the last contribution is gone.</summary>
    public bool Remove(in Contribution contribution)
    {
        Count--;
        foreach (var community in contribution.Communities)
        {
            if (--_communities[community] == 0)
            {
                _communities.Remove(community);
            }
        }
        if (contribution.LocalPref is { } localPref && --_localPrefs[localPref] == 0)
        {
            _localPrefs.Remove(localPref);
        }
        return Count == 0;
    }
}
