using System.Net;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// The path attributes of a route (RFC 4271 section 5), immutable and shareable: an Adj-RIB stores one
/// instance per distinct set and lets every route that carries it point to it (see <see cref="PathAttributeInterner"/>).
/// MP_REACH_NLRI and MP_UNREACH_NLRI are not part of the set: they travel on the <see cref="UpdateMessage"/>.
/// </summary>
/// <remarks>
/// AS numbers are always 4-octet here: a 2-octet session's AS_PATH/AS4_PATH and AGGREGATOR/AS4_AGGREGATOR are
/// reconciled on decoding (RFC 6793 section 4.2.3) and split again on encoding (section 4.2.2). Two sets are equal
/// when they encode to the same octets on a 4-octet session.
/// </remarks>
public sealed partial class PathAttributes : IEquatable<PathAttributes>
{
    private static readonly BgpDecodeContext CanonicalContext = BgpDecodeContext.FourOctetAsDefault;

    private readonly Community[] _communities = [];
    private readonly ExtendedCommunity[] _extendedCommunities = [];
    private readonly LargeCommunity[] _largeCommunities = [];
    private readonly uint[] _clusterList = [];
    private readonly UnknownAttribute[] _unknown = [];
    private readonly byte[]? _mpNextHop;
    private readonly byte[]? _mpLinkLocalNextHop;
    private byte[]? _canonical;
    private int _hash;

    /// <summary>An empty set; fill it with an object initializer.</summary>
    public PathAttributes()
    {
    }

    private PathAttributes(byte[]? mpNextHop, byte[]? mpLinkLocalNextHop)
    {
        _mpNextHop = mpNextHop;
        _mpLinkLocalNextHop = mpLinkLocalNextHop;
    }

    /// <summary>ORIGIN, or null when absent.</summary>
    public Origin? Origin { get; init; }

    /// <summary>AS_PATH (4-octet, reconciled), or null when absent.</summary>
    public AsPath? AsPath { get; init; }

    /// <summary>NEXT_HOP (IPv4 NLRI), host-order IPv4 address, or null when absent.</summary>
    public uint? NextHop { get; init; }

    /// <summary>NEXT_HOP as an address (allocates), or null.</summary>
    public IPAddress? NextHopAddress => NextHop is { } n ? new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(n)) : null;

    /// <summary>
    /// The next hop of MP_REACH_NLRI (RFC 4760) for a route that arrived there: an IPv6 global address, or an IPv4
    /// one, including IPv6 next hops of IPv4 routes (RFC 8950). Null for routes from the NLRI field. It is not a path
    /// attribute of its own: encoding never writes it, but it takes part in equality, so an Adj-RIB shares one set
    /// between the routes that carry the same attributes and the same next hop.
    /// </summary>
    public IPAddress? MpNextHop { get => _mpNextHop is null ? null : new IPAddress(_mpNextHop); init => _mpNextHop = value?.GetAddressBytes(); }

    /// <summary>The IPv6 link-local next hop that came with <see cref="MpNextHop"/> (RFC 2545 section 3), or null.</summary>
    public IPAddress? MpLinkLocalNextHop { get => _mpLinkLocalNextHop is null ? null : new IPAddress(_mpLinkLocalNextHop); init => _mpLinkLocalNextHop = value?.GetAddressBytes(); }

    /// <summary>This set with <see cref="MpNextHop"/> and <see cref="MpLinkLocalNextHop"/> replaced (itself when they are already equal).</summary>
    /// <param name="nextHop">The global (or IPv4) next hop of MP_REACH_NLRI, or null.</param>
    /// <param name="linkLocalNextHop">The IPv6 link-local next hop, or null.</param>
    public PathAttributes WithMpNextHop(IPAddress? nextHop, IPAddress? linkLocalNextHop = null)
    {
        var global = nextHop?.GetAddressBytes();
        var linkLocal = linkLocalNextHop?.GetAddressBytes();
        if (SameBytes(global, _mpNextHop) && SameBytes(linkLocal, _mpLinkLocalNextHop))
        {
            return this;
        }
        return Copy(_unknown, global, linkLocal);
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    /// <summary>MULTI_EXIT_DISC, or null.</summary>
    public uint? MultiExitDisc { get; init; }

    /// <summary>LOCAL_PREF, or null.</summary>
    public uint? LocalPref { get; init; }

    /// <summary>ATOMIC_AGGREGATE present.</summary>
    public bool AtomicAggregate { get; init; }

    /// <summary>AGGREGATOR (4-octet, reconciled with AS4_AGGREGATOR), or null.</summary>
    public Aggregator? Aggregator { get; init; }

    /// <summary>COMMUNITIES in wire order; empty when absent.</summary>
    public IReadOnlyList<Community> Communities { get => _communities; init => _communities = [.. value]; }

    /// <summary>ORIGINATOR_ID (RFC 4456), host order, or null.</summary>
    public uint? OriginatorId { get; init; }

    /// <summary>CLUSTER_LIST (RFC 4456); empty when absent.</summary>
    public IReadOnlyList<uint> ClusterList { get => _clusterList; init => _clusterList = [.. value]; }

    /// <summary>EXTENDED COMMUNITIES (RFC 4360); empty when absent.</summary>
    public IReadOnlyList<ExtendedCommunity> ExtendedCommunities { get => _extendedCommunities; init => _extendedCommunities = [.. value]; }

    /// <summary>LARGE_COMMUNITY (RFC 8092); empty when absent.</summary>
    public IReadOnlyList<LargeCommunity> LargeCommunities { get => _largeCommunities; init => _largeCommunities = [.. value]; }

    /// <summary>Only to Customer (RFC 9234 section 5), or null.</summary>
    public uint? OnlyToCustomer { get; init; }

    /// <summary>Attributes BgpKit does not interpret, in wire order, kept byte for byte.</summary>
    public IReadOnlyList<UnknownAttribute> Unknown { get => _unknown; init => _unknown = [.. value]; }

    /// <summary>Types that arrived with the Extended Length flag on a short value; encoding keeps the flag for them.</summary>
    internal UInt128 ExtendedLengthTypes { get; init; }

    /// <summary>
    /// The attributes to pass on to another peer (RFC 4271 section 5): unknown optional transitive attributes are kept
    /// with the Partial bit set; unknown optional non-transitive ones are dropped.
    /// </summary>
    public PathAttributes ForPropagation()
    {
        if (_unknown.Length == 0)
        {
            return this;
        }
        var kept = new List<UnknownAttribute>(_unknown.Length);
        foreach (var u in _unknown)
        {
            if ((u.Flags & PathAttributeFlags.Transitive) != 0)
            {
                kept.Add(u with { Flags = u.Flags | PathAttributeFlags.Partial });
            }
        }
        return With(kept);
    }

    private PathAttributes With(List<UnknownAttribute> unknown) => Copy([.. unknown], _mpNextHop, _mpLinkLocalNextHop);

    private PathAttributes Copy(UnknownAttribute[] unknown, byte[]? mpNextHop, byte[]? mpLinkLocalNextHop) => new(mpNextHop, mpLinkLocalNextHop)
    {
        Origin = Origin,
        AsPath = AsPath,
        NextHop = NextHop,
        MultiExitDisc = MultiExitDisc,
        LocalPref = LocalPref,
        AtomicAggregate = AtomicAggregate,
        Aggregator = Aggregator,
        Communities = _communities,
        OriginatorId = OriginatorId,
        ClusterList = _clusterList,
        ExtendedCommunities = _extendedCommunities,
        LargeCommunities = _largeCommunities,
        OnlyToCustomer = OnlyToCustomer,
        Unknown = unknown,
        ExtendedLengthTypes = ExtendedLengthTypes,
    };

    /// <summary>True when the set carries an MP_REACH_NLRI next hop (it then is more than its canonical octets).</summary>
    internal bool HasMpNextHop => _mpNextHop is not null || _mpLinkLocalNextHop is not null;

    /// <summary>The hash <see cref="GetHashCode"/> gives a set without MP next hops whose canonical encoding is <paramref name="canonical"/>.</summary>
    internal static int HashOfCanonical(ReadOnlySpan<byte> canonical)
    {
        var hash = new HashCode();
        hash.AddBytes(canonical);
        var h = hash.ToHashCode();
        return h == 0 ? 1 : h;
    }

    /// <summary>The encoding on a 4-octet session: what equality and the hash are defined on.</summary>
    internal byte[] Canonical
    {
        get
        {
            if (_canonical is null)
            {
                var bytes = new byte[GetEncodedLength(CanonicalContext)];
                Write(bytes, CanonicalContext);
                _canonical = bytes;
            }
            return _canonical;
        }
    }

    /// <inheritdoc/>
    public bool Equals(PathAttributes? other) =>
        ReferenceEquals(this, other) || other is not null && GetHashCode() == other.GetHashCode() && Canonical.AsSpan().SequenceEqual(other.Canonical)
            && SameBytes(_mpNextHop, other._mpNextHop) && SameBytes(_mpLinkLocalNextHop, other._mpLinkLocalNextHop);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PathAttributes);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            if (!HasMpNextHop)
            {
                // Kept equal to HashOfCanonical, which finds a set from received octets.
                return _hash = HashOfCanonical(Canonical);
            }
            var hash = new HashCode();
            hash.AddBytes(Canonical);
            if (_mpNextHop is not null)
            {
                hash.AddBytes(_mpNextHop);
            }
            if (_mpLinkLocalNextHop is not null)
            {
                hash.Add(_mpLinkLocalNextHop.Length);
                hash.AddBytes(_mpLinkLocalNextHop);
            }
            var h = hash.ToHashCode();
            _hash = h == 0 ? 1 : h;
        }
        return _hash;
    }

    /// <summary>A one-line summary in bgpdump's field order.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Origin is { } o)
        {
            parts.Add($"origin {o}");
        }
        if (AsPath is { } p)
        {
            parts.Add($"as-path [{p}]");
        }
        if (NextHopAddress is { } nh)
        {
            parts.Add($"next-hop {nh}");
        }
        if (MpNextHop is { } mp)
        {
            parts.Add(MpLinkLocalNextHop is { } ll ? $"mp-next-hop {mp} {ll}" : $"mp-next-hop {mp}");
        }
        if (MultiExitDisc is { } med)
        {
            parts.Add($"med {med}");
        }
        if (LocalPref is { } lp)
        {
            parts.Add($"local-pref {lp}");
        }
        if (AtomicAggregate)
        {
            parts.Add("atomic-aggregate");
        }
        if (Aggregator is { } ag)
        {
            parts.Add($"aggregator {ag}");
        }
        if (_communities.Length > 0)
        {
            parts.Add($"communities [{string.Join(" ", _communities)}]");
        }
        if (_largeCommunities.Length > 0)
        {
            parts.Add($"large-communities [{string.Join(" ", _largeCommunities)}]");
        }
        if (_extendedCommunities.Length > 0)
        {
            parts.Add($"extended-communities [{string.Join(" ", _extendedCommunities)}]");
        }
        if (OriginatorId is { } oid)
        {
            parts.Add($"originator-id {oid >> 24}.{(byte)(oid >> 16)}.{(byte)(oid >> 8)}.{(byte)oid}");
        }
        if (_clusterList.Length > 0)
        {
            parts.Add($"cluster-list [{string.Join(" ", _clusterList)}]");
        }
        if (OnlyToCustomer is { } otc)
        {
            parts.Add($"otc {otc}");
        }
        foreach (var u in _unknown)
        {
            parts.Add(u.ToString());
        }
        return string.Join(", ", parts);
    }
}
