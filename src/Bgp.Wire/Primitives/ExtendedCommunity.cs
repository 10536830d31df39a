using System.Buffers.Binary;
using System.Globalization;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// An extended community (RFC 4360): 8 bytes, a type octet (high bit: IANA authority, bit 6:
/// non-transitive), a sub-type octet for the common "extended" types, and 6 (or 7) value bytes.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Type high    |  Type low(*)  |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+          Value                |
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly struct ExtendedCommunity : IEquatable<ExtendedCommunity>, IComparable<ExtendedCommunity>
{
    /// <summary>An extended community from its 8 bytes read as a big-endian integer.</summary>
    public ExtendedCommunity(ulong value) => Value = value;

    /// <summary>The 8 bytes as a big-endian integer.</summary>
    public ulong Value { get; }

    /// <summary>The type octet.</summary>
    public byte Type => (byte)(Value >> 56);

    /// <summary>The sub-type octet (meaningful for extended types).</summary>
    public byte SubType => (byte)(Value >> 48);

    /// <summary>True unless the type's non-transitive bit (0x40) is set.</summary>
    public bool IsTransitive => (Type & 0x40) == 0;

    /// <summary>A route target from a 2-octet AS and a 4-octet value (type 0x00, sub-type 0x02).</summary>
    public static ExtendedCommunity RouteTarget(ushort asn, uint value) => new(0x0002UL << 48 | (ulong)asn << 32 | value);

    /// <summary>A route target from a 4-octet AS and a 2-octet value (type 0x02, sub-type 0x02).</summary>
    public static ExtendedCommunity RouteTarget4(uint asn, ushort value) => new(0x0202UL << 48 | (ulong)asn << 16 | value);

    /// <summary>Reads 8 bytes in network order.</summary>
    public static ExtendedCommunity Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt64BigEndian(source));

    /// <summary>Writes the 8 bytes in network order.</summary>
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    /// <summary>
    /// Parses the forms <see cref="ToString"/> prints: "rt:65000:100", "soo:65000:100",
    /// "rt:192.0.2.1:100", or 16 hex digits ("0x0002fde800000064").
    /// </summary>
    public static bool TryParse(string? text, out ExtendedCommunity community)
    {
        community = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (s.Length != 18 || !ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw))
            {
                return false;
            }
            community = new ExtendedCommunity(raw);
            return true;
        }
        var parts = s.Split(':');
        if (parts.Length != 3)
        {
            return false;
        }
        ulong sub = parts[0].ToLowerInvariant() switch { "rt" => 0x02, "soo" => 0x03, _ => 0xFF };
        if (sub == 0xFF || !uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var local))
        {
            return false;
        }
        if (parts[1].Contains('.') && System.Net.IPAddress.TryParse(parts[1], out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && local <= 0xFFFF)
        {
            Span<byte> b = stackalloc byte[4];
            ip.TryWriteBytes(b, out _);
            community = new ExtendedCommunity(0x01UL << 56 | sub << 48 | (ulong)BinaryPrimitives.ReadUInt32BigEndian(b) << 16 | local);
            return true;
        }
        if (!uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var asn))
        {
            return false;
        }
        if (asn <= 0xFFFF)
        {
            community = new ExtendedCommunity(sub << 48 | (ulong)asn << 32 | local);
            return true;
        }
        if (local > 0xFFFF)
        {
            return false;
        }
        community = new ExtendedCommunity(0x02UL << 56 | sub << 48 | (ulong)asn << 16 | local);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(ExtendedCommunity other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ExtendedCommunity other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(ExtendedCommunity other) => Value.CompareTo(other.Value);

    /// <summary>Equality of value.</summary>
    public static bool operator ==(ExtendedCommunity left, ExtendedCommunity right) => left.Equals(right);

    /// <summary>Inequality of value.</summary>
    public static bool operator !=(ExtendedCommunity left, ExtendedCommunity right) => !left.Equals(right);

    /// <summary>
    /// Route targets and sites of origin print as "rt:ASN:N" / "soo:ASN:N" / "rt:IP:N"; every other
    /// type prints as "0x" and 16 hex digits.
    /// </summary>
    public override string ToString()
    {
        var type = Type & 0xBF;
        var kind = SubType switch { 0x02 => "rt", 0x03 => "soo", _ => null };
        if (kind is not null && IsTransitive)
        {
            switch (type)
            {
                case 0x00:
                    return string.Create(CultureInfo.InvariantCulture, $"{kind}:{(ushort)(Value >> 32)}:{(uint)Value}");
                case 0x01:
                    var ip = (uint)(Value >> 16);
                    return string.Create(CultureInfo.InvariantCulture, $"{kind}:{ip >> 24}.{(byte)(ip >> 16)}.{(byte)(ip >> 8)}.{(byte)ip}:{(ushort)Value}");
                case 0x02:
                    return string.Create(CultureInfo.InvariantCulture, $"{kind}:{(uint)(Value >> 16)}:{(ushort)Value}");
            }
        }
        return "0x" + Value.ToString("x16", CultureInfo.InvariantCulture);
    }
}
