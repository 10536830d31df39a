using System.Buffers;
using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// The 19-octet BGP message header (RFC 4271 section 4.1) and its validation.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                                                               +
/// |                           Marker                              |
/// +                     (16 octets, all ones)                     +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Length               |      Type     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
/// <param name="Length">Total message length including the header.</param>
/// <param name="Type">Message type.</param>
public readonly record struct BgpMessageHeader(int Length, BgpMessageType Type)
{
    /// <summary>Header size in octets.</summary>
    public const int Size = 19;

    /// <summary>Largest message without RFC 8654.</summary>
    public const int MaxLength = 4096;

    /// <summary>Largest message with RFC 8654 extended messages.</summary>
    public const int ExtendedMaxLength = 65535;

    /// <summary>Body length (Length - 19).</summary>
    public int BodyLength => Length - Size;

    /// <summary>
    /// Reads and validates a header from the first 19 octets: marker all ones, length within the type's
    /// bounds and the negotiated maximum, known type (RFC 4271 section 6.1).
    /// </summary>
    /// <exception cref="BgpWireException">Message Header Error with the RFC's data.</exception>
    /// <exception cref="ArgumentException">Fewer than 19 octets were given.</exception>
    public static BgpMessageHeader Read(ReadOnlySpan<byte> header, int maxMessageLength = MaxLength)
    {
        if (header.Length < Size)
        {
            throw new ArgumentException("A BGP header is 19 octets.", nameof(header));
        }
        if (header[..16].IndexOfAnyExcept((byte)0xFF) >= 0)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.ConnectionNotSynchronized, default, "marker is not all ones", 0));
        }
        var lengthField = header.Slice(16, 2);
        int length = BinaryPrimitives.ReadUInt16BigEndian(lengthField);
        var type = header[18];
        // RFC 4271 6.1: a bad length is reported before a bad type, with the length field as data.
        if (length < Size || length > maxMessageLength)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, lengthField, $"length {length} outside 19..{maxMessageLength}", 16));
        }
        var (min, max) = type switch
        {
            1 => (29, MaxLength), // RFC 8654 section 4: OPEN stays within 4096.
            2 => (23, maxMessageLength),
            3 => (21, maxMessageLength),
            4 => (19, 19),
            5 => (23, maxMessageLength), // RFC 7313: ROUTE-REFRESH length errors have their own code.
            _ => throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageType, header.Slice(18, 1), $"unknown message type {type}", 18)),
        };
        if (length < min || length > max)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, lengthField, $"length {length} invalid for type {(BgpMessageType)type}", 16));
        }
        return new BgpMessageHeader(length, (BgpMessageType)type);
    }

    /// <summary>
    /// Frames one message from a stream buffer: returns false when fewer octets than the header or the
    /// announced length are buffered. The header is validated as soon as its 19 octets are present, so
    /// a bad length is rejected before its body is awaited. On success the message (header included) is
    /// sliced off the front of <paramref name="buffer"/>.
    /// </summary>
    /// <exception cref="BgpWireException">The header is invalid (RFC 4271 section 6.1).</exception>
    public static bool TryReadMessage(ref ReadOnlySequence<byte> buffer, BgpDecodeContext context, out BgpMessageHeader header, out ReadOnlySequence<byte> message)
    {
        ArgumentNullException.ThrowIfNull(context);
        message = default;
        header = default;
        if (buffer.Length < Size)
        {
            return false;
        }
        Span<byte> head = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(head);
        var parsed = Read(head, context.MaxMessageLength);
        if (buffer.Length < parsed.Length)
        {
            return false;
        }
        header = parsed;
        message = buffer.Slice(0, parsed.Length);
        buffer = buffer.Slice(parsed.Length);
        return true;
    }

    /// <summary>Writes a header; the marker, the length and the type.</summary>
    internal static void Write(Span<byte> destination, int length, BgpMessageType type)
    {
        destination[..16].Fill(0xFF);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], (ushort)length);
        destination[18] = (byte)type;
    }
}
