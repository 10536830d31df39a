using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;

namespace BgpKit.Cli.Decode;

/// <summary>
/// Formats MRT RIB prefixes (AFI, significant octets, length) as <c>addr/len</c> and addresses as
/// <see cref="IPAddress.ToString()"/> does, as UTF-8 into the caller's span: a RIB dump prints one
/// prefix per record and one peer per entry, and a string for each would be garbage per record.
/// </summary>
internal static class PrefixText
{
    /// <summary>The most octets <see cref="FormatUtf8"/> writes (an IPv6 address with an embedded IPv4 one, "/128").</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Writes <c>addr/len</c>: AFI 2 as IPv6, any other AFI as IPv4 from the first octets (host bits
    /// are printed as recorded). Returns the octets written.
    /// </summary>
    public static int FormatUtf8(ushort afi, ReadOnlySpan<byte> octets, int length, Span<byte> destination)
    {
        Span<byte> address = stackalloc byte[afi == 2 ? 16 : 4];
        address.Clear();
        octets[..Math.Min(octets.Length, address.Length)].CopyTo(address);
        var written = AddressUtf8(address, destination);
        destination[written++] = (byte)'/';
        Utf8Formatter.TryFormat(length, destination[written..], out var digits);
        return written + digits;
    }

    /// <summary>Writes a 4- or 16-octet address as <see cref="IPAddress.ToString()"/> writes it; returns the octets written.</summary>
    public static int AddressUtf8(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        if (address.Length == 4)
        {
            return Ipv4Utf8(BinaryPrimitives.ReadUInt32BigEndian(address), destination);
        }
        Span<ushort> words = stackalloc ushort[8];
        for (var i = 0; i < 8; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt16BigEndian(address[(2 * i)..]);
        }
        // IPAddress prints some addresses whose first 64 bits are zero with an embedded IPv4 address
        // (::ffff:a.b.c.d, ::a.b.c.d) and has had rules of its own for ISATAP (x:x:x:x:0:5efe:a.b.c.d):
        // those rare ones go through IPAddress itself, so the text stays exactly its text.
        if ((words[0] | words[1] | words[2] | words[3]) == 0 || (words[4] == 0 && words[5] == 0x5efe))
        {
            new IPAddress(address).TryFormat(destination, out var slow);
            return slow;
        }
        // RFC 5952 4.2: the longest run of two or more zero words becomes "::", the first of equal runs.
        int runStart = -1, runLength = 0;
        for (int i = 0, current = 0; i < 8; i++)
        {
            current = words[i] == 0 ? current + 1 : 0;
            if (current > runLength)
            {
                runLength = current;
                runStart = i - current + 1;
            }
        }
        if (runLength < 2)
        {
            runStart = -1;
        }
        var written = 0;
        for (var i = 0; i < 8; i++)
        {
            if (i == runStart)
            {
                destination[written++] = (byte)':';
                destination[written++] = (byte)':';
                i += runLength - 1;
                continue;
            }
            if (i > 0 && i != runStart + runLength)
            {
                destination[written++] = (byte)':';
            }
            Utf8Formatter.TryFormat(words[i], destination[written..], out var hex, new System.Buffers.StandardFormat('x'));
            written += hex;
        }
        return written;
    }

    /// <summary>Dotted quad of a host-order IPv4 address.</summary>
    public static int Ipv4Utf8(uint value, Span<byte> destination)
    {
        var written = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            Utf8Formatter.TryFormat((byte)(value >> shift), destination[written..], out var digits);
            written += digits;
            if (shift > 0)
            {
                destination[written++] = (byte)'.';
            }
        }
        return written;
    }

    /// <summary>The prefix as a string (for tests and rare paths).</summary>
    public static string Format(ushort afi, ReadOnlySpan<byte> octets, int length)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return System.Text.Encoding.ASCII.GetString(text[..FormatUtf8(afi, octets, length, text)]);
    }

    public static string Address(ReadOnlySpan<byte> address) => new IPAddress(address).ToString();
}
