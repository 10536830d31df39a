using System.Buffers.Binary;
using System.Text;

namespace BgpKit.Bgp.Wire;

/// <summary>AS_PATH segment types (RFC 4271 section 4.3, RFC 5065 section 3).</summary>
public enum AsPathSegmentType : byte
{
    /// <summary>AS_SET: unordered.</summary>
    AsSet = 1,

    /// <summary>AS_SEQUENCE: ordered.</summary>
    AsSequence = 2,

    /// <summary>AS_CONFED_SEQUENCE (RFC 5065).</summary>
    AsConfedSequence = 3,

    /// <summary>AS_CONFED_SET (RFC 5065).</summary>
    AsConfedSet = 4,
}

/// <summary>One AS_PATH segment: a type and its AS numbers.</summary>
public sealed class AsPathSegment : IEquatable<AsPathSegment>
{
    private readonly uint[] _asns;

    /// <summary>A segment; it must hold 1..255 AS numbers.</summary>
    /// <exception cref="ArgumentException">The segment is empty or longer than 255.</exception>
    public AsPathSegment(AsPathSegmentType type, IEnumerable<uint> asns)
    {
        ArgumentNullException.ThrowIfNull(asns);
        _asns = [.. asns];
        if (_asns.Length is 0 or > 255)
        {
            throw new ArgumentException("An AS_PATH segment holds 1..255 AS numbers.", nameof(asns));
        }
        Type = type;
    }

    internal AsPathSegment(AsPathSegmentType type, uint[] asns, bool trusted)
    {
        _ = trusted;
        Type = type;
        _asns = asns;
    }

    /// <summary>The segment type.</summary>
    public AsPathSegmentType Type { get; }

    /// <summary>The AS numbers in wire order.</summary>
    public IReadOnlyList<uint> Asns => _asns;

    internal uint[] AsnArray => _asns;

    /// <inheritdoc/>
    public bool Equals(AsPathSegment? other) => other is not null && other.Type == Type && other._asns.AsSpan().SequenceEqual(_asns);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AsPathSegment);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        foreach (var a in _asns)
        {
            hash.Add(a);
        }
        return hash.ToHashCode();
    }

    /// <summary>"1 2 3", "{1,2}", "(1 2)", "[1,2]" as bgpdump and Cisco print them.</summary>
    public override string ToString() => Type switch
    {
        AsPathSegmentType.AsSet => "{" + string.Join(",", _asns) + "}",
        AsPathSegmentType.AsConfedSequence => "(" + string.Join(" ", _asns) + ")",
        AsPathSegmentType.AsConfedSet => "[" + string.Join(",", _asns) + "]",
        _ => string.Join(" ", _asns),
    };
}

/// <summary>
/// An AS_PATH (RFC 4271 section 5.1.2) as 4-octet AS numbers, after RFC 6793 reconciliation with AS4_PATH.
/// </summary>
/// <remarks>
/// <code>
/// +-----------------+-----------------+-----------------------------+
/// | segment type(1) | segment len (1) | ASNs (len x 2 or 4 octets)  |  repeated
/// +-----------------+-----------------+-----------------------------+
/// </code>
/// </remarks>
public sealed class AsPath : IEquatable<AsPath>
{
    /// <summary>The empty path (locally originated routes on iBGP).</summary>
    public static AsPath Empty { get; } = new([]);

    private readonly AsPathSegment[] _segments;

    /// <summary>A path of segments.</summary>
    public AsPath(IEnumerable<AsPathSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        _segments = [.. segments];
    }

    /// <summary>A path of one AS_SEQUENCE (split into 255-ASN segments when longer).</summary>
    public static AsPath Sequence(params uint[] asns)
    {
        ArgumentNullException.ThrowIfNull(asns);
        if (asns.Length == 0)
        {
            return Empty;
        }
        var segments = new List<AsPathSegment>();
        for (var i = 0; i < asns.Length; i += 255)
        {
            segments.Add(new AsPathSegment(AsPathSegmentType.AsSequence, asns.AsSpan(i, Math.Min(255, asns.Length - i)).ToArray(), true));
        }
        return new AsPath(segments);
    }

    /// <summary>The segments in wire order.</summary>
    public IReadOnlyList<AsPathSegment> Segments => _segments;

    /// <summary>
    /// The path length for best-path selection (RFC 4271 section 9.1.2.2): each AS_SET counts 1, confederation
    /// segments count 0 (RFC 5065 section 5.3).
    /// </summary>
    public int Length
    {
        get
        {
            var n = 0;
            foreach (var s in _segments)
            {
                n += s.Type switch { AsPathSegmentType.AsSequence => s.AsnArray.Length, AsPathSegmentType.AsSet => 1, _ => 0 };
            }
            return n;
        }
    }

    /// <summary>The originating AS: the last AS of a final AS_SEQUENCE, or null.</summary>
    public uint? OriginAs => _segments.Length > 0 && _segments[^1].Type == AsPathSegmentType.AsSequence ? _segments[^1].AsnArray[^1] : null;

    /// <summary>The neighbouring AS: the first AS of a leading AS_SEQUENCE, or null.</summary>
    public uint? FirstAs => _segments.Length > 0 && _segments[0].Type == AsPathSegmentType.AsSequence ? _segments[0].AsnArray[0] : null;

    /// <summary>A copy with <paramref name="asn"/> prepended <paramref name="count"/> times (RFC 4271 section 5.1.2).</summary>
    public AsPath Prepend(uint asn, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var segments = new List<AsPathSegment>(_segments);
        var head = new List<uint>();
        for (var i = 0; i < count; i++)
        {
            head.Add(asn);
        }
        if (segments.Count > 0 && segments[0].Type == AsPathSegmentType.AsSequence)
        {
            head.AddRange(segments[0].AsnArray);
            segments.RemoveAt(0);
        }
        var insert = new List<AsPathSegment>();
        for (var i = head.Count; i > 0; i -= 255)
        {
            var start = Math.Max(0, i - 255);
            insert.Insert(0, new AsPathSegment(AsPathSegmentType.AsSequence, head.GetRange(start, i - start).ToArray(), true));
        }
        segments.InsertRange(0, insert);
        return new AsPath(segments);
    }

    /// <summary>True when any AS needs 4 octets.</summary>
    public bool HasFourOctetAsns
    {
        get
        {
            foreach (var s in _segments)
            {
                foreach (var a in s.AsnArray)
                {
                    if (a > ushort.MaxValue)
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    internal static bool IsWellFormed(ReadOnlySpan<byte> value, int asnSize)
    {
        var at = 0;
        while (at < value.Length)
        {
            if (value.Length - at < 2)
            {
                return false;
            }
            var type = value[at];
            var count = value[at + 1];
            // RFC 7606 section 7.2: unknown segment types and zero-length segments are malformed.
            if (type is < 1 or > 4 || count == 0)
            {
                return false;
            }
            at += 2 + count * asnSize;
            if (at > value.Length)
            {
                return false;
            }
        }
        return true;
    }

    internal static AsPath Decode(ReadOnlySpan<byte> value, int asnSize)
    {
        if (value.IsEmpty)
        {
            return Empty;
        }
        var segments = new List<AsPathSegment>(1);
        var at = 0;
        while (at < value.Length)
        {
            var type = (AsPathSegmentType)value[at];
            var asns = new uint[value[at + 1]];
            at += 2;
            for (var i = 0; i < asns.Length; i++)
            {
                asns[i] = asnSize == 4 ? BinaryPrimitives.ReadUInt32BigEndian(value[at..]) : BinaryPrimitives.ReadUInt16BigEndian(value[at..]);
                at += asnSize;
            }
            segments.Add(new AsPathSegment(type, asns, true));
        }
        return new AsPath(segments);
    }

    internal int EncodedLength(int asnSize, bool skipConfed = false)
    {
        var n = 0;
        foreach (var s in _segments)
        {
            if (skipConfed && s.Type is AsPathSegmentType.AsConfedSequence or AsPathSegmentType.AsConfedSet)
            {
                continue;
            }
            n += 2 + s.AsnArray.Length * asnSize;
        }
        return n;
    }

    /// <summary>Writes segments; with 2-octet ASNs, ASes above 65535 become AS_TRANS (RFC 6793 section 4.2.2).</summary>
    internal int Write(Span<byte> destination, int asnSize, bool skipConfed = false)
    {
        var at = 0;
        foreach (var s in _segments)
        {
            if (skipConfed && s.Type is AsPathSegmentType.AsConfedSequence or AsPathSegmentType.AsConfedSet)
            {
                continue;
            }
            destination[at] = (byte)s.Type;
            destination[at + 1] = (byte)s.AsnArray.Length;
            at += 2;
            foreach (var a in s.AsnArray)
            {
                if (asnSize == 4)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(destination[at..], a);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16BigEndian(destination[at..], a > ushort.MaxValue ? OpenMessage.AsTrans : (ushort)a);
                }
                at += asnSize;
            }
        }
        return at;
    }

    /// <summary>
    /// Merges a 2-octet AS_PATH with AS4_PATH (RFC 6793 section 4.2.3): when AS_PATH has at least as many ASes,
    /// the leading surplus of AS_PATH is kept and AS4_PATH appended; otherwise AS4_PATH is ignored.
    /// </summary>
    internal static AsPath Reconcile(AsPath asPath, AsPath as4Path)
    {
        var count = CountForMerge(asPath);
        var count4 = CountForMerge(as4Path);
        if (count < count4)
        {
            return asPath;
        }
        var keep = count - count4;
        var result = new List<AsPathSegment>();
        var leading = true;
        foreach (var s in asPath._segments)
        {
            // Confederation segments do not count (RFC 6793 section 4.2.3) and are kept where they lead the path
            // (RFC 5065 section 5: a confederation member prepends them). One after an AS_SEQUENCE or AS_SET is
            // not part of "the leading part" the RFC takes: keeping it put it between the kept ASes and AS4_PATH,
            // where the next decode of our own encoding dropped it, so a path did not survive a round trip.
            if (s.Type is AsPathSegmentType.AsConfedSequence or AsPathSegmentType.AsConfedSet)
            {
                if (leading)
                {
                    result.Add(s);
                }
                continue;
            }
            leading = false;
            if (keep == 0)
            {
                break;
            }
            if (s.Type == AsPathSegmentType.AsSet)
            {
                result.Add(s);
                keep--;
                continue;
            }
            var take = Math.Min(keep, s.AsnArray.Length);
            result.Add(take == s.AsnArray.Length ? s : new AsPathSegment(s.Type, s.AsnArray[..take], true));
            keep -= take;
        }
        foreach (var s in as4Path._segments)
        {
            // RFC 6793 section 6: confederation segments in AS4_PATH are discarded.
            if (s.Type is AsPathSegmentType.AsSequence or AsPathSegmentType.AsSet)
            {
                result.Add(s);
            }
        }
        return new AsPath(Coalesce(result));
    }

    private static List<AsPathSegment> Coalesce(List<AsPathSegment> segments)
    {
        var result = new List<AsPathSegment>(segments.Count);
        foreach (var s in segments)
        {
            if (result.Count > 0 && result[^1].Type == AsPathSegmentType.AsSequence && s.Type == AsPathSegmentType.AsSequence
                && result[^1].AsnArray.Length + s.AsnArray.Length <= 255)
            {
                result[^1] = new AsPathSegment(AsPathSegmentType.AsSequence, [.. result[^1].AsnArray, .. s.AsnArray], true);
            }
            else
            {
                result.Add(s);
            }
        }
        return result;
    }

    private static int CountForMerge(AsPath path)
    {
        var n = 0;
        foreach (var s in path._segments)
        {
            n += s.Type switch { AsPathSegmentType.AsSequence => s.AsnArray.Length, AsPathSegmentType.AsSet => 1, _ => 0 };
        }
        return n;
    }

    /// <inheritdoc/>
    public bool Equals(AsPath? other) => other is not null && other._segments.AsSpan().SequenceEqual(_segments);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AsPath);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var s in _segments)
        {
            hash.Add(s);
        }
        return hash.ToHashCode();
    }

    /// <summary>"65000 65001 {1,2}" as bgpdump -m prints it.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var s in _segments)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(s);
        }
        return sb.ToString();
    }
}

/// <summary>AGGREGATOR (RFC 4271 section 5.1.7): the AS and BGP identifier of the aggregating speaker.</summary>
/// <param name="Asn">The aggregating AS (after RFC 6793 reconciliation with AS4_AGGREGATOR).</param>
/// <param name="Address">The aggregator's BGP identifier, host order.</param>
public readonly record struct Aggregator(uint Asn, uint Address)
{
    /// <summary>"65000 192.0.2.1".</summary>
    public override string ToString() => $"{Asn} {Address >> 24}.{(byte)(Address >> 16)}.{(byte)(Address >> 8)}.{(byte)Address}";
}

/// <summary>A path attribute BgpKit does not interpret, kept byte for byte (RFC 4271 section 5).</summary>
/// <param name="Flags">The flags as received (the Extended Length bit is recomputed on encoding).</param>
/// <param name="TypeCode">The type code.</param>
/// <param name="Value">The value octets.</param>
public sealed record UnknownAttribute(PathAttributeFlags Flags, byte TypeCode, ReadOnlyMemory<byte> Value)
{
    /// <inheritdoc/>
    public bool Equals(UnknownAttribute? other) =>
        other is not null && (other.Flags & ~PathAttributeFlags.ExtendedLength) == (Flags & ~PathAttributeFlags.ExtendedLength)
        && other.TypeCode == TypeCode && other.Value.Span.SequenceEqual(Value.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TypeCode, Value.Length);

    /// <summary>"type 99 flags 0xc0 value 0102".</summary>
    public override string ToString() => $"type {TypeCode} flags 0x{(byte)Flags:x2} value {Convert.ToHexString(Value.Span)}";
}
