namespace BgpKit.Bgp.Wire;

/// <summary>
/// UPDATE (RFC 4271 section 4.3) in materialized form: withdrawn and announced IPv4 routes, the path attributes as a
/// shareable <see cref="PathAttributes"/>, and MP_REACH_NLRI/MP_UNREACH_NLRI (RFC 4760) for other families.
/// For allocation-free walking use <see cref="UpdateReader"/>; to pack many prefixes use <see cref="UpdateBuilder"/>.
/// </summary>
/// <remarks>
/// Encoding writes MP_REACH_NLRI, then MP_UNREACH_NLRI, then the other attributes in ascending type order.
/// Decoding keeps RFC 7606 outcomes as values: <see cref="Action"/> and <see cref="Error"/>.
/// </remarks>
public sealed class UpdateMessage : BgpMessage
{
    private readonly Nlri[] _withdrawn;
    private readonly Nlri[] _nlri;

    /// <summary>An UPDATE; every part is optional. IPv4 prefixes only in <paramref name="withdrawn"/> and <paramref name="nlri"/>.</summary>
    /// <exception cref="ArgumentException">An IPv6 prefix is in the IPv4 fields.</exception>
    public UpdateMessage(IEnumerable<Nlri>? withdrawn = null, PathAttributes? attributes = null, IEnumerable<Nlri>? nlri = null, MpReachNlri? mpReach = null, MpUnreachNlri? mpUnreach = null)
    {
        _withdrawn = withdrawn is null ? [] : [.. withdrawn];
        _nlri = nlri is null ? [] : [.. nlri];
        foreach (var n in _withdrawn)
        {
            Require(n.Prefix.IsIPv4, nameof(withdrawn));
        }
        foreach (var n in _nlri)
        {
            Require(n.Prefix.IsIPv4, nameof(nlri));
        }
        Attributes = attributes;
        MpReach = mpReach;
        MpUnreach = mpUnreach;
    }

    private UpdateMessage(Nlri[] withdrawn, PathAttributes? attributes, Nlri[] nlri, MpReachNlri? mpReach, MpUnreachNlri? mpUnreach, ErrorAction action, BgpError? error)
    {
        _withdrawn = withdrawn;
        _nlri = nlri;
        Attributes = attributes;
        MpReach = mpReach;
        MpUnreach = mpUnreach;
        Action = action;
        Error = error;
    }

    private static void Require(bool ok, string name)
    {
        if (!ok)
        {
            throw new ArgumentException("The Withdrawn Routes and NLRI fields carry IPv4 prefixes; IPv6 goes in MP_REACH/MP_UNREACH.", name);
        }
    }

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Update;

    /// <summary>The Withdrawn Routes field (IPv4).</summary>
    public IReadOnlyList<Nlri> Withdrawn => _withdrawn;

    /// <summary>The path attributes, or null when the UPDATE has none.</summary>
    public PathAttributes? Attributes { get; }

    /// <summary>The NLRI field (IPv4).</summary>
    public IReadOnlyList<Nlri> Nlri => _nlri;

    /// <summary>MP_REACH_NLRI, or null.</summary>
    public MpReachNlri? MpReach { get; }

    /// <summary>MP_UNREACH_NLRI, or null.</summary>
    public MpUnreachNlri? MpUnreach { get; }

    /// <summary>The strongest RFC 7606 action the received UPDATE calls for (<see cref="ErrorAction.None"/> when well-formed).</summary>
    public ErrorAction Action { get; }

    /// <summary>The error behind <see cref="Action"/>, or null.</summary>
    public BgpError? Error { get; }

    /// <summary>True for an End-of-RIB marker (RFC 4724 section 2): an empty UPDATE, or one with only an empty MP_UNREACH_NLRI.</summary>
    public bool IsEndOfRib => _withdrawn.Length == 0 && _nlri.Length == 0 && MpReach is null
        && (MpUnreach is null ? Attributes is null : MpUnreach.IsEndOfRib && IsEmpty(Attributes));

    private static bool IsEmpty(PathAttributes? attributes) => attributes is null || attributes.GetEncodedLength(BgpDecodeContext.FourOctetAsDefault) == 0;

    /// <summary>Every announced unicast route: the NLRI field and the decoded MP_REACH_NLRI.</summary>
    public IEnumerable<Nlri> Announced => MpReach is { IsDecoded: true } mp ? _nlri.Concat(mp.Nlri) : _nlri;

    /// <summary>Every withdrawn unicast route: the Withdrawn Routes field and the decoded MP_UNREACH_NLRI.</summary>
    public IEnumerable<Nlri> AllWithdrawn => MpUnreach is { } mp ? _withdrawn.Concat(mp.Withdrawn) : _withdrawn;

    /// <summary>The End-of-RIB marker of an address family (RFC 4724 section 2).</summary>
    public static UpdateMessage EndOfRib(AfiSafi afiSafi) =>
        afiSafi == AfiSafi.IPv4Unicast ? new UpdateMessage() : new UpdateMessage(mpUnreach: new MpUnreachNlri(afiSafi, []));

    internal static UpdateMessage DecodeBody(ReadOnlySpan<byte> body, BgpDecodeContext context, int origin = 0)
    {
        var reader = UpdateReader.Read(body, context, origin);
        var attributes = PathAttributes.Decode(reader.AttributesField, context, out var mpReach, out var mpUnreach);
        return new UpdateMessage(reader.Withdrawn.ToArray(), attributes, reader.Nlri.ToArray(), mpReach, mpUnreach, reader.Action, reader.Error);
    }

    private int AttributesLength(BgpDecodeContext context) =>
        (MpReach?.EncodedLength(context) ?? 0) + (MpUnreach?.EncodedLength(context) ?? 0) + (Attributes?.GetEncodedLength(context) ?? 0);

    private protected override int GetBodyLength(BgpDecodeContext context)
    {
        var addPath = context.SendsPathIds(AfiSafi.IPv4Unicast);
        var n = 4 + AttributesLength(context);
        foreach (var w in _withdrawn)
        {
            n += NlriCodec.EncodedLength(w.Prefix, addPath);
        }
        foreach (var a in _nlri)
        {
            n += NlriCodec.EncodedLength(a.Prefix, addPath);
        }
        return n;
    }

    private protected override void WriteBody(Span<byte> body, BgpDecodeContext context)
    {
        var addPath = context.SendsPathIds(AfiSafi.IPv4Unicast);
        var writer = new SpanWriter(body);
        var withdrawnLength = writer.ReserveUInt16();
        foreach (var w in _withdrawn)
        {
            writer.Advance(NlriCodec.Write(writer.Free, w, addPath));
        }
        writer.PatchUInt16(withdrawnLength, (ushort)(writer.Position - 2));
        var attributesLength = writer.ReserveUInt16();
        var start = writer.Position;
        if (MpReach is not null)
        {
            writer.Advance(MpReach.Write(writer.Free, 0, context));
        }
        if (MpUnreach is not null)
        {
            writer.Advance(MpUnreach.Write(writer.Free, 0, context));
        }
        if (Attributes is not null)
        {
            writer.Advance(Attributes.Write(writer.Free, context));
        }
        writer.PatchUInt16(attributesLength, (ushort)(writer.Position - start));
        foreach (var a in _nlri)
        {
            writer.Advance(NlriCodec.Write(writer.Free, a, addPath));
        }
    }

    /// <summary>A multi-line summary.</summary>
    public override string ToString()
    {
        var parts = new List<string> { "UPDATE" };
        if (_withdrawn.Length > 0)
        {
            parts.Add($"withdrawn [{string.Join(" ", _withdrawn)}]");
        }
        if (Attributes is not null)
        {
            parts.Add(Attributes.ToString());
        }
        if (MpReach is not null)
        {
            parts.Add(MpReach.ToString());
        }
        if (MpUnreach is not null)
        {
            parts.Add(MpUnreach.ToString());
        }
        if (_nlri.Length > 0)
        {
            parts.Add($"nlri [{string.Join(" ", _nlri)}]");
        }
        if (Error is not null)
        {
            parts.Add($"error {Error}");
        }
        return string.Join("; ", parts);
    }
}
