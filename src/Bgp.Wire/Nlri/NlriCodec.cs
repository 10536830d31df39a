using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// Reads and writes NLRI prefixes (RFC 4271 section 4.3, RFC 4760 section 5, RFC 7911 section 3).
/// </summary>
/// <remarks>
/// <code>
/// +---------------------------+
/// |   Path Identifier (4)     |  only with ADD-PATH
/// +---------------------------+
/// |   Length (1 octet, bits)  |
/// +---------------------------+
/// |   Prefix (ceil(Length/8)) |
/// +---------------------------+
/// </code>
/// Bits beyond the length are irrelevant (RFC 4271 section 4.3): they are cleared on reading, as
/// bgpdump and Wireshark print such prefixes, and never written.
/// </remarks>
internal static class NlriCodec
{
    /// <summary>Checks a whole NLRI field; false when a length exceeds the family or an entry overruns.</summary>
    public static bool TryValidate(ReadOnlySpan<byte> field, bool ipv6, bool addPath, out int count)
    {
        if (!ipv6 && !addPath)
        {
            return TryValidateIPv4(field, out count);
        }
        count = 0;
        var max = ipv6 ? 128 : 32;
        var at = 0;
        while (at < field.Length)
        {
            if (addPath)
            {
                at += 4;
                if (at >= field.Length)
                {
                    return false;
                }
            }
            int length = field[at];
            if (length > max)
            {
                return false;
            }
            at += 1 + ((length + 7) >> 3);
            if (at > field.Length)
            {
                return false;
            }
            count++;
        }
        return true;
    }

    /// <summary>Reads one entry at <paramref name="at"/> of a validated field; returns the offset after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Read(ReadOnlySpan<byte> field, int at, bool ipv6, bool addPath, out Nlri nlri)
    {
        uint pathId = 0;
        if (addPath)
        {
            pathId = BinaryPrimitives.ReadUInt32BigEndian(field[at..]);
            at += 4;
        }
        int length = field[at++];
        var bytes = (length + 7) >> 3;
        var value = field.Slice(at, bytes);
        var prefix = ipv6 ? ReadIPv6(value, length) : Prefix.FromIPv4Unchecked(ReadIPv4(value), length);
        nlri = addPath ? new Nlri(pathId, prefix) : new Nlri(prefix);
        return at + bytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadIPv4(ReadOnlySpan<byte> value) => value.Length switch
    {
        0 => 0,
        1 => (uint)value[0] << 24,
        2 => (uint)BinaryPrimitives.ReadUInt16BigEndian(value) << 16,
        3 => (uint)BinaryPrimitives.ReadUInt16BigEndian(value) << 16 | (uint)value[2] << 8,
        _ => BinaryPrimitives.ReadUInt32BigEndian(value),
    };

    private static Prefix ReadIPv6(ReadOnlySpan<byte> value, int length)
    {
        ulong hi = 0, lo = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (i < 8)
            {
                hi |= (ulong)value[i] << (56 - 8 * i);
            }
            else
            {
                lo |= (ulong)value[i] << (120 - 8 * i);
            }
        }
        return Prefix.FromIPv6(hi, lo, length);
    }

    /// <summary>Octets one entry takes.</summary>
    public static int EncodedLength(in Prefix prefix, bool addPath) => (addPath ? 5 : 1) + prefix.ByteCount;

    /// <summary>Writes one entry; returns the octets written. Without ADD-PATH the path id is dropped; with it a missing id is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, in Nlri nlri, bool addPath)
    {
        var at = 0;
        if (addPath)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, nlri.PathId ?? 0);
            at = 4;
        }
        return at + WritePrefix(destination[at..], nlri.Prefix);
    }

    /// <summary>Writes the length octet and the significant address octets of a prefix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WritePrefix(Span<byte> destination, in Prefix prefix)
    {
        var length = prefix.Length;
        var bytes = (length + 7) >> 3;
        if (destination.Length < 5 + (prefix.IsIPv6 ? 12 : 0))
        {
            return WritePrefixSlow(destination, prefix, bytes);
        }
        destination[0] = (byte)length;
        if (prefix.IsIPv4)
        {
            // The address is host-bit clean, so writing all 4 octets and counting only the significant ones is exact.
            BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)(prefix.Upper >> 32));
            return 1 + bytes;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], prefix.Upper);
        if (bytes > 8)
        {
            WriteLower(destination[9..], prefix.Lower, bytes - 8);
        }
        return 1 + bytes;
    }

    private static int WritePrefixSlow(Span<byte> destination, in Prefix prefix, int bytes)
    {
        destination[0] = (byte)prefix.Length;
        for (var i = 0; i < bytes; i++)
        {
            destination[1 + i] = i < 8 ? (byte)(prefix.Upper >> (56 - 8 * i)) : (byte)(prefix.Lower >> (120 - 8 * i));
        }
        return 1 + bytes;
    }

    private static void WriteLower(Span<byte> destination, ulong lower, int bytes)
    {
        for (var i = 0; i < bytes; i++)
        {
            destination[i] = (byte)(lower >> (56 - 8 * i));
        }
    }

    /// <summary>Checks an IPv4 field without ADD-PATH, the common case, in one tight loop.</summary>
    private static bool TryValidateIPv4(ReadOnlySpan<byte> field, out int count)
    {
        count = 0;
        var at = 0;
        while (at < field.Length)
        {
            int length = field[at];
            if (length > 32)
            {
                return false;
            }
            at += 1 + ((length + 7) >> 3);
            count++;
        }
        return at == field.Length;
    }
}

/// <summary>
/// Walks the prefixes of an NLRI field without allocating: <c>foreach (var nlri in reader.Nlri)</c>. Entries are
/// checked as they are read; a length beyond the family or an entry overrunning the field throws
/// <see cref="BgpWireException"/> (UPDATE Message Error / Invalid Network Field: a session reset, RFC 7606 section 5.3).
/// </summary>
public ref struct NlriEnumerator
{
    private readonly ReadOnlySpan<byte> _field;
    private readonly bool _ipv6;
    private readonly bool _addPath;
    private readonly int _origin;
    private int _at;
    private int _runLength;
    private int _runSize;
    private Nlri _current;

    // origin: where the field starts in the decoder's input, for the offset of an error.
    internal NlriEnumerator(ReadOnlySpan<byte> field, bool ipv6, bool addPath, int origin = 0)
    {
        _field = field;
        _ipv6 = ipv6;
        _addPath = addPath;
        _origin = origin;
        _at = 0;
        _runLength = -1;
        _runSize = 0;
        _current = default;
    }

    /// <summary>Number of entries in the field (walks the field once).</summary>
    /// <exception cref="BgpWireException">The field is malformed.</exception>
    public readonly int Count => NlriCodec.TryValidate(_field, _ipv6, _addPath, out var count) ? count : throw Malformed(_origin + FirstMalformed(_field, _ipv6, _addPath));

    /// <summary>The current entry.</summary>
    public readonly Nlri Current => _current;

    /// <summary>Advances to the next entry.</summary>
    /// <exception cref="BgpWireException">The next entry is malformed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MoveNext()
    {
        var at = _at;
        // The hot path, small enough to inline into the caller's loop: an IPv4 entry without a path id, with at
        // least 5 octets left. A length of at most 32 is then the only check, since the entry cannot be longer
        // than 5 octets; the 4 octets after the length are read at once and masked to the prefix length.
        if (!_ipv6 && !_addPath && at <= _field.Length - 5)
        {
            ref var entry = ref Unsafe.Add(ref MemoryMarshal.GetReference(_field), at);
            int length = entry;
            // Within a run of one prefix length (the usual UPDATE) the next offset is a branch the CPU predicts,
            // not a value computed from the octet just loaded, so walking entries does not wait on each load.
            if (length == _runLength)
            {
                _at = at + _runSize;
            }
            else if (length <= 32)
            {
                _runLength = length;
                _runSize = 1 + ((length + 7) >> 3);
                _at = at + _runSize;
            }
            else
            {
                goto Checked;
            }
            var address = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref entry, 1)));
            _current = new Nlri(Prefix.FromIPv4Unchecked(address, length));
            return true;
        }
    Checked:
        var step = ReadChecked(_field, at, _ipv6, _addPath, _origin);
        if (step.Next < 0)
        {
            return false;
        }
        _current = step.Nlri;
        _at = step.Next;
        return true;
    }

    // Every other case: IPv6, ADD-PATH, the last entries of a field, and malformed entries. Static and returning
    // its result (rather than updating this enumerator through a reference) so that the caller's enumerator stays
    // in registers in the hot loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Next, Nlri Nlri) ReadChecked(ReadOnlySpan<byte> field, int at, bool ipv6, bool addPath, int origin)
    {
        if (at >= field.Length)
        {
            return (-1, default);
        }
        if (!IsWhole(field, at, ipv6, addPath))
        {
            throw Malformed(origin + at);
        }
        var next = NlriCodec.Read(field, at, ipv6, addPath, out var nlri);
        return (next, nlri);
    }

    // The entry at `at` has its header, a length within the family and all its prefix octets.
    private static bool IsWhole(ReadOnlySpan<byte> field, int at, bool ipv6, bool addPath)
    {
        var header = addPath ? 5 : 1;
        if (at + header > field.Length)
        {
            return false;
        }
        int length = field[at + header - 1];
        return length <= (ipv6 ? 128 : 32) && at + header + ((length + 7) >> 3) <= field.Length;
    }

    // Where the first malformed entry of a field that does not validate starts (only on the error path).
    private static int FirstMalformed(ReadOnlySpan<byte> field, bool ipv6, bool addPath)
    {
        var at = 0;
        while (at < field.Length && IsWhole(field, at, ipv6, addPath))
        {
            at += (addPath ? 5 : 1) + ((field[at + (addPath ? 4 : 0)] + 7) >> 3);
        }
        return at;
    }

    private static BgpWireException Malformed(int offset) =>
        new(BgpError.Update(UpdateMessageErrorSubcode.InvalidNetworkField, default, ErrorAction.SessionReset, "NLRI field is malformed", offset));

    /// <summary>For <c>foreach</c>.</summary>
    public readonly NlriEnumerator GetEnumerator() => this;

    /// <summary>Copies the entries into a new array (allocates).</summary>
    /// <exception cref="BgpWireException">The field is malformed.</exception>
    public readonly Nlri[] ToArray()
    {
        var result = new Nlri[Count];
        var copy = new NlriEnumerator(_field, _ipv6, _addPath, _origin);
        var i = 0;
        while (copy.MoveNext())
        {
            result[i++] = copy.Current;
        }
        return result;
    }
}
