using System.Buffers.Binary;

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
        Prefix prefix;
        if (!ipv6)
        {
            uint address = bytes switch
            {
                0 => 0,
                1 => (uint)value[0] << 24,
                2 => (uint)BinaryPrimitives.ReadUInt16BigEndian(value) << 16,
                3 => (uint)BinaryPrimitives.ReadUInt16BigEndian(value) << 16 | (uint)value[2] << 8,
                _ => BinaryPrimitives.ReadUInt32BigEndian(value),
            };
            prefix = Prefix.FromIPv4(address, length);
        }
        else
        {
            Span<byte> full = stackalloc byte[16];
            full.Clear();
            value.CopyTo(full);
            prefix = Prefix.FromIPv6(BinaryPrimitives.ReadUInt64BigEndian(full), BinaryPrimitives.ReadUInt64BigEndian(full[8..]), length);
        }
        nlri = addPath ? new Nlri(pathId, prefix) : new Nlri(prefix);
        return at + bytes;
    }

    /// <summary>Octets one entry takes.</summary>
    public static int EncodedLength(in Prefix prefix, bool addPath) => (addPath ? 5 : 1) + prefix.ByteCount;

    /// <summary>Writes one entry; returns the octets written. Without ADD-PATH the path id is dropped; with it a missing id is 0.</summary>
    public static int Write(Span<byte> destination, in Nlri nlri, bool addPath)
    {
        var at = 0;
        if (addPath)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, nlri.PathId ?? 0);
            at = 4;
        }
        var prefix = nlri.Prefix;
        destination[at++] = (byte)prefix.Length;
        var bytes = prefix.ByteCount;
        if (prefix.IsIPv4)
        {
            var a = prefix.IPv4Address;
            for (var i = 0; i < bytes; i++)
            {
                destination[at + i] = (byte)(a >> (24 - 8 * i));
            }
        }
        else if (bytes > 0)
        {
            Span<byte> full = stackalloc byte[16];
            prefix.WriteAddress(full);
            full[..bytes].CopyTo(destination[at..]);
        }
        return at + bytes;
    }
}

/// <summary>
/// Walks the prefixes of a validated NLRI field without allocating: <c>foreach (var nlri in reader.Nlri)</c>.
/// </summary>
public ref struct NlriEnumerator
{
    private readonly ReadOnlySpan<byte> _field;
    private readonly bool _ipv6;
    private readonly bool _addPath;
    private int _at;
    private Nlri _current;

    internal NlriEnumerator(ReadOnlySpan<byte> field, bool ipv6, bool addPath, int count)
    {
        _field = field;
        _ipv6 = ipv6;
        _addPath = addPath;
        _at = 0;
        _current = default;
        Count = count;
    }

    /// <summary>Number of entries in the field.</summary>
    public int Count { get; }

    /// <summary>The current entry.</summary>
    public readonly Nlri Current => _current;

    /// <summary>Advances to the next entry.</summary>
    public bool MoveNext()
    {
        if (_at >= _field.Length)
        {
            return false;
        }
        _at = NlriCodec.Read(_field, _at, _ipv6, _addPath, out _current);
        return true;
    }

    /// <summary>For <c>foreach</c>.</summary>
    public readonly NlriEnumerator GetEnumerator() => this;

    /// <summary>Copies the entries into a new array (allocates).</summary>
    public readonly Nlri[] ToArray()
    {
        var result = new Nlri[Count];
        var copy = this;
        copy._at = 0;
        var i = 0;
        while (copy.MoveNext())
        {
            result[i++] = copy.Current;
        }
        return result;
    }
}
