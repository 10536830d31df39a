using System.Buffers;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// A decoded BGP message: <see cref="OpenMessage"/>, <see cref="UpdateMessage"/>, <see cref="NotificationMessage"/>,
/// <see cref="KeepaliveMessage"/> or <see cref="RouteRefreshMessage"/>. <c>Decode</c> turns a whole message
/// into one of them; every message encodes back with <c>Encode</c> or <c>TryEncode</c>.
/// </summary>
public abstract class BgpMessage
{
    private protected BgpMessage()
    {
    }

    /// <summary>The message type.</summary>
    public abstract BgpMessageType Type { get; }

    /// <summary>
    /// Decodes one whole message (header included), e.g. what <see cref="BgpMessageHeader.TryReadMessage"/> framed.
    /// </summary>
    /// <param name="message">The message octets.</param>
    /// <param name="context">What the session negotiated; <see cref="BgpDecodeContext.Default"/> when null.</param>
    /// <exception cref="BgpWireException">The message is malformed in a way that resets the session. UPDATE attribute
    /// errors that RFC 7606 lets a session survive are reported in <see cref="UpdateMessage.Error"/> instead.</exception>
    public static BgpMessage Decode(ReadOnlySpan<byte> message, BgpDecodeContext? context = null)
    {
        context ??= BgpDecodeContext.Default;
        if (message.Length < BgpMessageHeader.Size)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, default, $"{message.Length} octets is shorter than a header", 0));
        }
        var header = BgpMessageHeader.Read(message, context.MaxMessageLength);
        if (header.Length != message.Length)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, message.Slice(16, 2), $"length field {header.Length} but {message.Length} octets given", 16));
        }
        var body = message[BgpMessageHeader.Size..];
        if (header.Type == BgpMessageType.Update)
        {
            // UPDATE errors may be values (RFC 7606), not only throws: the reader counts from the marker itself.
            return UpdateMessage.DecodeBody(body, context, BgpMessageHeader.Size);
        }
        try
        {
            return DecodeBody(header.Type, body, context);
        }
        catch (BgpWireException e)
        {
            // The other body decoders count from the body; callers of Decode count from the marker.
            throw e.From(BgpMessageHeader.Size);
        }
    }

    /// <summary>Decodes a framed message from a sequence (copies only when it spans segments).</summary>
    public static BgpMessage Decode(in ReadOnlySequence<byte> message, BgpDecodeContext? context = null)
    {
        if (message.IsSingleSegment)
        {
            return Decode(message.FirstSpan, context);
        }
        var copy = message.ToArray();
        return Decode(copy, context);
    }

    /// <summary>Decodes a message body (the octets after the header) of a known type.</summary>
    /// <exception cref="BgpWireException">The body is malformed.</exception>
    public static BgpMessage DecodeBody(BgpMessageType type, ReadOnlySpan<byte> body, BgpDecodeContext? context = null)
    {
        context ??= BgpDecodeContext.Default;
        return type switch
        {
            BgpMessageType.Open => OpenMessage.DecodeBody(body),
            BgpMessageType.Update => UpdateMessage.DecodeBody(body, context),
            BgpMessageType.Notification => NotificationMessage.DecodeBody(body),
            BgpMessageType.Keepalive => KeepaliveMessage.DecodeBody(body),
            BgpMessageType.RouteRefresh => RouteRefreshMessage.DecodeBody(body),
            _ => throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageType, [(byte)type], $"unknown message type {(byte)type}", 0)),
        };
    }

    /// <summary>The encoded size in octets, header included.</summary>
    public int GetEncodedLength(BgpDecodeContext? context = null) => BgpMessageHeader.Size + GetBodyLength(context ?? BgpDecodeContext.Default);

    /// <summary>Encodes the message into <paramref name="destination"/>; false when it does not fit.</summary>
    /// <exception cref="InvalidOperationException">The message exceeds the negotiated maximum length.</exception>
    public bool TryEncode(Span<byte> destination, out int written, BgpDecodeContext? context = null)
    {
        context ??= BgpDecodeContext.Default;
        var length = GetEncodedLength(context);
        var max = Type is BgpMessageType.Open or BgpMessageType.Keepalive ? BgpMessageHeader.MaxLength : context.MaxMessageLength;
        if (length > max)
        {
            throw new InvalidOperationException($"{Type} message of {length} octets exceeds the maximum of {max}.");
        }
        if (destination.Length < length)
        {
            written = 0;
            return false;
        }
        BgpMessageHeader.Write(destination, length, Type);
        WriteBody(destination[BgpMessageHeader.Size..length], context);
        written = length;
        return true;
    }

    /// <summary>Encodes the message into a buffer writer.</summary>
    /// <exception cref="InvalidOperationException">The message exceeds the negotiated maximum length.</exception>
    public void Encode(IBufferWriter<byte> writer, BgpDecodeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = GetEncodedLength(context);
        var span = writer.GetSpan(length);
        TryEncode(span, out var written, context);
        writer.Advance(written);
    }

    /// <summary>Encodes the message into a new array.</summary>
    public byte[] ToArray(BgpDecodeContext? context = null)
    {
        var bytes = new byte[GetEncodedLength(context)];
        TryEncode(bytes, out _, context);
        return bytes;
    }

    private protected abstract int GetBodyLength(BgpDecodeContext context);

    private protected abstract void WriteBody(Span<byte> body, BgpDecodeContext context);
}
