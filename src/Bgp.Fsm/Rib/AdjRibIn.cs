using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// Routes received from one peer after the import filter: prefix to an interned attribute set, so a
/// million routes sharing a few hundred sets cost a dictionary entry each. Stale marking serves
/// graceful restart (RFC 4724 receiving speaker). Written by the owner loop; readers take a snapshot.
/// </summary>
internal sealed class AdjRibIn
{
    private readonly Dictionary<Prefix, PathAttributes> _routes = new();
    private readonly HashSet<Prefix> _stale = new();
    private readonly object _gate = new();

    public AdjRibIn(PathAttributeInterner? interner = null) => Interner = interner ?? new PathAttributeInterner();

    public PathAttributeInterner Interner { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _routes.Count;
            }
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
    public bool Set(Prefix prefix, PathAttributes interned)
    {
        lock (_gate)
        {
            return SetUnlocked(prefix, interned);
        }
    }

    /// <summary>For bulk writers that hold <see cref="Gate"/> across a whole UPDATE.</summary>
    internal object Gate => _gate;

    internal bool SetUnlocked(Prefix prefix, PathAttributes interned)
    {
        if (_stale.Count > 0)
        {
            _stale.Remove(prefix);
        }
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_routes, prefix, out var exists);
        if (exists && ReferenceEquals(slot, interned))
        {
            return false;
        }
        slot = interned;
        return true;
    }

    public bool Remove(Prefix prefix)
    {
        lock (_gate)
        {
            _stale.Remove(prefix);
            return _routes.Remove(prefix);
        }
    }

    public bool TryGet(Prefix prefix, out PathAttributes attributes)
    {
        lock (_gate)
        {
            return _routes.TryGetValue(prefix, out attributes!);
        }
    }

    /// <summary>The peer restarted (RFC 4724 section 4.2): keep its routes, marked stale.</summary>
    public void MarkAllStale()
    {
        lock (_gate)
        {
            foreach (var p in _routes.Keys)
            {
                _stale.Add(p);
            }
        }
    }

    /// <summary>Deletes the routes still stale (End-of-RIB received or the restart time ran out); returns them.</summary>
    public List<Prefix> PurgeStale(bool? ipv6 = null)
    {
        lock (_gate)
        {
            var purged = _stale.Where(p => ipv6 is null || p.IsIPv6 == ipv6).ToList();
            foreach (var p in purged)
            {
                _stale.Remove(p);
                _routes.Remove(p);
            }
            return purged;
        }
    }

    public List<Prefix> Clear()
    {
        lock (_gate)
        {
            var all = _routes.Keys.ToList();
            _routes.Clear();
            _stale.Clear();
            return all;
        }
    }

    public List<KeyValuePair<Prefix, PathAttributes>> Snapshot()
    {
        lock (_gate)
        {
            return _routes.ToList();
        }
    }

    /// <summary>Ensures room for <paramref name="capacity"/> routes (bulk loads, benchmarks).</summary>
    public void EnsureCapacity(int capacity)
    {
        lock (_gate)
        {
            _routes.EnsureCapacity(capacity);
        }
    }
}

/// <summary>A route received from (or withdrawn by) a peer.</summary>
/// <param name="Peer">The peer it came from.</param>
/// <param name="Prefix">The prefix.</param>
/// <param name="Attributes">Its attributes (shared between routes that carry the same set); null when withdrawn.</param>
public sealed record ReceivedRoute(System.Net.IPAddress Peer, Prefix Prefix, PathAttributes? Attributes)
{
    /// <summary>True for a withdrawal.</summary>
    public bool Withdrawn => Attributes is null;
}
