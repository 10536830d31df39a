using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// MP_REACH_NLRI (RFC 4760 section 3): reachable NLRI of an AFI/SAFI with its next hop. IPv4 and IPv6 unicast
/// are decoded (IPv6 global + link-local next hop per RFC 2545; IPv6 next hop for IPv4 NLRI per RFC 8950);
/// every other AFI/SAFI is carried as raw next hop and NLRI octets, never lost.
/// </summary>
/// <remarks>
/// <code>
/// +---------------------------------------------------------+
/// | Address Family Identifier (2 octets)                    |
/// +---------------------------------------------------------+
/// | Subsequent Address Family Identifier (1 octet)          |
/// +---------------------------------------------------------+
/// | Length of Next Hop Network Address (1 octet)            |
/// +---------------------------------------------------------+
/// | Network Address of Next Hop (variable)                  |
/// +---------------------------------------------------------+
/// | Reserved (1 octet)                                      |
/// +---------------------------------------------------------+
/// | Network Layer Reachability Information (variable)       |
/// +---------------------------------------------------------+
/// </code>
/// </remarks>
public sealed class MpReachNlri : IEquatable<MpReachNlri>
{
    private readonly byte[] _nextHop;
    private readonly byte[] _rawNlri;
    private readonly Nlri[] _nlri;

    /// <summary>Unicast NLRI with a next hop (IPv4 or IPv6; for IPv4 NLRI an IPv6 next hop follows RFC 8950).</summary>
    /// <exception cref="ArgumentException">The AFI/SAFI is not IPv4/IPv6 unicast, or a prefix or next hop is of the wrong family.</exception>
    public MpReachNlri(AfiSafi afiSafi, IPAddress nextHop, IEnumerable<Nlri> nlri, IPAddress? linkLocalNextHop = null)
    {
        ArgumentNullException.ThrowIfNull(nextHop);
        ArgumentNullException.ThrowIfNull(nlri);
        if (!IsUnicast(afiSafi))
        {
            throw new ArgumentException("Decoded MP_REACH_NLRI is for IPv4/IPv6 unicast; use Raw for other families.", nameof(afiSafi));
        }
        if (afiSafi.Afi == Afi.IPv6 && nextHop.AddressFamily != AddressFamily.InterNetworkV6
            || linkLocalNextHop is not null && (linkLocalNextHop.AddressFamily != AddressFamily.InterNetworkV6 || nextHop.AddressFamily != AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("IPv6 next hops (and any link-local next hop) must be IPv6 addresses.", nameof(nextHop));
        }
        AfiSafi = afiSafi;
        var global = nextHop.GetAddressBytes();
        _nextHop = linkLocalNextHop is null ? global : [.. global, .. linkLocalNextHop.GetAddressBytes()];
        _nlri = [.. nlri];
        foreach (var n in _nlri)
        {
            if (n.Prefix.IsIPv6 != (afiSafi.Afi == Afi.IPv6))
            {
                throw new ArgumentException($"Prefix {n.Prefix} is not of {afiSafi}.", nameof(nlri));
            }
        }
        _rawNlri = [];
    }

    private MpReachNlri(AfiSafi afiSafi, byte[] nextHop, Nlri[] nlri, byte[] rawNlri)
    {
        AfiSafi = afiSafi;
        _nextHop = nextHop;
        _nlri = nlri;
        _rawNlri = rawNlri;
    }

    /// <summary>An MP_REACH_NLRI of any AFI/SAFI from raw next hop and NLRI octets (kept as given).</summary>
    public static MpReachNlri Raw(AfiSafi afiSafi, ReadOnlyMemory<byte> nextHop, ReadOnlyMemory<byte> nlri)
    {
        if (nextHop.Length > 255)
        {
            throw new ArgumentException("A next hop is at most 255 octets.", nameof(nextHop));
        }
        return new MpReachNlri(afiSafi, nextHop.ToArray(), [], nlri.ToArray());
    }

    /// <summary>The address family.</summary>
    public AfiSafi AfiSafi { get; }

    /// <summary>True for IPv4 and IPv6 unicast, whose next hop and NLRI are decoded.</summary>
    public bool IsDecoded => IsUnicast(AfiSafi);

    /// <summary>The (global) next hop of a decoded family, or null.</summary>
    public IPAddress? NextHop => IsDecoded ? _nextHop.Length switch
    {
        4 => new IPAddress(_nextHop),
        16 or 32 => new IPAddress(_nextHop.AsSpan(0, 16)),
        _ => null,
    } : null;

    /// <summary>The IPv6 link-local next hop when the next hop field holds two addresses (RFC 2545 section 3), or null.</summary>
    public IPAddress? LinkLocalNextHop => IsDecoded && _nextHop.Length == 32 ? new IPAddress(_nextHop.AsSpan(16, 16)) : null;

    /// <summary>The next hop field as received.</summary>
    public ReadOnlyMemory<byte> RawNextHop => _nextHop;

    /// <summary>The NLRI of a decoded family; empty for raw families.</summary>
    public IReadOnlyList<Nlri> Nlri => _nlri;

    /// <summary>The NLRI octets of a raw family; empty for decoded families.</summary>
    public ReadOnlyMemory<byte> RawNlri => _rawNlri;

    internal bool ExtendedLength { get; init; }

    internal static bool IsUnicast(AfiSafi afiSafi) => afiSafi.Safi == Safi.Unicast && afiSafi.Afi is Afi.IPv4 or Afi.IPv6;

    /// <summary>Materializes a value that <see cref="AttributeRules"/> accepted.</summary>
    internal static MpReachNlri Decode(ReadOnlySpan<byte> value, BgpDecodeContext context, bool extendedLength)
    {
        var afiSafi = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(value), (Safi)value[2]);
        int nextHopLength = value[3];
        var nextHop = value.Slice(4, nextHopLength).ToArray();
        var field = value[(5 + nextHopLength)..];
        if (!IsUnicast(afiSafi))
        {
            return new MpReachNlri(afiSafi, nextHop, [], field.ToArray()) { ExtendedLength = extendedLength };
        }
        return new MpReachNlri(afiSafi, nextHop, ReadAll(field, afiSafi, context), []) { ExtendedLength = extendedLength };
    }

    internal static Nlri[] ReadAll(ReadOnlySpan<byte> field, AfiSafi afiSafi, BgpDecodeContext context)
    {
        return new NlriEnumerator(field, afiSafi.Afi == Afi.IPv6, context.ReceivesPathIds(afiSafi)).ToArray();
    }

    internal int ValueLength(BgpDecodeContext context)
    {
        var n = 5 + _nextHop.Length + _rawNlri.Length;
        var addPath = context.SendsPathIds(AfiSafi);
        foreach (var entry in _nlri)
        {
            n += NlriCodec.EncodedLength(entry.Prefix, addPath);
        }
        return n;
    }

    internal int Write(Span<byte> destination, int at, BgpDecodeContext context)
    {
        var length = ValueLength(context);
        at = PathAttributes.WriteHeader(destination, at, PathAttributeFlags.Optional, (byte)PathAttributeType.MpReachNlri, length, ExtendedLength || length > 255);
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)AfiSafi.Afi);
        destination[at + 2] = (byte)AfiSafi.Safi;
        destination[at + 3] = (byte)_nextHop.Length;
        _nextHop.CopyTo(destination[(at + 4)..]);
        at += 4 + _nextHop.Length;
        destination[at++] = 0;
        var addPath = context.SendsPathIds(AfiSafi);
        foreach (var entry in _nlri)
        {
            at += NlriCodec.Write(destination[at..], entry, addPath);
        }
        _rawNlri.CopyTo(destination[at..]);
        return at + _rawNlri.Length;
    }

    internal int EncodedLength(BgpDecodeContext context)
    {
        var length = ValueLength(context);
        return length + (ExtendedLength || length > 255 ? 4 : 3);
    }

    /// <inheritdoc/>
    public bool Equals(MpReachNlri? other) =>
        other is not null && other.AfiSafi == AfiSafi && other._nextHop.AsSpan().SequenceEqual(_nextHop)
        && other._nlri.AsSpan().SequenceEqual(_nlri) && other._rawNlri.AsSpan().SequenceEqual(_rawNlri);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MpReachNlri);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(AfiSafi, _nlri.Length, _rawNlri.Length);

    /// <summary>"MP_REACH IPv6/Unicast via 2001:db8::1 [2001:db8::/32]".</summary>
    public override string ToString() => IsDecoded
        ? $"MP_REACH {AfiSafi} via {NextHop}{(LinkLocalNextHop is { } ll ? " " + ll : string.Empty)} [{string.Join(" ", _nlri)}]"
        : $"MP_REACH {(ushort)AfiSafi.Afi}/{(byte)AfiSafi.Safi} nh={Convert.ToHexString(_nextHop)} nlri={Convert.ToHexString(_rawNlri)}";
}

/// <summary>MP_UNREACH_NLRI (RFC 4760 section 4): withdrawn NLRI of an AFI/SAFI; raw for families other than IPv4/IPv6 unicast.</summary>
/// <remarks>
/// <code>
/// +---------------------------------------------------------+
/// | Address Family Identifier (2 octets)                    |
/// +---------------------------------------------------------+
/// | Subsequent Address Family Identifier (1 octet)          |
/// +---------------------------------------------------------+
/// | Withdrawn Routes (variable)                             |
/// +---------------------------------------------------------+
/// </code>
/// An MP_UNREACH_NLRI with no withdrawn routes is the End-of-RIB marker of its family (RFC 4724 section 2).
/// </remarks>
public sealed class MpUnreachNlri : IEquatable<MpUnreachNlri>
{
    private readonly Nlri[] _withdrawn;
    private readonly byte[] _raw;

    /// <summary>Withdrawn unicast prefixes of an AFI/SAFI (empty: End-of-RIB).</summary>
    public MpUnreachNlri(AfiSafi afiSafi, IEnumerable<Nlri> withdrawn)
    {
        ArgumentNullException.ThrowIfNull(withdrawn);
        AfiSafi = afiSafi;
        _withdrawn = [.. withdrawn];
        if (_withdrawn.Length > 0 && !MpReachNlri.IsUnicast(afiSafi))
        {
            throw new ArgumentException("Decoded MP_UNREACH_NLRI is for IPv4/IPv6 unicast; use Raw for other families.", nameof(afiSafi));
        }
        _raw = [];
    }

    private MpUnreachNlri(AfiSafi afiSafi, Nlri[] withdrawn, byte[] raw)
    {
        AfiSafi = afiSafi;
        _withdrawn = withdrawn;
        _raw = raw;
    }

    /// <summary>An MP_UNREACH_NLRI of any AFI/SAFI from raw withdrawn-routes octets.</summary>
    public static MpUnreachNlri Raw(AfiSafi afiSafi, ReadOnlyMemory<byte> withdrawn) => new(afiSafi, [], withdrawn.ToArray());

    /// <summary>The address family.</summary>
    public AfiSafi AfiSafi { get; }

    /// <summary>The withdrawn prefixes of a decoded family.</summary>
    public IReadOnlyList<Nlri> Withdrawn => _withdrawn;

    /// <summary>The withdrawn-routes octets of a raw family.</summary>
    public ReadOnlyMemory<byte> RawWithdrawn => _raw;

    /// <summary>True when nothing is withdrawn: the End-of-RIB marker (RFC 4724).</summary>
    public bool IsEndOfRib => _withdrawn.Length == 0 && _raw.Length == 0;

    internal bool ExtendedLength { get; init; }

    internal static MpUnreachNlri Decode(ReadOnlySpan<byte> value, BgpDecodeContext context, bool extendedLength)
    {
        var afiSafi = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(value), (Safi)value[2]);
        return MpReachNlri.IsUnicast(afiSafi)
            ? new MpUnreachNlri(afiSafi, MpReachNlri.ReadAll(value[3..], afiSafi, context), []) { ExtendedLength = extendedLength }
            : new MpUnreachNlri(afiSafi, [], value[3..].ToArray()) { ExtendedLength = extendedLength };
    }

    internal int ValueLength(BgpDecodeContext context)
    {
        var n = 3 + _raw.Length;
        var addPath = context.SendsPathIds(AfiSafi);
        foreach (var entry in _withdrawn)
        {
            n += NlriCodec.EncodedLength(entry.Prefix, addPath);
        }
        return n;
    }

    internal int EncodedLength(BgpDecodeContext context)
    {
        var length = ValueLength(context);
        return length + (ExtendedLength || length > 255 ? 4 : 3);
    }

    internal int Write(Span<byte> destination, int at, BgpDecodeContext context)
    {
        var length = ValueLength(context);
        at = PathAttributes.WriteHeader(destination, at, PathAttributeFlags.Optional, (byte)PathAttributeType.MpUnreachNlri, length, ExtendedLength || length > 255);
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)AfiSafi.Afi);
        destination[at + 2] = (byte)AfiSafi.Safi;
        at += 3;
        var addPath = context.SendsPathIds(AfiSafi);
        foreach (var entry in _withdrawn)
        {
            at += NlriCodec.Write(destination[at..], entry, addPath);
        }
        _raw.CopyTo(destination[at..]);
        return at + _raw.Length;
    }

    /// <inheritdoc/>
    public bool Equals(MpUnreachNlri? other) =>
        other is not null && other.AfiSafi == AfiSafi && other._withdrawn.AsSpan().SequenceEqual(_withdrawn) && other._raw.AsSpan().SequenceEqual(_raw);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MpUnreachNlri);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(AfiSafi, _withdrawn.Length, _raw.Length);

    /// <summary>"MP_UNREACH IPv6/Unicast [..]".</summary>
    public override string ToString() => $"MP_UNREACH {AfiSafi} [{string.Join(" ", _withdrawn)}]{(_raw.Length > 0 ? " raw=" + Convert.ToHexString(_raw) : string.Empty)}";
}
