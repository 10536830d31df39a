using System.Buffers.Binary;
using System.Net;

namespace BgpKit.Cli.Decode;

/// <summary>Formats MRT RIB prefixes (AFI, significant octets, length) as <c>addr/len</c>.</summary>
internal static class PrefixText
{
    public static string Format(ushort afi, ReadOnlySpan<byte> octets, int length)
    {
        Span<byte> address = stackalloc byte[afi == 2 ? 16 : 4];
        address.Clear();
        octets[..Math.Min(octets.Length, address.Length)].CopyTo(address);
        if (afi != 2)
        {
            // The common case, formatted without an IPAddress.
            var value = BinaryPrimitives.ReadUInt32BigEndian(address);
            return string.Create(null, stackalloc char[20], $"{value >> 24}.{(value >> 16) & 0xff}.{(value >> 8) & 0xff}.{value & 0xff}/{length}");
        }
        return new IPAddress(address).ToString() + "/" + length.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Address(ReadOnlySpan<byte> address) => new IPAddress(address).ToString();
}
