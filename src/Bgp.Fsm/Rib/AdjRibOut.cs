using System.Buffers;
using System.Net;
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
    private readonly Dictionary<Prefix, PathAttributes> _desired = new();
    private readonly Dictionary<Prefix, PathAttributes> _advertised = new();
    private readonly HashSet<Prefix> _dirty = new();

    public int DesiredCount => _desired.Count;

    public int AdvertisedCount => _advertised.Count;

    public int PendingCount => _dirty.Count;

    public IReadOnlyDictionary<Prefix, PathAttributes> Desired => _desired;

    /// <summary>Wants <paramref name="prefix"/> announced with <paramref name="attributes"/> (interned: equal sets are one object; made per-peer when sent).</summary>
    public void Set(Prefix prefix, PathAttributes attributes)
    {
        if (_desired.TryGetValue(prefix, out var current) && ReferenceEquals(current, attributes))
        {
            return;
        }
        _desired[prefix] = attributes;
        _dirty.Add(prefix);
    }

    /// <summary>Wants <paramref name="prefix"/> withdrawn.</summary>
    public void Remove(Prefix prefix)
    {
        if (_desired.Remove(prefix))
        {
            _dirty.Add(prefix);
        }
    }

    /// <summary>A new session knows nothing: every desired route is pending again.</summary>
    public void ResetForNewSession()
    {
        _advertised.Clear();
        _dirty.Clear();
        foreach (var p in _desired.Keys)
        {
            _dirty.Add(p);
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
                _dirty.Add(p);
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
        var withdrawals = new List<Nlri>();
        var groups = new Dictionary<PathAttributes, List<Nlri>>(ReferenceEqualityComparer.Instance);
        var taken = new List<Prefix>();
        // Worst case per prefix: path id, length octet, 16 address octets; per attribute set: its octets and a header.
        const int PrefixCost = 21;
        const int MessageCost = 64;
        long estimate = 0;
        foreach (var prefix in _dirty)
        {
            if (taken.Count >= maxPrefixes || (taken.Count > 0 && estimate >= maxBytes))
            {
                break;
            }
            estimate += PrefixCost;
            taken.Add(prefix);
            if (_desired.TryGetValue(prefix, out var attributes))
            {
                if (_advertised.TryGetValue(prefix, out var sent) && ReferenceEquals(sent, attributes))
                {
                    continue;
                }
                if (!groups.TryGetValue(attributes, out var list))
                {
                    groups[attributes] = list = new List<Nlri>();
                    estimate += MessageCost + attributes.GetEncodedLength(BgpDecodeContext.FourOctetAsDefault);
                }
                list.Add(prefix);
                _advertised[prefix] = attributes;
            }
            else if (_advertised.Remove(prefix))
            {
                withdrawals.Add(prefix);
            }
        }
        foreach (var p in taken)
        {
            _dirty.Remove(p);
        }
        var messages = 0;
        if (withdrawals.Count > 0)
        {
            messages += builder.WriteWithdrawals(output, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(withdrawals));
            withdrawn = withdrawals.Count;
        }
        foreach (var (desired, list) in groups)
        {
            var attributes = effective(desired);
            // One family per call keeps the MP next hop right for each.
            var v4 = list.Where(n => n.Prefix.IsIPv4).ToArray();
            var v6 = list.Where(n => n.Prefix.IsIPv6).ToArray();
            if (v4.Length > 0)
            {
                messages += builder.WriteAnnouncements(output, attributes, v4, attributes.NextHop is null ? nextHopFor(false) : null);
            }
            if (v6.Length > 0)
            {
                messages += builder.WriteAnnouncements(output, attributes, v6, nextHopFor(true));
            }
            announced += list.Count;
        }
        return messages;
    }
}
