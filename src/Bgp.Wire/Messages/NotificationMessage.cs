using System.Buffers.Binary;
using System.Text;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// NOTIFICATION (RFC 4271 section 4.5), with the shutdown communication of RFC 8203/9003 for
/// Cease/Administrative Shutdown and Cease/Administrative Reset, the encapsulated error of a
/// Cease/Hard Reset (RFC 8538), and the family and upper bound of a Cease/Maximum Number of
/// Prefixes Reached (RFC 4486 section 4).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Error code    | Error subcode |   Data (variable)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Shutdown communication (RFC 9003), as the data of Cease subcodes 2 and 4:
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Length        | Shutdown Communication (UTF-8, 0..255 octets) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Maximum Number of Prefixes Reached (RFC 4486 section 4), as the data of Cease subcode 1:
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | AFI (2 octets)                | SAFI (1)      | Prefix upper  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | bound (4 octets, continued)                   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public sealed class NotificationMessage : BgpMessage
{
    /// <summary>The longest shutdown communication, in UTF-8 octets (RFC 9003 section 2).</summary>
    public const int MaxShutdownCommunicationLength = 255;

    /// <summary>A NOTIFICATION with raw data.</summary>
    public NotificationMessage(BgpErrorCode code, byte subcode, ReadOnlyMemory<byte> data = default)
    {
        Code = code;
        Subcode = subcode;
        Data = data;
    }

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Notification;

    /// <summary>The Error Code.</summary>
    public BgpErrorCode Code { get; }

    /// <summary>The Error Subcode (see the subcode enum of <see cref="Code"/>).</summary>
    public byte Subcode { get; }

    /// <summary>The data field, as received.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The Cease subcode, or null when the code is not Cease.</summary>
    public CeaseSubcode? CeaseSubcode => Code == BgpErrorCode.Cease ? (CeaseSubcode)Subcode : null;

    /// <summary>
    /// Cease/Administrative Shutdown or Reset carrying a shutdown communication (RFC 9003).
    /// </summary>
    /// <exception cref="ArgumentException">The message is longer than 255 UTF-8 octets.</exception>
    public static NotificationMessage Shutdown(CeaseSubcode subcode, string? communication)
    {
        if (subcode is not (Wire.CeaseSubcode.AdministrativeShutdown or Wire.CeaseSubcode.AdministrativeReset))
        {
            throw new ArgumentException("Shutdown communications go with Administrative Shutdown or Reset.", nameof(subcode));
        }
        if (string.IsNullOrEmpty(communication))
        {
            return new NotificationMessage(BgpErrorCode.Cease, (byte)subcode);
        }
        var bytes = Encoding.UTF8.GetBytes(communication);
        if (bytes.Length > MaxShutdownCommunicationLength)
        {
            throw new ArgumentException($"A shutdown communication is at most {MaxShutdownCommunicationLength} UTF-8 octets.", nameof(communication));
        }
        var data = new byte[bytes.Length + 1];
        data[0] = (byte)bytes.Length;
        bytes.CopyTo(data, 1);
        return new NotificationMessage(BgpErrorCode.Cease, (byte)subcode, data);
    }

    /// <summary>
    /// Cease/Maximum Number of Prefixes Reached (RFC 4486 section 4) naming the family and the upper bound that
    /// the peer's routes exceeded.
    /// </summary>
    public static NotificationMessage MaximumPrefixesReached(AfiSafi family, uint upperBound)
    {
        var data = new byte[MaximumPrefixesData.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)family.Afi);
        data[2] = (byte)family.Safi;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(3), upperBound);
        return new NotificationMessage(BgpErrorCode.Cease, (byte)Wire.CeaseSubcode.MaximumNumberOfPrefixesReached, data);
    }

    /// <summary>
    /// The family and upper bound of a Cease/Maximum Number of Prefixes Reached (RFC 4486 section 4), or null when
    /// this is another NOTIFICATION or its data is not the 7 octets of that section (the data is optional there).
    /// </summary>
    public MaximumPrefixesData? MaximumPrefixes
    {
        get
        {
            if (Code != BgpErrorCode.Cease || Subcode != (byte)Wire.CeaseSubcode.MaximumNumberOfPrefixesReached || Data.Length != MaximumPrefixesData.Length)
            {
                return null;
            }
            var data = Data.Span;
            return new MaximumPrefixesData(
                new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(data), (Safi)data[2]),
                BinaryPrimitives.ReadUInt32BigEndian(data[3..]));
        }
    }

    /// <summary>Cease/Hard Reset (RFC 8538) encapsulating the error that caused it.</summary>
    public static NotificationMessage HardReset(BgpErrorCode code, byte subcode, ReadOnlySpan<byte> data = default)
    {
        var inner = new byte[2 + data.Length];
        inner[0] = (byte)code;
        inner[1] = subcode;
        data.CopyTo(inner.AsSpan(2));
        return new NotificationMessage(BgpErrorCode.Cease, (byte)Wire.CeaseSubcode.HardReset, inner);
    }

    /// <summary>
    /// The shutdown communication of a Cease/Administrative Shutdown or Reset (RFC 9003), or null when
    /// there is none or the data is not a well-formed communication (RFC 9003 section 3: then it is ignored).
    /// </summary>
    public string? ShutdownCommunication
    {
        get
        {
            if (Code != BgpErrorCode.Cease || Subcode is not ((byte)Wire.CeaseSubcode.AdministrativeShutdown or (byte)Wire.CeaseSubcode.AdministrativeReset))
            {
                return null;
            }
            var data = Data.Span;
            if (data.IsEmpty || data[0] == 0 || data[0] > data.Length - 1)
            {
                return null;
            }
            try
            {
                return new UTF8Encoding(false, true).GetString(data.Slice(1, data[0]));
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
    }

    /// <summary>The encapsulated (code, subcode, data) of a Cease/Hard Reset (RFC 8538), or null.</summary>
    public NotificationMessage? HardResetCause =>
        Code == BgpErrorCode.Cease && Subcode == (byte)Wire.CeaseSubcode.HardReset && Data.Length >= 2
            ? new NotificationMessage((BgpErrorCode)Data.Span[0], Data.Span[1], Data[2..])
            : null;

    internal static NotificationMessage DecodeBody(ReadOnlySpan<byte> body)
    {
        if (body.Length < 2)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, [0, (byte)(19 + body.Length)], "NOTIFICATION shorter than 21 octets", 0));
        }
        // Unknown codes are kept as numbers: a NOTIFICATION is never answered with one (RFC 4271 6.4).
        return new NotificationMessage((BgpErrorCode)body[0], body[1], body[2..].ToArray());
    }

    private protected override int GetBodyLength(BgpDecodeContext context) => 2 + Data.Length;

    private protected override void WriteBody(Span<byte> body, BgpDecodeContext context)
    {
        body[0] = (byte)Code;
        body[1] = Subcode;
        Data.Span.CopyTo(body[2..]);
    }

    /// <summary>
    /// "NOTIFICATION Cease/2 ..." with the shutdown communication when there is one, and the family and upper bound
    /// of a Maximum Number of Prefixes Reached.
    /// </summary>
    public override string ToString()
    {
        if (ShutdownCommunication is { } text)
        {
            return $"NOTIFICATION {Code}/{Subcode} \"{text}\"";
        }
        if (MaximumPrefixes is { } limit)
        {
            return $"NOTIFICATION {Code}/{Subcode} Maximum Number of Prefixes Reached ({limit.AfiSafi}, upper bound {limit.UpperBound})";
        }
        return $"NOTIFICATION {Code}/{Subcode} data={Convert.ToHexString(Data.Span)}";
    }
}
