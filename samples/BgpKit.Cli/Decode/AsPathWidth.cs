using System.Buffers.Binary;

namespace BgpKit.Cli.Decode;

/// <summary>
/// Guesses whether an UPDATE's AS_PATH uses 2- or 4-octet AS numbers when the capture holds no OPENs
/// to say so: only one width usually makes the segments end exactly at the attribute's end.
/// </summary>
internal static class AsPathWidth
{
    /// <summary>True for 4 octets, false for 2, null when the UPDATE has no AS_PATH or both widths fit.</summary>
    public static bool? Guess(ReadOnlySpan<byte> message)
    {
        if (message.Length < 23)
        {
            return null;
        }
        var body = message[19..];
        int withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (body.Length < 4 + withdrawnLength)
        {
            return null;
        }
        int attributesLength = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + withdrawnLength)..]);
        var attributes = body[(4 + withdrawnLength)..];
        if (attributes.Length < attributesLength)
        {
            return null;
        }
        attributes = attributes[..attributesLength];
        while (attributes.Length >= 3)
        {
            var flags = attributes[0];
            var type = attributes[1];
            var extended = (flags & 0x10) != 0;
            var headerLength = extended ? 4 : 3;
            if (attributes.Length < headerLength)
            {
                return null;
            }
            int length = extended ? BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]) : attributes[2];
            if (attributes.Length < headerLength + length)
            {
                return null;
            }
            if (type == 2)
            {
                var value = attributes.Slice(headerLength, length);
                var fits2 = Fits(value, 2);
                var fits4 = Fits(value, 4);
                return fits2 == fits4 ? null : fits4;
            }
            attributes = attributes[(headerLength + length)..];
        }
        return null;
    }

    private static bool Fits(ReadOnlySpan<byte> value, int width)
    {
        while (value.Length > 0)
        {
            if (value.Length < 2 || value[0] is < 1 or > 4)
            {
                return false;
            }
            var need = 2 + value[1] * width;
            if (value.Length < need)
            {
                return false;
            }
            value = value[need..];
        }
        return true;
    }
}
