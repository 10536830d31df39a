using System.Runtime.InteropServices;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// Routes received from one peer after the import filter, keyed by NLRI: the prefix, and the path identifier
/// where ADD-PATH receive was negotiated for the family (RFC 7911 section 3: each (prefix, path id) is its own
/// path, and a withdrawal names the path it removes). Each route points at an interned attribute set. IPv4 routes
/// without a path identifier (a full table's worth) live in an <see cref="Ipv4RouteTable"/> at about 21 octets each;
/// the rest (IPv6, ADD-PATH) in a dictionary at 52. Stale marking serves graceful restart (RFC 4724 receiving
/// speaker). Written by the owner loop; readers take a snapshot.
/// </summary>
internal sealed class AdjRibIn
{
    private readonly Ipv4RouteTable _ipv4 = new();
    private readonly Dictionary<Nlri, PathAttributes> _routes = new(RouteKeyComparer.Instance);
    private readonly HashSet<Nlri> _stale = new(RouteKeyComparer.Instance);
    private readonly object _gate = new();
    private int _ipv6Count;

    public AdjRibIn(PathAttributeInterner? interner = null) => Interner = interner ?? new PathAttributeInterner();

    public PathAttributeInterner Interner { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ipv4.Count + _routes.Count;
            }
        }
    }

    private static bool Compact(Nlri nlri) => !nlri.HasPathId && !nlri.Prefix.IsIPv6;

    /// <summary>Every route (the compact IPv4 table's, then the dictionary's). Under the lock.</summary>
    private IEnumerable<KeyValuePair<Nlri, PathAttributes>> All() => _ipv4.Entries().Concat(_routes);

    /// <summary>Routes of one family (IPv4 or IPv6 unicast; with ADD-PATH, paths): what prefix limits count.</summary>
    public int CountOf(bool ipv6)
    {
        lock (_gate)
        {
            return ipv6 ? _ipv6Count : _ipv4.Count + _routes.Count - _ipv6Count;
        }
    }

    public int StaleCount
    {
        get
        {
            lock (_gate)
            {
                return _stale.Count;
            }
        }
    }

    /// <summary>Adds or replaces a route; true when it is new or changed.</summary>
    public bool Set(Nlri nlri, PathAttributes interned)
    {
        lock (_gate)
        {
            return SetUnlocked(nlri, interned);
        }
    }

    /// <summary>For bulk writers that hold <see cref="Gate"/> across a whole UPDATE.</summary>
    internal object Gate => _gate;

    internal bool SetUnlocked(Nlri nlri, PathAttributes interned)
    {
        if (_stale.Count > 0)
        {
            _stale.Remove(nlri);
        }
        if (Compact(nlri))
        {
            ref var compact = ref _ipv4.GetValueRefOrAddDefault(nlri.Prefix, out var held);
            if (held && ReferenceEquals(compact, interned))
            {
                return false;
            }
            compact = interned;
            return true;
        }
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_routes, nlri, out var exists);
        if (exists && ReferenceEquals(slot, interned))
        {
            return false;
        }
        if (!exists && nlri.Prefix.IsIPv6)
        {
            _ipv6Count++;
        }
        slot = interned;
        return true;
    }

    /// <summary>Removes one path: the prefix with the same path identifier (or none, without ADD-PATH).</summary>
    public bool Remove(Nlri nlri)
    {
        lock (_gate)
        {
            return RemoveUnlocked(nlri);
        }
    }

    internal bool RemoveUnlocked(Nlri nlri)
    {
        if (_stale.Count > 0)
        {
            _stale.Remove(nlri);
        }
        if (Compact(nlri))
        {
            return _ipv4.Remove(nlri.Prefix);
        }
        if (!_routes.Remove(nlri))
        {
            return false;
        }
        if (nlri.Prefix.IsIPv6)
        {
            _ipv6Count--;
        }
        return true;
    }

    public bool TryGet(Nlri nlri, out PathAttributes attributes)
    {
        lock (_gate)
        {
            if (Compact(nlri))
            {
                var found = _ipv4.TryGetValue(nlri.Prefix, out var value);
                attributes = value!;
                return found;
            }
            return _routes.TryGetValue(nlri, out attributes!);
        }
    }

    /// <summary>The peer restarted (RFC 4724 section 4.2): keep its routes, marked stale.</summary>
    public void MarkAllStale()
    {
        lock (_gate)
        {
            foreach (var (nlri, _) in All())
            {
                _stale.Add(nlri);
            }
        }
    }

    /// <summary>
    /// The peer began a refresh of one family (RFC 7313 BoRR): its routes of that family are stale until
    /// re-advertised; what is still stale at EoRR was withdrawn during the refresh.
    /// </summary>
    public void MarkStale(bool ipv6)
    {
        lock (_gate)
        {
            foreach (var (nlri, _) in All())
            {
                if (nlri.Prefix.IsIPv6 == ipv6)
                {
                    _stale.Add(nlri);
                }
            }
        }
    }

    /// <summary>Deletes the routes still stale (End-of-RIB received or the restart time ran out); returns them.</summary>
    public List<Nlri> PurgeStale(bool? ipv6 = null)
    {
        lock (_gate)
        {
            var purged = _stale.Where(n => ipv6 is null || n.Prefix.IsIPv6 == ipv6).ToList();
            foreach (var nlri in purged)
            {
                _stale.Remove(nlri);
                if (Compact(nlri))
                {
                    _ipv4.Remove(nlri.Prefix);
                }
                else if (_routes.Remove(nlri) && nlri.Prefix.IsIPv6)
                {
                    _ipv6Count--;
                }
            }
            return purged;
        }
    }

    public List<Nlri> Clear()
    {
        lock (_gate)
        {
            var all = All().Select(r => r.Key).ToList();
            _ipv4.Clear();
            _routes.Clear();
            _stale.Clear();
            _ipv6Count = 0;
            return all;
        }
    }

    public List<KeyValuePair<Nlri, PathAttributes>> Snapshot()
    {
        lock (_gate)
        {
            return All().ToList();
        }
    }

    /// <summary>Ensures room for <paramref name="capacity"/> routes (bulk loads, benchmarks).</summary>
    public void EnsureCapacity(int capacity)
    {
        lock (_gate)
        {
            _ipv4.EnsureCapacity(capacity);
        }
    }
}

/// <summary>
/// Hashes route keys so that prefixes close in address space land in neighbouring buckets. Peers send their
/// tables in address order, so consecutive inserts touch the same cache lines instead of a random bucket each:
/// on a 1,000,000-route table that is the difference between one cache miss per route and almost none (about
/// 3x the insert rate). The dictionary's prime bucket count spreads the arithmetic progressions that tables
/// are made of (all /24s, all /32s of a range) evenly. The network number is XORed with a per-process random
/// key: within each aligned block of addresses that only permutes neighbours (locality stays), but a peer can no
/// longer choose prefixes that it knows fall into one bucket (network numbers congruent modulo the bucket count),
/// which would turn every insert into a walk of one long chain.
/// </summary>
internal sealed class RouteKeyComparer : IEqualityComparer<Nlri>
{
    public static readonly RouteKeyComparer Instance = new();

    // The runtime's own per-process random seed (HashCode draws it from the OS at start). Not RandomNumberGenerator:
    // on Linux that loads OpenSSL (libssl and libcrypto, about 5 MiB resident) into a speaker that may need no TLS.
    private static readonly uint Key = (uint)HashCode.Combine(0x5EED);

    public bool Equals(Nlri x, Nlri y) => x.Equals(y);

    public int GetHashCode(Nlri nlri)
    {
        var hash = Hash(nlri.Prefix);
        return nlri.HasPathId ? hash ^ (int)(nlri.PathId!.Value * 0x9E3779B1u) : hash;
    }

    internal static int Hash(Prefix prefix)
    {
        if (prefix.IsIPv6)
        {
            return prefix.GetHashCode();
        }
        return HashIPv4(prefix.IPv4Address, prefix.Length);
    }

    // The network number: the address without its host bits, so 10.0.0.0/24, 10.0.1.0/24 ... are 1 apart.
    internal static int HashIPv4(uint address, int length) => length == 0 ? 0 : (int)((address >> (32 - length)) ^ Key) ^ length << 26;
}

/// <summary>A route received from (or withdrawn by) a peer.</summary>
/// <param name="Peer">The peer it came from.</param>
/// <param name="Prefix">The prefix.</param>
/// <param name="Attributes">Its attributes (shared between routes that carry the same set); null when withdrawn.</param>
public sealed record ReceivedRoute(System.Net.IPAddress Peer, Prefix Prefix, PathAttributes? Attributes)
{
    /// <summary>True for a withdrawal.</summary>
    public bool Withdrawn => Attributes is null;

    /// <summary>
    /// The ADD-PATH path identifier (RFC 7911) when the session negotiated ADD-PATH receive for the prefix's
    /// family (<see cref="BgpPeerOptions.AddPathReceive"/>): the peer may then send several paths for one prefix,
    /// each a route of its own. Null otherwise.
    /// </summary>
    public uint? PathId { get; init; }

    /// <summary>
    /// The next hop: the NEXT_HOP attribute for an IPv4 route from the NLRI field, the MP_REACH_NLRI next hop
    /// otherwise (IPv6 routes, and IPv4 routes sent in MP_REACH_NLRI, also with an IPv6 next hop per RFC 8950).
    /// Null when withdrawn or absent.
    /// </summary>
    public System.Net.IPAddress? NextHop => Attributes is null ? null : Attributes.MpNextHop ?? Attributes.NextHopAddress;

    /// <summary>The IPv6 link-local next hop sent beside the global one in MP_REACH_NLRI (RFC 2545 section 3), or null.</summary>
    public System.Net.IPAddress? LinkLocalNextHop => Attributes?.MpLinkLocalNextHop;
}
