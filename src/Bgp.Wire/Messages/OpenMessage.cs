using System.Buffers.Binary;
using System.Net;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// OPEN (RFC 4271 section 4.2) with capabilities as optional parameters (RFC 5492) and the extended
/// optional parameters length of RFC 9072, used automatically when the parameters pass 255 octets.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+
/// |    Version    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     My Autonomous System      |   Hold Time   ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         BGP Identifier                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Opt Parm Len  |  Optional Parameters (Type 1, Length 1, Value) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// RFC 9072 extended form, after the BGP Identifier:
/// | Non-Ext OP Len (!=0) | Non-Ext OP Type = 255 | Extended Opt. Parm. Length (2) |
/// | Optional Parameters (Type 1, Length 2, Value) ...
/// </code>
/// </remarks>
public sealed class OpenMessage : BgpMessage
{
    /// <summary>AS_TRANS (RFC 6793): the 2-octet My AS of a speaker whose AS needs 4 octets.</summary>
    public const ushort AsTrans = 23456;

    /// <summary>The BGP version this codec speaks.</summary>
    public const byte BgpVersion = 4;

    private const byte CapabilitiesParameter = 2;
    private const byte ExtendedParametersMarker = 255;

    private readonly int[]? _capabilityGroups;

    /// <summary>
    /// An OPEN. <paramref name="asn"/> is the speaker's AS; when it needs 4 octets, My AS becomes AS_TRANS.
    /// Add a <see cref="FourOctetAsCapability"/> to <paramref name="capabilities"/> to announce RFC 6793 support
    /// (it is required for an AS above 65535).
    /// </summary>
    /// <exception cref="ArgumentException">The AS needs 4 octets and no <see cref="FourOctetAsCapability"/> carries it.</exception>
    public OpenMessage(uint asn, ushort holdTime, uint bgpIdentifier, IReadOnlyList<Capability> capabilities, bool extendedOptionalParameters = false)
        : this(BgpVersion, asn > ushort.MaxValue ? AsTrans : (ushort)asn, holdTime, bgpIdentifier, capabilities, extendedOptionalParameters, null)
    {
        if (asn > ushort.MaxValue && GetCapability<FourOctetAsCapability>()?.Asn != asn)
        {
            throw new ArgumentException("An AS above 65535 must be carried in a FourOctetAsCapability.", nameof(capabilities));
        }
    }

    private OpenMessage(byte version, ushort myAs, ushort holdTime, uint bgpIdentifier, IReadOnlyList<Capability> capabilities, bool extended, int[]? groups)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        Version = version;
        MyAs = myAs;
        HoldTime = holdTime;
        BgpIdentifier = bgpIdentifier;
        Capabilities = capabilities;
        ExtendedOptionalParameters = extended;
        _capabilityGroups = groups;
    }

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Open;

    /// <summary>The version field (4).</summary>
    public byte Version { get; }

    /// <summary>The 2-octet My Autonomous System field (AS_TRANS for 4-octet ASes).</summary>
    public ushort MyAs { get; }

    /// <summary>The speaker's AS: the 4-octet AS capability when present, else <see cref="MyAs"/>.</summary>
    public uint Asn => GetCapability<FourOctetAsCapability>()?.Asn ?? MyAs;

    /// <summary>The proposed hold time in seconds (0 or at least 3).</summary>
    public ushort HoldTime { get; }

    /// <summary>The BGP Identifier as a host-order integer.</summary>
    public uint BgpIdentifier { get; }

    /// <summary>The BGP Identifier in dotted form.</summary>
    public IPAddress BgpIdentifierAddress => new(BinaryPrimitives.ReverseEndianness(BgpIdentifier));

    /// <summary>The capabilities, in the order received.</summary>
    public IReadOnlyList<Capability> Capabilities { get; }

    /// <summary>True when the optional parameters use the RFC 9072 extended length encoding.</summary>
    public bool ExtendedOptionalParameters { get; }

    /// <summary>The first capability of a type, or null.</summary>
    public T? GetCapability<T>()
        where T : Capability
    {
        foreach (var c in Capabilities)
        {
            if (c is T t)
            {
                return t;
            }
        }
        return null;
    }

    /// <summary>True when a capability with this code is present.</summary>
    public bool HasCapability(CapabilityCode code)
    {
        foreach (var c in Capabilities)
        {
            if (c.Code == code)
            {
                return true;
            }
        }
        return false;
    }

    internal static OpenMessage DecodeBody(ReadOnlySpan<byte> body)
    {
        var reader = new SpanReader(body);
        if (!reader.TryReadByte(out var version) || !reader.TryReadUInt16(out var myAs) || !reader.TryReadUInt16(out var holdTime)
            || !reader.TryReadUInt32(out var identifier) || !reader.TryReadByte(out var parametersLength))
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, [0, (byte)(19 + body.Length)], "OPEN shorter than 29 octets", 0));
        }
        if (version != BgpVersion)
        {
            // RFC 4271 6.2: the data is the largest locally supported version number, 2 octets.
            throw new BgpWireException(BgpError.Open(OpenMessageErrorSubcode.UnsupportedVersionNumber, [0, BgpVersion], $"version {version}", 0));
        }
        if (holdTime is 1 or 2)
        {
            throw new BgpWireException(BgpError.Open(OpenMessageErrorSubcode.UnacceptableHoldTime, default, $"hold time {holdTime}", 3));
        }
        if (identifier == 0)
        {
            throw new BgpWireException(BgpError.Open(OpenMessageErrorSubcode.BadBgpIdentifier, default, "BGP identifier 0", 5));
        }
        var extended = false;
        int length = parametersLength;
        // RFC 9072 section 2: a non-zero length followed by type 255 announces the extended encoding.
        if (parametersLength != 0 && reader.Remaining >= 1 && reader.Rest[0] == ExtendedParametersMarker)
        {
            reader.TryReadByte(out _);
            if (!reader.TryReadUInt16(out var extendedLength))
            {
                throw LengthError("extended optional parameters length is cut off", 11);
            }
            extended = true;
            length = extendedLength;
        }
        if (reader.Remaining != length)
        {
            throw LengthError($"optional parameters length {length} but {reader.Remaining} octets follow", extended ? 11 : 9);
        }
        var capabilities = new List<Capability>();
        var groups = new List<int>();
        while (!reader.End)
        {
            var parameterAt = reader.Position;
            byte type;
            int valueLength;
            if (extended)
            {
                reader.TryReadByte(out type);
                if (!reader.TryReadUInt16(out var l))
                {
                    throw LengthError("optional parameter header is cut off", parameterAt);
                }
                valueLength = l;
            }
            else
            {
                reader.TryReadByte(out type);
                if (!reader.TryReadByte(out var l))
                {
                    throw LengthError("optional parameter header is cut off", parameterAt);
                }
                valueLength = l;
            }
            if (!reader.TryReadBytes(valueLength, out var value))
            {
                throw LengthError("optional parameter value is cut off", parameterAt);
            }
            if (type != CapabilitiesParameter)
            {
                // RFC 4271 6.2; type 1 (authentication) is deprecated by RFC 5492.
                throw new BgpWireException(BgpError.Open(OpenMessageErrorSubcode.UnsupportedOptionalParameter, default, $"optional parameter type {type}", parameterAt));
            }
            groups.Add(DecodeCapabilities(value, reader.Position - valueLength, capabilities));
        }
        return new OpenMessage(version, myAs, holdTime, identifier, capabilities, extended, [.. groups]);
    }

    // origin: where the parameter value starts in the body, for the offset of an error.
    private static int DecodeCapabilities(ReadOnlySpan<byte> value, int origin, List<Capability> capabilities)
    {
        var count = 0;
        var reader = new SpanReader(value);
        while (!reader.End)
        {
            var capabilityAt = origin + reader.Position;
            reader.TryReadByte(out var code);
            if (!reader.TryReadByte(out var length) || !reader.TryReadBytes(length, out var capability))
            {
                throw LengthError($"capability {code} is cut off", capabilityAt);
            }
            try
            {
                capabilities.Add(Capability.Decode(code, capability));
            }
            catch (BgpWireException e)
            {
                // A capability's value decoder knows nothing of where the capability sits.
                throw e.From(capabilityAt);
            }
            count++;
        }
        return count;
    }

    private static BgpWireException LengthError(string reason, int offset) =>
        new(BgpError.Open(OpenMessageErrorSubcode.Unspecific, default, reason, offset));

    // Parameters as (first index, count) groups; one group unless the decoded grouping still fits.
    private int[] Groups()
    {
        if (_capabilityGroups is { } groups && groups.Sum() == Capabilities.Count)
        {
            return groups;
        }
        return Capabilities.Count == 0 ? [] : [Capabilities.Count];
    }

    private bool UsesExtended(out int parametersLength)
    {
        var groups = Groups();
        var perParameterHeader = 2;
        parametersLength = 0;
        var index = 0;
        var anyLarge = false;
        foreach (var count in groups)
        {
            var size = 0;
            for (var i = index; i < index + count; i++)
            {
                size += 2 + Capabilities[i].ValueLength;
            }
            anyLarge |= size > 255;
            parametersLength += perParameterHeader + size;
            index += count;
        }
        var extended = ExtendedOptionalParameters || anyLarge || parametersLength > 255;
        if (extended)
        {
            parametersLength += groups.Length; // 2-octet parameter lengths
        }
        return extended;
    }

    private protected override int GetBodyLength(BgpDecodeContext context) =>
        10 + (UsesExtended(out var length) ? 3 + length : length);

    private protected override void WriteBody(Span<byte> body, BgpDecodeContext context)
    {
        var writer = new SpanWriter(body);
        writer.WriteByte(Version);
        writer.WriteUInt16(MyAs);
        writer.WriteUInt16(HoldTime);
        writer.WriteUInt32(BgpIdentifier);
        var extended = UsesExtended(out var parametersLength);
        if (extended)
        {
            writer.WriteByte(ExtendedParametersMarker);
            writer.WriteByte(ExtendedParametersMarker);
            writer.WriteUInt16((ushort)parametersLength);
        }
        else
        {
            writer.WriteByte((byte)parametersLength);
        }
        var index = 0;
        foreach (var count in Groups())
        {
            writer.WriteByte(CapabilitiesParameter);
            var at = writer.Position;
            writer.Advance(extended ? 2 : 1);
            var start = writer.Position;
            for (var i = index; i < index + count; i++)
            {
                var capability = Capabilities[i];
                writer.WriteByte((byte)capability.Code);
                writer.WriteByte((byte)capability.ValueLength);
                capability.WriteValue(writer.Free);
                writer.Advance(capability.ValueLength);
            }
            var length = writer.Position - start;
            if (extended)
            {
                writer.PatchUInt16(at, (ushort)length);
            }
            else
            {
                body[at] = (byte)length;
            }
            index += count;
        }
    }

    /// <summary>"OPEN as=.. hold=.. id=.. caps=[..]".</summary>
    public override string ToString() =>
        $"OPEN v{Version} as={Asn} hold={HoldTime} id={BgpIdentifierAddress} caps=[{string.Join(", ", Capabilities)}]";
}
