using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>One path attribute as a view over the message octets.</summary>
public readonly ref struct PathAttribute
{
    internal PathAttribute(PathAttributeFlags flags, byte typeCode, ReadOnlySpan<byte> value, ReadOnlySpan<byte> raw)
    {
        Flags = flags;
        TypeCode = typeCode;
        Value = value;
        Raw = raw;
    }

    /// <summary>The flags octet.</summary>
    public PathAttributeFlags Flags { get; }

    /// <summary>The type code.</summary>
    public byte TypeCode { get; }

    /// <summary>The type (a number outside the enum for unknown attributes).</summary>
    public PathAttributeType Type => (PathAttributeType)TypeCode;

    /// <summary>The value octets.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>The whole attribute: flags, type, length and value (the data of its NOTIFICATION).</summary>
    public ReadOnlySpan<byte> Raw { get; }
}

/// <summary>Walks the path attributes of a validated attribute field: <c>foreach (var a in reader.Attributes)</c>.</summary>
public ref struct PathAttributeEnumerator
{
    private readonly ReadOnlySpan<byte> _field;
    private int _at;
    private PathAttribute _current;

    internal PathAttributeEnumerator(ReadOnlySpan<byte> field)
    {
        _field = field;
        _at = 0;
        _current = default;
    }

    /// <summary>The current attribute.</summary>
    public readonly PathAttribute Current => _current;

    /// <summary>Advances; stops at the end or at an attribute that overruns the field.</summary>
    public bool MoveNext()
    {
        if (!TryRead(_field, ref _at, out _current))
        {
            _at = _field.Length;
            return false;
        }
        return true;
    }

    /// <summary>For <c>foreach</c>.</summary>
    public readonly PathAttributeEnumerator GetEnumerator() => this;

    internal static bool TryRead(ReadOnlySpan<byte> field, scoped ref int at, out PathAttribute attribute)
    {
        attribute = default;
        var rest = field.Length - at;
        if (rest < 3)
        {
            return false;
        }
        var flags = field[at];
        var extended = (flags & 0x10) != 0;
        var headerLength = extended ? 4 : 3;
        if (rest < headerLength)
        {
            return false;
        }
        int length = extended ? BinaryPrimitives.ReadUInt16BigEndian(field[(at + 2)..]) : field[at + 2];
        if (rest < headerLength + length)
        {
            return false;
        }
        attribute = new PathAttribute((PathAttributeFlags)flags, field[at + 1], field.Slice(at + headerLength, length), field.Slice(at, headerLength + length));
        at += headerLength + length;
        return true;
    }
}

/// <summary>
/// An allocation-free view of an UPDATE (RFC 4271 section 4.3): framing and every attribute (RFC 7606, MP_REACH and
/// MP_UNREACH NLRI included) are validated when the reader is created; the IPv4 Withdrawn Routes and NLRI fields are
/// checked as their enumerators walk them. Prefixes and attributes are read in place.
/// Use <see cref="UpdateMessage"/> instead to keep the data.
/// </summary>
/// <remarks>
/// <code>
/// +-----------------------------------------------------+
/// |   Withdrawn Routes Length (2 octets)                |
/// +-----------------------------------------------------+
/// |   Withdrawn Routes (variable)                       |
/// +-----------------------------------------------------+
/// |   Total Path Attribute Length (2 octets)            |
/// +-----------------------------------------------------+
/// |   Path Attributes (variable)                        |
/// +-----------------------------------------------------+
/// |   Network Layer Reachability Information (variable) |
/// +-----------------------------------------------------+
/// </code>
/// </remarks>
public ref struct UpdateReader
{
    private readonly ReadOnlySpan<byte> _withdrawn;
    private readonly ReadOnlySpan<byte> _attributes;
    private readonly ReadOnlySpan<byte> _nlri;
    private readonly bool _addPath;
    // Where the body starts in the caller's input (19 from ReadMessage), added to every error offset.
    private readonly int _origin;

    private UpdateReader(ReadOnlySpan<byte> withdrawn, ReadOnlySpan<byte> attributes, ReadOnlySpan<byte> nlri, bool addPath, BgpDecodeContext context, int origin)
    {
        _withdrawn = withdrawn;
        _attributes = attributes;
        _nlri = nlri;
        _addPath = addPath;
        _origin = origin;
        Context = context;
        Action = ErrorAction.None;
        Error = null;
    }

    /// <summary>The context the UPDATE was read with.</summary>
    public BgpDecodeContext Context { get; }

    /// <summary>The strongest RFC 7606 action the UPDATE calls for; <see cref="ErrorAction.None"/> when it is well-formed.</summary>
    public ErrorAction Action { get; private set; }

    /// <summary>The first error of the strongest action, or null.</summary>
    public BgpError? Error { get; private set; }

    /// <summary>Withdrawn IPv4 routes (the Withdrawn Routes field), checked as they are walked.</summary>
    public readonly NlriEnumerator Withdrawn => new(_withdrawn, false, _addPath, origin: _origin + 2);

    /// <summary>Announced IPv4 routes (the NLRI field), checked as they are walked.</summary>
    public readonly NlriEnumerator Nlri => new(_nlri, false, _addPath, origin: _origin + 4 + _withdrawn.Length + _attributes.Length);

    /// <summary>The path attributes in wire order (duplicates included).</summary>
    public readonly PathAttributeEnumerator Attributes => new(_attributes);

    /// <summary>The raw Path Attributes field.</summary>
    public readonly ReadOnlySpan<byte> AttributesField => _attributes;

    /// <summary>True for an UPDATE with nothing in it: the IPv4 unicast End-of-RIB marker (RFC 4724 section 2).</summary>
    public readonly bool IsEndOfRib => _withdrawn.IsEmpty && _attributes.IsEmpty && _nlri.IsEmpty;

    /// <summary>The first attribute of a type.</summary>
    public readonly bool TryGetAttribute(PathAttributeType type, out PathAttribute attribute)
    {
        var at = 0;
        while (PathAttributeEnumerator.TryRead(_attributes, ref at, out attribute))
        {
            if (attribute.TypeCode == (byte)type)
            {
                return true;
            }
        }
        attribute = default;
        return false;
    }

    /// <summary>ORIGIN, when present and well-formed.</summary>
    public readonly bool TryGetOrigin(out Origin origin)
    {
        origin = default;
        if (TryGetAttribute(PathAttributeType.Origin, out var a) && a.Value.Length == 1 && a.Value[0] <= 2)
        {
            origin = (Origin)a.Value[0];
            return true;
        }
        return false;
    }

    /// <summary>NEXT_HOP (host order), when present and well-formed.</summary>
    public readonly bool TryGetNextHop(out uint nextHop)
    {
        nextHop = 0;
        if (TryGetAttribute(PathAttributeType.NextHop, out var a) && a.Value.Length == 4)
        {
            nextHop = BinaryPrimitives.ReadUInt32BigEndian(a.Value);
            return true;
        }
        return false;
    }

    /// <summary>Reads an UPDATE body (the octets after the header).</summary>
    /// <exception cref="BgpWireException">An error that resets the session (RFC 7606 section 5.3 and 3); lesser errors are in <see cref="Action"/>.</exception>
    public static UpdateReader Read(ReadOnlySpan<byte> body, BgpDecodeContext? context = null) => Read(body, context, 0);

    // origin: where the body starts in the input the caller counts offsets from.
    internal static UpdateReader Read(ReadOnlySpan<byte> body, BgpDecodeContext? context, int origin)
    {
        context ??= BgpDecodeContext.Default;
        if (body.Length < 4)
        {
            throw Reset(UpdateMessageErrorSubcode.MalformedAttributeList, "UPDATE shorter than 23 octets", origin);
        }
        int withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (withdrawnLength > body.Length - 4)
        {
            throw Reset(UpdateMessageErrorSubcode.MalformedAttributeList, $"withdrawn routes length {withdrawnLength} overruns the message", origin);
        }
        var withdrawn = body.Slice(2, withdrawnLength);
        int attributesLength = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + withdrawnLength)..]);
        if (attributesLength > body.Length - 4 - withdrawnLength)
        {
            throw Reset(UpdateMessageErrorSubcode.MalformedAttributeList, $"total path attribute length {attributesLength} overruns the message", origin + 2 + withdrawnLength);
        }
        var attributes = body.Slice(4 + withdrawnLength, attributesLength);
        var nlri = body[(4 + withdrawnLength + attributesLength)..];
        // The IPv4 Withdrawn Routes and NLRI fields are checked while walked (the walk is the hot path, and one
        // pass is half the cost of two); a malformed entry throws there, a session reset per RFC 7606 section 5.3.
        var addPath = context.ReceivesPathIds(AfiSafi.IPv4Unicast);
        var reader = new UpdateReader(withdrawn, attributes, nlri, addPath, context, origin);
        reader.Validate();
        if (reader.Action == ErrorAction.SessionReset)
        {
            throw new BgpWireException(reader.Error!);
        }
        return reader;
    }

    /// <summary>Reads a whole UPDATE message (header included).</summary>
    /// <exception cref="BgpWireException">A header error, or an UPDATE error that resets the session.</exception>
    public static UpdateReader ReadMessage(ReadOnlySpan<byte> message, BgpDecodeContext? context = null)
    {
        context ??= BgpDecodeContext.Default;
        if (message.Length < BgpMessageHeader.Size)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, default, "shorter than a header", 0));
        }
        var header = BgpMessageHeader.Read(message, context.MaxMessageLength);
        if (header.Type != BgpMessageType.Update || header.Length != message.Length)
        {
            throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, message.Slice(16, 2), "not one whole UPDATE", 16));
        }
        return Read(message[BgpMessageHeader.Size..], context, BgpMessageHeader.Size);
    }

    private static BgpWireException Reset(UpdateMessageErrorSubcode subcode, string reason, int offset) =>
        new(BgpError.Update(subcode, default, ErrorAction.SessionReset, reason, offset));

    private void Validate()
    {
        Span<ulong> seen = stackalloc ulong[4];
        seen.Clear();
        var at = 0;
        var hasMpReachNlri = false;
        // Offsets in the body: the Path Attributes field follows the two length fields and the withdrawn routes.
        var field = _origin + 4 + _withdrawn.Length;
        while (at < _attributes.Length)
        {
            var start = at;
            if (!PathAttributeEnumerator.TryRead(_attributes, ref at, out var attribute))
            {
                // RFC 7606 section 4: an attribute overrunning the field; the NLRI field is still located by the
                // Total Path Attribute Length, so treat-as-withdraw, unless MP NLRI may hide in the rest.
                var action = SeenAny(seen, 14, 15) ? ErrorAction.SessionReset : ErrorAction.TreatAsWithdraw;
                Report(action, UpdateMessageErrorSubcode.MalformedAttributeList, _attributes[start..], null, "attribute overruns the path attributes field", field + start);
                break;
            }
            var type = attribute.TypeCode;
            if ((seen[type >> 6] & 1UL << (type & 63)) != 0)
            {
                // RFC 7606 section 3 (g): repeated MP_REACH/MP_UNREACH reset the session; other repeats are discarded.
                if (type is 14 or 15)
                {
                    Report(ErrorAction.SessionReset, UpdateMessageErrorSubcode.MalformedAttributeList, default, type, "repeated MP_REACH_NLRI or MP_UNREACH_NLRI", field + start);
                }
                else
                {
                    Report(ErrorAction.AttributeDiscard, UpdateMessageErrorSubcode.MalformedAttributeList, attribute.Raw, type, $"repeated attribute {type}", field + start);
                }
                continue;
            }
            seen[type >> 6] |= 1UL << (type & 63);
            var result = AttributeRules.Check((byte)attribute.Flags, type, attribute.Value, Context, out var subcode);
            if (result != ErrorAction.None)
            {
                Report(result, subcode, attribute.Raw, type, $"attribute {(PathAttributeType)type} is malformed ({subcode})", field + start);
            }
            else if (type == 14 && attribute.Value.Length > 5 + attribute.Value[3])
            {
                hasMpReachNlri = true;
            }
        }
        // RFC 7606 section 3 (d): a missing well-known mandatory attribute is treat-as-withdraw when NLRI is present.
        if (!_nlri.IsEmpty || hasMpReachNlri)
        {
            CheckPresent(seen, PathAttributeType.Origin);
            CheckPresent(seen, PathAttributeType.AsPath);
            if (!_nlri.IsEmpty)
            {
                CheckPresent(seen, PathAttributeType.NextHop);
            }
        }
    }

    private static bool SeenAny(scoped Span<ulong> seen, byte a, byte b) => (seen[0] & (1UL << a | 1UL << b)) != 0;

    private void CheckPresent(scoped Span<ulong> seen, PathAttributeType type)
    {
        var code = (byte)type;
        if ((seen[0] & 1UL << code) == 0)
        {
            // Missing from the whole field: the offset is the Total Path Attribute Length.
            Report(ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MissingWellKnownAttribute, [code], code, $"missing well-known attribute {type}", _origin + 2 + _withdrawn.Length);
        }
    }

    private void Report(ErrorAction action, UpdateMessageErrorSubcode subcode, scoped ReadOnlySpan<byte> data, byte? type, string reason, int offset)
    {
        if (action > Action)
        {
            Action = action;
            Error = BgpError.Update(subcode, data, action, reason, offset, type);
        }
    }
}
