using System.Buffers.Binary;
using System.Text.Json;
using BgpKit.Bgp.Wire;

namespace BgpKit.Cli.Decode;

internal static partial class BgpMessageJson
{
    private static readonly JsonEncodedText Withdrawn = JsonEncodedText.Encode("withdrawn");
    private static readonly JsonEncodedText NlriName = JsonEncodedText.Encode("nlri");
    private static readonly JsonEncodedText OriginName = JsonEncodedText.Encode("origin");
    private static readonly JsonEncodedText AsPathName = JsonEncodedText.Encode("asPath");
    private static readonly JsonEncodedText Asns = JsonEncodedText.Encode("asns");
    private static readonly JsonEncodedText NextHop = JsonEncodedText.Encode("nextHop");
    private static readonly JsonEncodedText NextHops = JsonEncodedText.Encode("nextHops");
    private static readonly JsonEncodedText Med = JsonEncodedText.Encode("med");
    private static readonly JsonEncodedText LocalPref = JsonEncodedText.Encode("localPref");
    private static readonly JsonEncodedText AtomicAggregate = JsonEncodedText.Encode("atomicAggregate");
    private static readonly JsonEncodedText AggregatorName = JsonEncodedText.Encode("aggregator");
    private static readonly JsonEncodedText Communities = JsonEncodedText.Encode("communities");
    private static readonly JsonEncodedText LargeCommunities = JsonEncodedText.Encode("largeCommunities");
    private static readonly JsonEncodedText ExtendedCommunities = JsonEncodedText.Encode("extendedCommunities");
    private static readonly JsonEncodedText OriginatorId = JsonEncodedText.Encode("originatorId");
    private static readonly JsonEncodedText ClusterList = JsonEncodedText.Encode("clusterList");
    private static readonly JsonEncodedText OnlyToCustomer = JsonEncodedText.Encode("onlyToCustomer");
    private static readonly JsonEncodedText MpReach = JsonEncodedText.Encode("mpReach");
    private static readonly JsonEncodedText MpUnreach = JsonEncodedText.Encode("mpUnreach");
    private static readonly JsonEncodedText Unknown = JsonEncodedText.Encode("unknown");
    private static readonly JsonEncodedText NextHopHex = JsonEncodedText.Encode("nextHopHex");
    private static readonly JsonEncodedText NlriHex = JsonEncodedText.Encode("nlriHex");
    private static readonly JsonEncodedText WithdrawnHex = JsonEncodedText.Encode("withdrawnHex");
    private static readonly JsonEncodedText[] OriginNames = [JsonEncodedText.Encode("IGP"), JsonEncodedText.Encode("EGP"), JsonEncodedText.Encode("INCOMPLETE")];
    private static readonly JsonEncodedText[] SegmentNames =
    [
        JsonEncodedText.Encode("UNKNOWN"),
        JsonEncodedText.Encode("AS_SET"),
        JsonEncodedText.Encode("AS_SEQUENCE"),
        JsonEncodedText.Encode("AS_CONFED_SEQUENCE"),
        JsonEncodedText.Encode("AS_CONFED_SET"),
    ];

    private static void WriteOther(Utf8JsonWriter json, BgpMessage message, BgpDecodeContext context, DecodeSummary summary)
    {
        if (message is not UpdateMessage update)
        {
            return;
        }
        WriteNlriArray(json, Withdrawn, update.Withdrawn);
        WriteNlriArray(json, NlriName, update.Nlri);
        if (update.Attributes is not null || update.MpReach is not null || update.MpUnreach is not null)
        {
            json.WriteStartObject(JsonNames.Attributes);
            if (update.Attributes is { } attributes)
            {
                WriteAttributes(json, attributes);
            }
            if (update.MpReach is { } reach)
            {
                WriteMpReach(json, reach);
            }
            if (update.MpUnreach is { } unreach)
            {
                json.WriteStartObject(MpUnreach);
                json.WriteNumber(JsonNames.Afi, (ushort)unreach.AfiSafi.Afi);
                json.WriteNumber(JsonNames.Safi, (byte)unreach.AfiSafi.Safi);
                WriteNlriArray(json, Withdrawn, unreach.Withdrawn);
                if (!unreach.RawWithdrawn.IsEmpty)
                {
                    json.WriteString(WithdrawnHex, Convert.ToHexStringLower(unreach.RawWithdrawn.Span));
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // RFC 7606: the message was read, but an attribute error decides what happens to it.
        if (update.Error is { } error)
        {
            WriteError(json, error, summary);
        }
    }

    private static void WriteNlriArray(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<Nlri> list)
    {
        json.WriteStartArray(name);
        Span<char> text = stackalloc char[64];
        foreach (var nlri in list)
        {
            nlri.Prefix.TryFormat(text, out var written, default, null);
            if (nlri.PathId is { } pathId)
            {
                json.WriteStartObject();
                json.WriteString(JsonNames.Prefix, text[..written]);
                json.WriteNumber(JsonNames.PathId, pathId);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStringValue(text[..written]);
            }
        }
        json.WriteEndArray();
    }

    private static void WriteAttributes(Utf8JsonWriter json, PathAttributes attributes)
    {
        if (attributes.Origin is { } origin)
        {
            if ((byte)origin <= 2)
            {
                json.WriteString(OriginName, OriginNames[(byte)origin]);
            }
            else
            {
                json.WriteNumber(OriginName, (byte)origin);
            }
        }
        if (attributes.AsPath is { } path)
        {
            json.WriteStartArray(AsPathName);
            foreach (var segment in path.Segments)
            {
                json.WriteStartObject();
                var type = (byte)segment.Type;
                json.WriteString(JsonNames.Type, type <= 4 ? SegmentNames[type] : SegmentNames[0]);
                json.WriteStartArray(Asns);
                foreach (var asn in segment.Asns)
                {
                    json.WriteNumberValue(asn);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (attributes.NextHop is { } nextHop)
        {
            WriteIpv4(json, NextHop, nextHop);
        }
        if (attributes.MultiExitDisc is { } med)
        {
            json.WriteNumber(Med, med);
        }
        if (attributes.LocalPref is { } localPref)
        {
            json.WriteNumber(LocalPref, localPref);
        }
        if (attributes.AtomicAggregate)
        {
            json.WriteBoolean(AtomicAggregate, true);
        }
        if (attributes.Aggregator is { } aggregator)
        {
            json.WriteStartObject(AggregatorName);
            json.WriteNumber(JsonNames.Asn, aggregator.Asn);
            WriteIpv4(json, JsonNames.Address, aggregator.Address);
            json.WriteEndObject();
        }
        if (attributes.Communities.Count > 0)
        {
            json.WriteStartArray(Communities);
            Span<char> text = stackalloc char[16];
            foreach (var community in attributes.Communities)
            {
                var written = Format(text, community.High, community.Low);
                json.WriteStringValue(text[..written]);
            }
            json.WriteEndArray();
        }
        if (attributes.LargeCommunities.Count > 0)
        {
            json.WriteStartArray(LargeCommunities);
            foreach (var community in attributes.LargeCommunities)
            {
                json.WriteStringValue(community.ToString());
            }
            json.WriteEndArray();
        }
        if (attributes.ExtendedCommunities.Count > 0)
        {
            json.WriteStartArray(ExtendedCommunities);
            foreach (var community in attributes.ExtendedCommunities)
            {
                json.WriteStringValue(community.ToString());
            }
            json.WriteEndArray();
        }
        if (attributes.OriginatorId is { } originator)
        {
            WriteIpv4(json, OriginatorId, originator);
        }
        if (attributes.ClusterList.Count > 0)
        {
            json.WriteStartArray(ClusterList);
            Span<char> text = stackalloc char[16];
            foreach (var id in attributes.ClusterList)
            {
                json.WriteStringValue(text[..FormatIpv4(text, id)]);
            }
            json.WriteEndArray();
        }
        if (attributes.OnlyToCustomer is { } otc)
        {
            json.WriteNumber(OnlyToCustomer, otc);
        }
        if (attributes.Unknown.Count > 0)
        {
            json.WriteStartArray(Unknown);
            foreach (var unknown in attributes.Unknown)
            {
                json.WriteStartObject();
                json.WriteNumber(JsonNames.Type, unknown.TypeCode);
                json.WriteNumber(Flags, (byte)unknown.Flags);
                json.WriteString(JsonNames.Hex, Convert.ToHexStringLower(unknown.Value.Span));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
    }

    private static void WriteMpReach(Utf8JsonWriter json, MpReachNlri reach)
    {
        json.WriteStartObject(MpReach);
        json.WriteNumber(JsonNames.Afi, (ushort)reach.AfiSafi.Afi);
        json.WriteNumber(JsonNames.Safi, (byte)reach.AfiSafi.Safi);
        if (reach.IsDecoded)
        {
            json.WriteStartArray(NextHops);
            if (reach.NextHop is { } global)
            {
                json.WriteStringValue(global.ToString());
            }
            if (reach.LinkLocalNextHop is { } linkLocal)
            {
                json.WriteStringValue(linkLocal.ToString());
            }
            json.WriteEndArray();
            WriteNlriArray(json, NlriName, reach.Nlri);
        }
        else
        {
            // Families the codec carries but does not decode (VPN, labelled, EVPN, flowspec, BGP-LS).
            json.WriteString(NextHopHex, Convert.ToHexStringLower(reach.RawNextHop.Span));
            json.WriteString(NlriHex, Convert.ToHexStringLower(reach.RawNlri.Span));
        }
        json.WriteEndObject();
    }

    private static void WriteIpv4(Utf8JsonWriter json, JsonEncodedText name, uint address)
    {
        Span<char> text = stackalloc char[16];
        json.WriteString(name, text[..FormatIpv4(text, address)]);
    }

    private static int FormatIpv4(Span<char> text, uint address)
    {
        text.TryWrite(System.Globalization.CultureInfo.InvariantCulture, $"{address >> 24}.{(byte)(address >> 16)}.{(byte)(address >> 8)}.{(byte)address}", out var written);
        return written;
    }

    private static int Format(Span<char> text, ushort high, ushort low)
    {
        text.TryWrite(System.Globalization.CultureInfo.InvariantCulture, $"{high}:{low}", out var written);
        return written;
    }

    /// <summary>
    /// Writes the path attributes of an MRT RIB entry by wrapping them in an UPDATE the codec can read:
    /// 4-octet AS for TABLE_DUMP_V2, 2-octet for TABLE_DUMP. An abbreviated MP_REACH_NLRI (RFC 6396
    /// 4.3.4: next hop only) is expanded to the full form with the record's prefix as its NLRI.
    /// </summary>
    /// <remarks>
    /// A RIB dump repeats the same attribute octets for many prefixes, so the printed JSON is kept per
    /// distinct octets (when no MP_REACH ties it to the prefix) and copied, as collectors intern attribute sets.
    /// </remarks>
    public static void WriteRibAttributes(Utf8JsonWriter json, RibScratch scratch, ReadOnlySpan<byte> attributes, bool fourOctetAs, ushort afi, byte safi, ReadOnlySpan<byte> prefixOctets, int prefixLength, DecodeSummary summary)
    {
        var cacheable = !HasMpReach(attributes);
        if (cacheable && scratch.TryGetRendered(attributes, fourOctetAs, out var cached))
        {
            WriteRendered(json, cached, summary);
            return;
        }
        var rendered = Render(scratch, attributes, fourOctetAs, afi, safi, prefixOctets, prefixLength);
        if (cacheable)
        {
            scratch.Remember(attributes, fourOctetAs, rendered);
        }
        WriteRendered(json, rendered, summary);
    }

    private static void WriteRendered(Utf8JsonWriter json, RenderedAttributes rendered, DecodeSummary summary)
    {
        json.WritePropertyName(JsonNames.Attributes);
        json.WriteRawValue(rendered.Attributes, skipInputValidation: true);
        if (rendered.Error is { } error)
        {
            summary.Errors++;
            json.WritePropertyName(JsonNames.Error);
            json.WriteRawValue(error, skipInputValidation: true);
        }
    }

    private static RenderedAttributes Render(RibScratch scratch, ReadOnlySpan<byte> attributes, bool fourOctetAs, ushort afi, byte safi, ReadOnlySpan<byte> prefixOctets, int prefixLength)
    {
        var message = scratch.Wrap(attributes, afi, safi, prefixOctets, prefixLength);
        var writer = scratch.RenderWriter();
        BgpError? error = null;
        writer.WriteStartObject();
        try
        {
            var update = (UpdateMessage)BgpMessage.Decode(message, fourOctetAs ? RibContextAs4 : RibContextAs2);
            if (update.Attributes is { } parsed)
            {
                WriteAttributes(writer, parsed);
            }
            if (update.MpReach is { } reach)
            {
                WriteMpReach(writer, reach);
            }
            error = update.Error;
        }
        catch (BgpWireException e)
        {
            error = e.Error;
        }
        writer.WriteEndObject();
        var attributesJson = scratch.TakeRendered();
        byte[]? errorJson = null;
        if (error is not null)
        {
            writer.WriteStartObject();
            WriteErrorFields(writer, error);
            writer.WriteEndObject();
            errorJson = scratch.TakeRendered();
        }
        return new RenderedAttributes(attributesJson, errorJson);
    }

    private static bool HasMpReach(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 3)
        {
            var headerLength = (attributes[0] & 0x10) != 0 ? 4 : 3;
            if (attributes.Length < headerLength)
            {
                return false;
            }
            if (attributes[1] == 14)
            {
                return true;
            }
            int length = headerLength == 4 ? BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]) : attributes[2];
            if (attributes.Length < headerLength + length)
            {
                return false;
            }
            attributes = attributes[(headerLength + length)..];
        }
        return false;
    }

    /// <summary>The JSON of one attribute set (and of its error, when the codec reported one).</summary>
    internal sealed record RenderedAttributes(byte[] Attributes, byte[]? Error);

    private static readonly BgpDecodeContext RibContextAs4 = new() { FourOctetAs = true, ExtendedMessage = true };
    private static readonly BgpDecodeContext RibContextAs2 = new() { FourOctetAs = false, ExtendedMessage = true };

    /// <summary>A reusable buffer that turns a RIB entry's attributes into an UPDATE message, and the cache of printed sets.</summary>
    internal sealed class RibScratch
    {
        private const int MaxCached = 200_000;
        private byte[] _buffer = new byte[4096];
        private readonly System.Buffers.ArrayBufferWriter<byte> _render = new(1024);
        private Utf8JsonWriter? _renderWriter;
        private readonly Dictionary<byte[], RenderedAttributes>[] _cache = [new(OctetsComparer.Instance), new(OctetsComparer.Instance)];

        public Utf8JsonWriter RenderWriter()
        {
            _render.ResetWrittenCount();
            _renderWriter ??= new Utf8JsonWriter(_render, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            _renderWriter.Reset(_render);
            return _renderWriter;
        }

        public byte[] TakeRendered()
        {
            _renderWriter!.Flush();
            var bytes = _render.WrittenSpan.ToArray();
            _render.ResetWrittenCount();
            _renderWriter.Reset(_render);
            return bytes;
        }

        public bool TryGetRendered(ReadOnlySpan<byte> attributes, bool fourOctetAs, out RenderedAttributes rendered) =>
            _cache[fourOctetAs ? 1 : 0].GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(attributes, out rendered!);

        public void Remember(ReadOnlySpan<byte> attributes, bool fourOctetAs, RenderedAttributes rendered)
        {
            var cache = _cache[fourOctetAs ? 1 : 0];
            if (cache.Count >= MaxCached)
            {
                cache.Clear();
            }
            cache[attributes.ToArray()] = rendered;
        }

        public ReadOnlySpan<byte> Wrap(ReadOnlySpan<byte> attributes, ushort afi, byte safi, ReadOnlySpan<byte> prefixOctets, int prefixLength)
        {
            var need = 19 + 4 + attributes.Length + 8 + 1 + prefixOctets.Length + 64;
            if (_buffer.Length < need)
            {
                _buffer = new byte[need * 2];
            }
            var body = _buffer.AsSpan(19);
            BinaryPrimitives.WriteUInt16BigEndian(body, 0); // no withdrawn routes
            var field = body[4..];
            var length = 0;
            var rest = attributes;
            while (rest.Length >= 3)
            {
                var flags = rest[0];
                var type = rest[1];
                var headerLength = (flags & 0x10) != 0 ? 4 : 3;
                if (rest.Length < headerLength)
                {
                    break;
                }
                int valueLength = headerLength == 4 ? BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) : rest[2];
                if (rest.Length < headerLength + valueLength)
                {
                    break;
                }
                var value = rest.Slice(headerLength, valueLength);
                // RFC 6396 4.3.4: the abbreviated form is the next hop length and the next hop only.
                if (type == 14 && valueLength > 0 && value[0] == valueLength - 1)
                {
                    var expanded = 3 + valueLength + 1 + 1 + prefixOctets.Length;
                    field[length] = (byte)(flags | 0x10);
                    field[length + 1] = 14;
                    BinaryPrimitives.WriteUInt16BigEndian(field[(length + 2)..], (ushort)expanded);
                    var at = length + 4;
                    BinaryPrimitives.WriteUInt16BigEndian(field[at..], afi);
                    field[at + 2] = safi;
                    value.CopyTo(field[(at + 3)..]);
                    field[at + 3 + valueLength] = 0; // reserved
                    field[at + 4 + valueLength] = (byte)prefixLength;
                    prefixOctets.CopyTo(field[(at + 5 + valueLength)..]);
                    length += 4 + expanded;
                    if (_buffer.Length < 19 + 4 + length + rest.Length + 64)
                    {
                        var grown = new byte[_buffer.Length * 2];
                        _buffer.CopyTo(grown, 0);
                        _buffer = grown;
                        body = _buffer.AsSpan(19);
                        field = body[4..];
                    }
                }
                else
                {
                    rest[..(headerLength + valueLength)].CopyTo(field[length..]);
                    length += headerLength + valueLength;
                }
                rest = rest[(headerLength + valueLength)..];
            }
            // Damaged trailing octets go to the codec as they are, so it reports them.
            rest.CopyTo(field[length..]);
            length += rest.Length;
            BinaryPrimitives.WriteUInt16BigEndian(body[2..], (ushort)Math.Min(length, ushort.MaxValue));
            var total = 19 + 4 + length;
            _buffer.AsSpan(0, 16).Fill(0xFF);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(16), (ushort)Math.Min(total, ushort.MaxValue));
            _buffer[18] = 2;
            return _buffer.AsSpan(0, total);
        }
    }
}
