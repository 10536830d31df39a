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

    // A set is either its decoded values (built by a caller, or decoded) or, for a set received and interned, only its
    // canonical octets (in an interner's arena) until someone asks for a field: then the values are decoded once and
    // kept. A held set costs this object (48 octets) and its octets, not an object graph.
    private Values? _values;
    // The canonical octets: _octets[_offset.._offset+_length] for a set held in an arena (fixed at construction), or
    // the whole of _octets (_length -1) once computed for a set built from values. One reference, written last.
    private byte[]? _octets;
    private readonly int _offset;
    private readonly int _length = -1;
    private int _hash;

    /// <summary>An empty set; fill it with an object initializer.</summary>
    public PathAttributes() => _values = new Values();

    private PathAttributes(Values values) => _values = values;

    /// <summary>A set held as its canonical encoding (validated by the caller), decoded on demand.</summary>
    private PathAttributes(byte[] octets, int offset, int length)
    {
        _octets = octets;
        _offset = offset;
        _length = length;
        _hash = HashOfCanonical(octets.AsSpan(offset, length));
    }

    /// <summary>
    /// A set whose canonical encoding is <paramref name="octets"/>[<paramref name="offset"/>..+<paramref name="length"/>]:
    /// octets that decoding on a 4-octet-AS session turns into a set that encodes to the same octets again (the caller
    /// checked). Nothing is decoded until a field is read. The octets must not change afterwards.
    /// </summary>
    internal static PathAttributes FromCanonical(byte[] octets, int offset, int length) => new(octets, offset, length);

    /// <summary>True while the set is held only as octets (no field has been read yet).</summary>
    internal bool IsOctetsOnly => _values is null;

    private Values V => _values ?? Materialize();

    private Values Materialize()
    {
        var decoded = Decode(Canonical, CanonicalContext, out _, out _)?._values ?? new Values();
        // Readers on other threads may decode at the same time; all get equal values and one object is kept.
        return Interlocked.CompareExchange(ref _values, decoded, null) ?? decoded;
    }

    // Written only by object initializers (init accessors), before the set is shared.
    private Values W => _values!;

    /// <summary>The decoded fields. MP next hops are not part of the canonical octets: a set held as octets has none.</summary>
    private sealed class Values
    {
        public Origin? Origin;
        public AsPath? AsPath;
        public uint? NextHop;
        public uint? MultiExitDisc;
        public uint? LocalPref;
        public bool AtomicAggregate;
        public Aggregator? Aggregator;
        public Community[] Communities = [];
        public uint? OriginatorId;
        public uint[] ClusterList = [];
        public ExtendedCommunity[] ExtendedCommunities = [];
        public LargeCommunity[] LargeCommunities = [];
        public uint? OnlyToCustomer;
        public UnknownAttribute[] Unknown = [];
        public UInt128 ExtendedLengthTypes;
        public byte[]? MpNextHop;
        public byte[]? MpLinkLocalNextHop;

        public Values Clone() => (Values)MemberwiseClone();
    }

    /// <summary>ORIGIN, or null when absent.</summary>
    public Origin? Origin { get => V.Origin; init => W.Origin = value; }

    /// <summary>AS_PATH (4-octet, reconciled), or null when absent.</summary>
    public AsPath? AsPath { get => V.AsPath; init => W.AsPath = value; }

    /// <summary>NEXT_HOP (IPv4 NLRI), host-order IPv4 address, or null when absent.</summary>
    public uint? NextHop { get => V.NextHop; init => W.NextHop = value; }

    /// <summary>NEXT_HOP as an address (allocates), or null.</summary>
    public IPAddress? NextHopAddress => NextHop is { } n ? new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(n)) : null;

    /// <summary>
    /// The next hop of MP_REACH_NLRI (RFC 4760) for a route that arrived there: an IPv6 global address, or an IPv4
    /// one, including IPv6 next hops of IPv4 routes (RFC 8950). Null for routes from the NLRI field. It is not a path
    /// attribute of its own: encoding never writes it, but it takes part in equality, so an Adj-RIB shares one set
    /// between the routes that carry the same attributes and the same next hop.
    /// </summary>
    public IPAddress? MpNextHop { get => MpNextHopOctets is { } b ? new IPAddress(b) : null; init => W.MpNextHop = value?.GetAddressBytes(); }

    /// <summary>The IPv6 link-local next hop that came with <see cref="MpNextHop"/> (RFC 2545 section 3), or null.</summary>
    public IPAddress? MpLinkLocalNextHop { get => MpLinkLocalNextHopOctets is { } b ? new IPAddress(b) : null; init => W.MpLinkLocalNextHop = value?.GetAddressBytes(); }

    // A set held as octets has no MP next hop: answered without decoding it.
    private byte[]? MpNextHopOctets => _values?.MpNextHop;

    private byte[]? MpLinkLocalNextHopOctets => _values?.MpLinkLocalNextHop;

    /// <summary>
    /// True when an AS_PATH segment (of any type, confederation segments included) holds <paramref name="asn"/>: the
    /// loop check of RFC 4271 section 9.1.2. A set held as its received octets is scanned there, without decoding it.
    /// </summary>
    /// <param name="asn">The AS to look for (4-octet).</param>
    public bool AsPathContains(uint asn)
    {
        if (_values is { } values)
        {
            return values.AsPath is { } path && path.Segments.Any(s => s.Asns.Contains(asn));
        }
        // Canonical octets: attributes in type order, 4-octet ASNs; AS_PATH (type 2) is the first or second one.
        var field = Canonical;
        var at = 0;
        while (at + 3 <= field.Length)
        {
            var extended = (field[at] & (byte)PathAttributeFlags.ExtendedLength) != 0;
            var type = field[at + 1];
            var length = extended ? field[at + 2] << 8 | field[at + 3] : field[at + 2];
            var value = field.Slice(at + (extended ? 4 : 3), length);
            if (type == (byte)PathAttributeType.AsPath)
            {
                for (var s = 0; s + 2 <= value.Length; s += 2 + 4 * value[s + 1])
                {
                    var asns = value.Slice(s + 2, 4 * value[s + 1]);
                    for (var i = 0; i < asns.Length; i += 4)
                    {
                        if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(asns[i..]) == asn)
                        {
                            return true;
                        }
                    }
                }
                return false;
            }
            if (type > (byte)PathAttributeType.AsPath)
            {
                return false;
            }
            at += (extended ? 4 : 3) + length;
        }
        return false;
    }

    /// <summary>This set with <see cref="MpNextHop"/> and <see cref="MpLinkLocalNextHop"/> replaced (itself when they are already equal).</summary>
    /// <param name="nextHop">The global (or IPv4) next hop of MP_REACH_NLRI, or null.</param>
    /// <param name="linkLocalNextHop">The IPv6 link-local next hop, or null.</param>
    public PathAttributes WithMpNextHop(IPAddress? nextHop, IPAddress? linkLocalNextHop = null)
    {
        var global = nextHop?.GetAddressBytes();
        var linkLocal = linkLocalNextHop?.GetAddressBytes();
        if (SameBytes(global, MpNextHopOctets) && SameBytes(linkLocal, MpLinkLocalNextHopOctets))
        {
            return this;
        }
        var values = V.Clone();
        values.MpNextHop = global;
        values.MpLinkLocalNextHop = linkLocal;
        return new PathAttributes(values);
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    /// <summary>MULTI_EXIT_DISC, or null.</summary>
    public uint? MultiExitDisc { get => V.MultiExitDisc; init => W.MultiExitDisc = value; }

    /// <summary>LOCAL_PREF, or null.</summary>
    public uint? LocalPref { get => V.LocalPref; init => W.LocalPref = value; }

    /// <summary>ATOMIC_AGGREGATE present.</summary>
    public bool AtomicAggregate { get => V.AtomicAggregate; init => W.AtomicAggregate = value; }

    /// <summary>AGGREGATOR (4-octet, reconciled with AS4_AGGREGATOR), or null.</summary>
    public Aggregator? Aggregator { get => V.Aggregator; init => W.Aggregator = value; }

    /// <summary>COMMUNITIES in wire order; empty when absent.</summary>
    public IReadOnlyList<Community> Communities { get => V.Communities; init => W.Communities = [.. value]; }

    /// <summary>ORIGINATOR_ID (RFC 4456), host order, or null.</summary>
    public uint? OriginatorId { get => V.OriginatorId; init => W.OriginatorId = value; }

    /// <summary>CLUSTER_LIST (RFC 4456); empty when absent.</summary>
    public IReadOnlyList<uint> ClusterList { get => V.ClusterList; init => W.ClusterList = [.. value]; }

    /// <summary>EXTENDED COMMUNITIES (RFC 4360); empty when absent.</summary>
    public IReadOnlyList<ExtendedCommunity> ExtendedCommunities { get => V.ExtendedCommunities; init => W.ExtendedCommunities = [.. value]; }

    /// <summary>LARGE_COMMUNITY (RFC 8092); empty when absent.</summary>
    public IReadOnlyList<LargeCommunity> LargeCommunities { get => V.LargeCommunities; init => W.LargeCommunities = [.. value]; }

    /// <summary>Only to Customer (RFC 9234 section 5), or null.</summary>
    public uint? OnlyToCustomer { get => V.OnlyToCustomer; init => W.OnlyToCustomer = value; }

    /// <summary>Attributes BgpKit does not interpret, in wire order, kept byte for byte.</summary>
    public IReadOnlyList<UnknownAttribute> Unknown { get => V.Unknown; init => W.Unknown = [.. value]; }

    /// <summary>Types that arrived with the Extended Length flag on a short value; encoding keeps the flag for them.</summary>
    internal UInt128 ExtendedLengthTypes { get => V.ExtendedLengthTypes; init => W.ExtendedLengthTypes = value; }

    /// <summary>
    /// The attributes to pass on to another peer (RFC 4271 section 5): unknown optional transitive attributes are kept
    /// with the Partial bit set; unknown optional non-transitive ones are dropped.
    /// </summary>
    public PathAttributes ForPropagation()
    {
        var unknown = V.Unknown;
        if (unknown.Length == 0)
        {
            return this;
        }
        var kept = new List<UnknownAttribute>(unknown.Length);
        foreach (var u in unknown)
        {
            if ((u.Flags & PathAttributeFlags.Transitive) != 0)
            {
                kept.Add(u with { Flags = u.Flags | PathAttributeFlags.Partial });
            }
        }
        var values = V.Clone();
        values.Unknown = [.. kept];
        return new PathAttributes(values);
    }

    /// <summary>True when the set carries an MP_REACH_NLRI next hop (it then is more than its canonical octets).</summary>
    internal bool HasMpNextHop => MpNextHopOctets is not null || MpLinkLocalNextHopOctets is not null;

    /// <summary>The hash <see cref="GetHashCode"/> gives a set without MP next hops whose canonical encoding is <paramref name="canonical"/>.</summary>
    internal static int HashOfCanonical(ReadOnlySpan<byte> canonical)
    {
        var hash = new HashCode();
        hash.AddBytes(canonical);
        var h = hash.ToHashCode();
        return h == 0 ? 1 : h;
    }

    /// <summary>The encoding on a 4-octet session: what equality and the hash are defined on.</summary>
    internal ReadOnlySpan<byte> Canonical
    {
        get
        {
            var octets = _octets;
            if (octets is null)
            {
                octets = new byte[GetEncodedLength(CanonicalContext)];
                Write(octets, CanonicalContext);
                _octets = octets;
            }
            return _length < 0 ? octets : octets.AsSpan(_offset, _length);
        }
    }

    /// <inheritdoc/>
    public bool Equals(PathAttributes? other) =>
        ReferenceEquals(this, other) || other is not null && GetHashCode() == other.GetHashCode() && Canonical.SequenceEqual(other.Canonical)
            && SameBytes(MpNextHopOctets, other.MpNextHopOctets) && SameBytes(MpLinkLocalNextHopOctets, other.MpLinkLocalNextHopOctets);

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
            if (MpNextHopOctets is { } global)
            {
                hash.AddBytes(global);
            }
            if (MpLinkLocalNextHopOctets is { } linkLocal)
            {
                hash.Add(linkLocal.Length);
                hash.AddBytes(linkLocal);
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
        var v = V;
        if (v.Communities.Length > 0)
        {
            parts.Add($"communities [{string.Join(" ", v.Communities)}]");
        }
        if (v.LargeCommunities.Length > 0)
        {
            parts.Add($"large-communities [{string.Join(" ", v.LargeCommunities)}]");
        }
        if (v.ExtendedCommunities.Length > 0)
        {
            parts.Add($"extended-communities [{string.Join(" ", v.ExtendedCommunities)}]");
        }
        if (OriginatorId is { } oid)
        {
            parts.Add($"originator-id {oid >> 24}.{(byte)(oid >> 16)}.{(byte)(oid >> 8)}.{(byte)oid}");
        }
        if (v.ClusterList.Length > 0)
        {
            parts.Add($"cluster-list [{string.Join(" ", v.ClusterList)}]");
        }
        if (OnlyToCustomer is { } otc)
        {
            parts.Add($"otc {otc}");
        }
        foreach (var u in v.Unknown)
        {
            parts.Add(u.ToString());
        }
        return string.Join(", ", parts);
    }
}
