using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// An IPv4 or IPv6 prefix (address and mask length) as a compact value: the address is held as
/// 128 bits in two integers, never as an <see cref="IPAddress"/>, so prefixes cost no allocation.
/// Host bits beyond <see cref="Length"/> are always zero (the canonical form).
/// </summary>
/// <remarks>
/// IPv4 addresses occupy the top 32 bits of the 128-bit value, so masking and containment are
/// the same operation for both families. Ordering: IPv4 before IPv6, then address, then length.
/// </remarks>
public readonly struct Prefix : IEquatable<Prefix>, IComparable<Prefix>, ISpanFormattable
{
    private const byte V4 = 4;
    private const byte V6 = 6;

    private readonly ulong _hi;
    private readonly ulong _lo;
    private readonly byte _length;
    private readonly byte _version;

    private Prefix(ulong hi, ulong lo, int length, byte version)
    {
        var (mhi, mlo) = Mask(length);
        _hi = hi & mhi;
        _lo = lo & mlo;
        _length = (byte)length;
        _version = version;
    }

    /// <summary>The address family: <see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>.</summary>
    public AddressFamily Family => _version == V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    /// <summary>True for an IPv4 prefix (the default value is 0.0.0.0/0).</summary>
    public bool IsIPv4 => _version != V6;

    /// <summary>True for an IPv6 prefix.</summary>
    public bool IsIPv6 => _version == V6;

    /// <summary>The mask length in bits (0..32 for IPv4, 0..128 for IPv6).</summary>
    public int Length => _length;

    /// <summary>The largest length of this family: 32 or 128.</summary>
    public int MaxLength => IsIPv6 ? 128 : 32;

    /// <summary>The network address (host bits zero). Allocates an <see cref="IPAddress"/>.</summary>
    public IPAddress Address
    {
        get
        {
            if (IsIPv4)
            {
                return new IPAddress(BinaryPrimitives.ReverseEndianness((uint)(_hi >> 32)));
            }
            Span<byte> bytes = stackalloc byte[16];
            WriteAddress(bytes);
            return new IPAddress(bytes);
        }
    }

    /// <summary>The IPv4 network address as a host-order integer; 0 for IPv6 prefixes.</summary>
    public uint IPv4Address => IsIPv4 ? (uint)(_hi >> 32) : 0;

    /// <summary>Creates an IPv4 prefix from a host-order address; host bits are cleared.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is not 0..32.</exception>
    public static Prefix FromIPv4(uint address, int length)
    {
        if ((uint)length > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "IPv4 prefix length must be 0..32.");
        }
        return new Prefix((ulong)address << 32, 0, length, V4);
    }

    /// <summary>An IPv4 prefix from a length already known to be 0..32 (the NLRI reader validated it).</summary>
    /// <remarks>The mask keeps the top <paramref name="length"/> bits without a branch for /0 (a shift by 0 keeps all ones).</remarks>
    internal static Prefix FromIPv4Unchecked(uint address, int length) =>
        new(((ulong)address << 32) & ~(ulong.MaxValue >> length), length);

    private Prefix(ulong hiMasked, int length)
    {
        _hi = hiMasked;
        _lo = 0;
        _length = (byte)length;
        _version = V4;
    }

    /// <summary>Creates an IPv6 prefix from the address's upper and lower 64 bits; host bits are cleared.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is not 0..128.</exception>
    public static Prefix FromIPv6(ulong upper, ulong lower, int length)
    {
        if ((uint)length > 128)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "IPv6 prefix length must be 0..128.");
        }
        return new Prefix(upper, lower, length, V6);
    }

    /// <summary>Creates a prefix of the address's family; host bits beyond <paramref name="length"/> are cleared.</summary>
    /// <exception cref="ArgumentException">The address is neither IPv4 nor IPv6, or the length is out of range.</exception>
    public static Prefix Create(IPAddress address, int length)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException("Address could not be read.", nameof(address));
        }
        return written switch
        {
            4 => FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes), length),
            16 => FromIPv6(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), length),
            _ => throw new ArgumentException("Only IPv4 and IPv6 addresses form prefixes.", nameof(address)),
        };
    }

    /// <summary>The host prefix (/32 or /128) of an address.</summary>
    public static Prefix Host(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Create(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
    }

    /// <summary>
    /// Parses "10.0.0.0/8" or "2001:db8::/32". Host bits set in the address are cleared, as Go's
    /// <c>net.ParseCIDR</c> does for the network; the length is required.
    /// </summary>
    /// <exception cref="FormatException">The text is not a prefix.</exception>
    public static Prefix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text.AsSpan(), out var prefix) ? prefix : throw new FormatException($"'{text}' is not an IP prefix (address/length).");
    }

    /// <summary>Parses a prefix without throwing; see <see cref="Parse(string)"/>.</summary>
    public static bool TryParse(string? text, out Prefix prefix) => TryParse(text.AsSpan(), out prefix);

    /// <summary>Parses a prefix from characters without throwing; see <see cref="Parse(string)"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Prefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/');
        if (slash <= 0 || slash == text.Length - 1)
        {
            return false;
        }
        var lengthText = text[(slash + 1)..];
        if (lengthText.Length > 3 || !int.TryParse(lengthText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
        {
            return false;
        }
        if (text[..slash].Contains('%') || !IPAddress.TryParse(text[..slash], out var address))
        {
            return false;
        }
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (length > max)
        {
            return false;
        }
        prefix = Create(address, length);
        return true;
    }

    /// <summary>True when <paramref name="address"/> is of this family and inside this prefix.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6 != IsIPv6 || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }
        return Contains(Host(address));
    }

    /// <summary>True when <paramref name="other"/> is of this family, at least as long, and inside this prefix.</summary>
    public bool Contains(Prefix other)
    {
        if (other._version != _version && (other.IsIPv6 || IsIPv6) || other._length < _length)
        {
            return false;
        }
        var (mhi, mlo) = Mask(_length);
        return (other._hi & mhi) == _hi && (other._lo & mlo) == _lo;
    }

    /// <summary>Writes the full address (4 or 16 bytes, network order) and returns the bytes written.</summary>
    public int WriteAddress(Span<byte> destination)
    {
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(_hi >> 32));
            return 4;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _lo);
        return 16;
    }

    /// <summary>Number of address bytes the prefix occupies in NLRI encoding: ceil(Length / 8).</summary>
    public int ByteCount => (_length + 7) >> 3;

    internal ulong Upper => _hi;

    internal ulong Lower => _lo;

    private static (ulong Hi, ulong Lo) Mask(int length) => length switch
    {
        0 => (0, 0),
        < 64 => (ulong.MaxValue << (64 - length), 0),
        64 => (ulong.MaxValue, 0),
        < 128 => (ulong.MaxValue, ulong.MaxValue << (128 - length)),
        _ => (ulong.MaxValue, ulong.MaxValue),
    };

    /// <inheritdoc/>
    public bool Equals(Prefix other) => _hi == other._hi && _lo == other._lo && _length == other._length && IsIPv6 == other.IsIPv6;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Prefix other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_hi, _lo, _length, IsIPv6);

    /// <inheritdoc/>
    public int CompareTo(Prefix other)
    {
        var c = IsIPv6.CompareTo(other.IsIPv6);
        if (c != 0)
        {
            return c;
        }
        c = _hi.CompareTo(other._hi);
        if (c != 0)
        {
            return c;
        }
        c = _lo.CompareTo(other._lo);
        return c != 0 ? c : _length.CompareTo(other._length);
    }

    /// <summary>Equality of value.</summary>
    public static bool operator ==(Prefix left, Prefix right) => left.Equals(right);

    /// <summary>Inequality of value.</summary>
    public static bool operator !=(Prefix left, Prefix right) => !left.Equals(right);

    /// <summary>Ordering (IPv4 first, then address, then length).</summary>
    public static bool operator <(Prefix left, Prefix right) => left.CompareTo(right) < 0;

    /// <summary>Ordering (IPv4 first, then address, then length).</summary>
    public static bool operator >(Prefix left, Prefix right) => left.CompareTo(right) > 0;

    /// <summary>Ordering (IPv4 first, then address, then length).</summary>
    public static bool operator <=(Prefix left, Prefix right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering (IPv4 first, then address, then length).</summary>
    public static bool operator >=(Prefix left, Prefix right) => left.CompareTo(right) >= 0;

    /// <summary>The canonical text form: "10.0.0.0/8", "2001:db8::/32" (RFC 5952 for IPv6).</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[50];
        TryFormat(buffer, out var written, default, null);
        return new string(buffer[..written]);
    }

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        charsWritten = 0;
        int n;
        if (IsIPv4)
        {
            var a = (uint)(_hi >> 32);
            var pos = 0;
            for (var shift = 24; shift >= 0; shift -= 8)
            {
                if (!((byte)(a >> shift)).TryFormat(destination[pos..], out n, default, System.Globalization.CultureInfo.InvariantCulture))
                {
                    return false;
                }
                pos += n;
                if (shift > 0)
                {
                    if (pos >= destination.Length)
                    {
                        return false;
                    }
                    destination[pos++] = '.';
                }
            }
            n = pos;
        }
        else
        {
            Span<byte> bytes = stackalloc byte[16];
            WriteAddress(bytes);
            if (!new IPAddress(bytes).TryFormat(destination, out n))
            {
                return false;
            }
        }
        if (n >= destination.Length)
        {
            return false;
        }
        destination[n++] = '/';
        if (!_length.TryFormat(destination[n..], out var m, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            return false;
        }
        charsWritten = n + m;
        return true;
    }
}
