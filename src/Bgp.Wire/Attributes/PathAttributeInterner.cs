using System.Diagnostics.CodeAnalysis;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// Shares equal <see cref="PathAttributes"/> instances: routes that carry the same attributes point to one object.
/// A received Path Attributes field is found from its octets (hashed, compared with the held sets' canonical
/// encodings) without decoding or allocating anything, so only the first UPDATE with a new set pays for its objects.
/// Thread-safe. The owner (an Adj-RIB) decides when to drop it.
/// </summary>
public sealed class PathAttributeInterner
{
    // One entry (hash, next, reference: 16 octets) per set; the canonical octets the lookup compares with are the
    // ones equality needs anyway, so finding a set by its octets costs no memory of its own.
    private readonly HashSet<PathAttributes> _table = new(SetComparer.Instance);
    private readonly Lock _gate = new();

    // Distinct sets often share their AS_PATH (a peer's routes with different MEDs or communities): decoded once.
    private readonly Dictionary<byte[], AsPath> _asPaths = new(OctetsComparer.Instance);

    // Sets learned from received octets are kept as those octets, packed into shared chunks (written under _gate).
    private readonly AttributeOctetArena _arena = new();

    /// <summary>Number of distinct sets held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _table.Count;
            }
        }
    }

    /// <summary>The shared instance equal to <paramref name="attributes"/> (itself the first time it is seen).</summary>
    public PathAttributes Intern(PathAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        _ = attributes.GetHashCode(); // computed outside the lock
        lock (_gate)
        {
            if (_table.TryGetValue(attributes, out var held))
            {
                return held;
            }
            _table.Add(attributes);
            return attributes;
        }
    }

    /// <summary>
    /// Finds the held set whose encoding on a 4-octet-AS session is exactly <paramref name="field"/>, a Path Attributes
    /// field received on a session with <paramref name="context"/> (RFC 4271 section 4.3) that Bgp.Wire's RFC 7606
    /// checks passed without error and that carries no MP_REACH_NLRI or MP_UNREACH_NLRI. Allocates nothing. False on a
    /// 2-octet-AS session (its AS_PATH octets differ from the canonical ones) or when no such set is held.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> field, BgpDecodeContext context, [NotNullWhen(true)] out PathAttributes? attributes)
    {
        ArgumentNullException.ThrowIfNull(context);
        attributes = null;
        if (!context.FourOctetAs)
        {
            return false;
        }
        lock (_gate)
        {
            return _table.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(field, out attributes);
        }
    }

    /// <summary>
    /// Decodes <paramref name="field"/> (as for <see cref="TryGet"/>) and interns it. <paramref name="foundByOctets"/>
    /// is true when <see cref="TryGet"/> will find the set from the same octets next time (they are its canonical
    /// encoding); a caller that sees false can remember the octets itself. Null when the field holds no attribute.
    /// </summary>
    public PathAttributes? Intern(ReadOnlySpan<byte> field, BgpDecodeContext context, out bool foundByOctets)
    {
        ArgumentNullException.ThrowIfNull(context);
        foundByOctets = false;
        lock (_gate)
        {
            var decoded = PathAttributes.Decode(field, context, _asPaths, out _, out _);
            if (decoded is null)
            {
                return null;
            }
            if (context.FourOctetAs && IsCanonical(decoded, field))
            {
                // The field is the set's canonical encoding: keep the octets (decoded again only if someone reads a
                // field) and let the decoded objects go.
                foundByOctets = true;
                if (_table.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(field, out var held))
                {
                    return held;
                }
                var (chunk, offset) = _arena.Append(field);
                var stored = PathAttributes.FromCanonical(chunk, offset, field.Length);
                _table.Add(stored);
                return stored;
            }
            _ = decoded.GetHashCode();
            if (_table.TryGetValue(decoded, out var existing))
            {
                return existing;
            }
            _table.Add(decoded);
            return decoded;
        }
    }

    /// <summary>True when <paramref name="decoded"/> encodes on a 4-octet session to exactly <paramref name="field"/>.</summary>
    private static bool IsCanonical(PathAttributes decoded, ReadOnlySpan<byte> field)
    {
        var length = decoded.GetEncodedLength(BgpDecodeContext.FourOctetAsDefault);
        if (length != field.Length)
        {
            return false;
        }
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = decoded.Write(buffer, BgpDecodeContext.FourOctetAsDefault);
            return buffer[..written].SequenceEqual(field);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Octets of the sets held by octets (chunks in use, not their fill), for memory accounting.</summary>
    internal long ArenaOctets
    {
        get
        {
            lock (_gate)
            {
                return _arena.ReservedOctets;
            }
        }
    }

    private sealed class SetComparer : IEqualityComparer<PathAttributes>, IAlternateEqualityComparer<ReadOnlySpan<byte>, PathAttributes>
    {
        public static readonly SetComparer Instance = new();

        public bool Equals(PathAttributes? x, PathAttributes? y) => x is null ? y is null : x.Equals(y);

        public int GetHashCode(PathAttributes obj) => obj.GetHashCode();

        public bool Equals(ReadOnlySpan<byte> alternate, PathAttributes other) => !other.HasMpNextHop && alternate.SequenceEqual(other.Canonical);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => PathAttributes.HashOfCanonical(alternate);

        // Sets are only added as objects; a lookup by octets never creates one.
        public PathAttributes Create(ReadOnlySpan<byte> alternate) => throw new NotSupportedException();
    }
}
