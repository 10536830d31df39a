using System.Buffers.Binary;

namespace BgpKit.Bfd;

/// <summary>
/// The payload of our echo packets. RFC 5880 section 6.4 leaves the echo payload to the sender ("the
/// contents of the transmitted packet are a local matter"), since only the sender reads it back:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Version (1)  |  Length (16)  |           Reserved            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       My Discriminator                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Nonce (64 bits, per session)              |
/// +                                                               +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The discriminator finds the session; the nonce, random per session and never on a control packet,
/// keeps a packet that someone else made up from counting as a returned echo.
/// </summary>
internal static class BfdEchoPacket
{
    public const byte Version = 1;
    public const int Length = 16;

    public static void Write(Span<byte> destination, uint myDiscriminator, ulong nonce)
    {
        destination[0] = Version;
        destination[1] = Length;
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], myDiscriminator);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], nonce);
    }

    /// <summary>False for anything that is not one of our echo packets; never throws.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out uint myDiscriminator, out ulong nonce)
    {
        myDiscriminator = 0;
        nonce = 0;
        if (payload.Length < Length || payload[0] != Version || payload[1] != Length)
        {
            return false;
        }
        myDiscriminator = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        nonce = BinaryPrimitives.ReadUInt64BigEndian(payload[8..]);
        return myDiscriminator != 0;
    }
}
