using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The routes we want one peer to have (desired) beside what it was last sent (advertised). Only the
/// differences go out: prefixes that share an attribute set are packed together and split at the
/// negotiated message size by Bgp.Wire's <see cref="UpdateBuilder"/>. After a reconnect everything is
/// dirty again, so every route is re-announced. Touched by the session's owner loop only.
/// </summary>
internal sealed class AdjRibOut
{
    private readonly Dictionary<Prefix, PathAttributes> _desired = new(PrefixComparer.Instance);
    private readonly Dictionary<Prefix, PathAttributes> _advertised = new(PrefixComparer.Instance);
    // Pending prefixes in the order they became pending: the set says whether one is queued, the queue gives
    // each batch its prefixes without rescanning the holes that earlier batches left in a set.
    private readonly HashSet<Prefix> _dirty = new(PrefixComparer.Instance);
    private readonly Queue<Prefix> _dirtyOrder = new();

    // Reused by every Produce call (the owner loop is the only caller).
    private readonly List<Nlri> _withdrawals = new();
    private readonly Dictionary<PathAttributes, (List<Nlri> IPv4, List<Nlri> IPv6)> _groups = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<List<Nlri>> _spareLists = new();

    public int DesiredCount => _desired.Count;

    public int AdvertisedCount => _advertised.Count;

    public int PendingCount => _dirty.Count;

    public IReadOnlyDictionary<Prefix, PathAttributes> Desired => _desired;

    /// <summary>Wants <paramref name="prefix"/> announced with <paramref name="attributes"/> (interned: equal sets are one object; made per-peer when sent).</summary>
    public void Set(Prefix prefix, PathAttributes attributes)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_desired, prefix, out var exists);
        if (exists && ReferenceEquals(slot, attributes))
        {
            return;
        }
        slot = attributes;
        MarkDirty(prefix);
    }

    /// <summary>Wants <paramref name="prefix"/> withdrawn.</summary>
    public void Remove(Prefix prefix)
    {
        if (_desired.Remove(prefix))
        {
            MarkDirty(prefix);
        }
    }

    private void MarkDirty(Prefix prefix)
    {
        if (_dirty.Add(prefix))
        {
            _dirtyOrder.Enqueue(prefix);
        }
    }

    /// <summary>A new session knows nothing: every desired route is pending again.</summary>
    public void ResetForNewSession()
    {
        _advertised.Clear();
        _dirty.Clear();
        _dirtyOrder.Clear();
        foreach (var p in _desired.Keys)
        {
            MarkDirty(p);
        }
    }

    /// <summary>ROUTE-REFRESH (RFC 2918): re-send every route of one family.</summary>
    public void Refresh(bool ipv6)
    {
        foreach (var p in _desired.Keys)
        {
            if (p.IsIPv6 == ipv6)
            {
                _advertised.Remove(p);
                MarkDirty(p);
            }
        }
    }

    /// <summary>
    /// Writes UPDATEs for up to <paramref name="maxPrefixes"/> pending prefixes, and about <paramref name="maxBytes"/>
    /// octets, into <paramref name="output"/>; returns the number of messages. The byte budget keeps a batch of
    /// routes that each carry their own large attribute set from outgrowing a bounded send queue (at least one
    /// route is always taken). <paramref name="nextHopFor"/> gives the MP_REACH next hop of IPv6 (or NEXT_HOP-less
    /// IPv4) routes.
    /// </summary>
    public int Produce(UpdateBuilder builder, IBufferWriter<byte> output, int maxPrefixes, Func<bool, IPAddress?> nextHopFor, Func<PathAttributes, PathAttributes> effective, out int announced, out int withdrawn, int maxBytes = int.MaxValue)
    {
        announced = 0;
        withdrawn = 0;
        if (_dirty.Count == 0)
        {
            return 0;
        }
        // Worst case per prefix: path id, length octet, 16 address octets; per attribute set: its octets and a header.
        const int PrefixCost = 21;
        const int MessageCost = 64;
        long estimate = 0;
        var taken = 0;
        while (taken < maxPrefixes && (taken == 0 || estimate < maxBytes) && _dirtyOrder.TryDequeue(out var prefix))
        {
            _dirty.Remove(prefix);
            estimate += PrefixCost;
            taken++;
            if (_desired.TryGetValue(prefix, out var attributes))
            {
                ref var sent = ref CollectionsMarshal.GetValueRefOrAddDefault(_advertised, prefix, out var wasSent);
                if (wasSent && ReferenceEquals(sent, attributes))
                {
                    continue;
                }
                sent = attributes;
                ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(_groups, attributes, out var known);
                if (!known)
                {
                    group = (Rent(), Rent());
                    estimate += MessageCost + attributes.GetEncodedLength(BgpDecodeContext.FourOctetAsDefault);
                }
                (prefix.IsIPv6 ? group.IPv6 : group.IPv4).Add(prefix);
            }
            else if (_advertised.Remove(prefix))
            {
                _withdrawals.Add(prefix);
            }
        }
        var messages = 0;
        if (_withdrawals.Count > 0)
        {
            messages += builder.WriteWithdrawals(output, CollectionsMarshal.AsSpan(_withdrawals));
            withdrawn = _withdrawals.Count;
            _withdrawals.Clear();
        }
        foreach (var (desired, (v4, v6)) in _groups)
        {
            var attributes = effective(desired);
            // One family per call keeps the MP next hop right for each.
            if (v4.Count > 0)
            {
                messages += builder.WriteAnnouncements(output, attributes, CollectionsMarshal.AsSpan(v4), attributes.NextHop is null ? nextHopFor(false) : null);
            }
            if (v6.Count > 0)
            {
                messages += builder.WriteAnnouncements(output, attributes, CollectionsMarshal.AsSpan(v6), nextHopFor(true));
            }
            announced += v4.Count + v6.Count;
            Return(v4);
            Return(v6);
        }
        _groups.Clear();
        return messages;
    }

    private List<Nlri> Rent() => _spareLists.TryPop(out var list) ? list : new List<Nlri>();

    private void Return(List<Nlri> list)
    {
        list.Clear();
        // A few spare lists serve the common case (a handful of attribute sets per batch); the rest go to the GC.
        if (_spareLists.Count < 64)
        {
            _spareLists.Push(list);
        }
    }
}

/// <summary>The prefix hash of <see cref="RouteKeyComparer"/> for tables keyed by prefix alone.</summary>
internal sealed class PrefixComparer : IEqualityComparer<Prefix>
{
    public static readonly PrefixComparer Instance = new();

    public bool Equals(Prefix x, Prefix y) => x.Equals(y);

    public int GetHashCode(Prefix prefix) => RouteKeyComparer.Hash(prefix);
}
