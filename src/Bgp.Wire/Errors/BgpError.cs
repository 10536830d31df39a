namespace BgpKit.Bgp.Wire;

/// <summary>
/// A malformation found in BGP wire data: the NOTIFICATION code, subcode and data the RFCs prescribe
/// for it, the RFC 7606 action the receiver takes, and a human-readable reason (never secrets).
/// </summary>
public sealed class BgpError : IEquatable<BgpError>
{
    /// <summary>Creates an error.</summary>
    public BgpError(BgpErrorCode code, byte subcode, ReadOnlyMemory<byte> data, ErrorAction action, string reason)
    {
        Code = code;
        Subcode = subcode;
        Data = data;
        Action = action;
        Reason = reason;
    }

    /// <summary>The NOTIFICATION Error Code.</summary>
    public BgpErrorCode Code { get; }

    /// <summary>The NOTIFICATION Error Subcode; cast to the code's subcode enum (e.g. <see cref="UpdateMessageErrorSubcode"/>).</summary>
    public byte Subcode { get; }

    /// <summary>The NOTIFICATION data the RFC prescribes for this error (often the offending attribute).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>What the receiver does (RFC 7606); <see cref="ErrorAction.SessionReset"/> for anything outside UPDATE attributes.</summary>
    public ErrorAction Action { get; }

    /// <summary>Why the data was rejected, for logs.</summary>
    public string Reason { get; }

    /// <summary>The path attribute type code the error is about, when it is about one.</summary>
    public byte? AttributeType { get; init; }

    /// <summary>
    /// Where the malformed field starts, in octets from the start of what the decoder was given: the whole
    /// message for <see cref="BgpMessage.Decode(ReadOnlySpan{byte}, BgpDecodeContext?)"/>,
    /// <see cref="UpdateReader.ReadMessage"/> and framing; the body for the body decoders
    /// (<see cref="UpdateReader.Read(ReadOnlySpan{byte}, BgpDecodeContext?)"/>, <see cref="BgpMessage.DecodeBody"/>), 19 octets less. Null only for
    /// errors built by callers.
    /// </summary>
    public int? Offset { get; init; }

    /// <summary>This error with <see cref="Offset"/> set to <paramref name="offset"/>.</summary>
    internal BgpError At(int offset) => new(Code, Subcode, Data, Action, Reason) { AttributeType = AttributeType, Offset = offset };

    /// <summary>The NOTIFICATION message a session sends for this error.</summary>
    public NotificationMessage ToNotification() => new(Code, Subcode, Data);

    internal static BgpError Header(MessageHeaderErrorSubcode subcode, ReadOnlySpan<byte> data, string reason, int offset) =>
        new(BgpErrorCode.MessageHeaderError, (byte)subcode, data.ToArray(), ErrorAction.SessionReset, reason) { Offset = offset };

    internal static BgpError Open(OpenMessageErrorSubcode subcode, ReadOnlySpan<byte> data, string reason, int offset) =>
        new(BgpErrorCode.OpenMessageError, (byte)subcode, data.ToArray(), ErrorAction.SessionReset, reason) { Offset = offset };

    internal static BgpError Update(UpdateMessageErrorSubcode subcode, ReadOnlySpan<byte> data, ErrorAction action, string reason, int offset, byte? attributeType = null) =>
        new(BgpErrorCode.UpdateMessageError, (byte)subcode, data.ToArray(), action, reason) { AttributeType = attributeType, Offset = offset };

    /// <inheritdoc/>
    public bool Equals(BgpError? other) =>
        other is not null && Code == other.Code && Subcode == other.Subcode && Action == other.Action && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BgpError);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Code, Subcode, Action);

    /// <summary>"UpdateMessageError/5 (TreatAsWithdraw) at offset 23: reason".</summary>
    public override string ToString() => Offset is { } offset ? $"{Code}/{Subcode} ({Action}) at offset {offset}: {Reason}" : $"{Code}/{Subcode} ({Action}): {Reason}";
}
