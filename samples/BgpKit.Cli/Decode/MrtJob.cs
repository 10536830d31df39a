using System.Buffers.Binary;
using System.Text.Json;
using BgpKit.Bgp.Wire.Mrt;

namespace BgpKit.Cli.Decode;

/// <summary>Prints the records of an MRT dump: RIB records with their entries, BGP4MP messages and state changes.</summary>
internal static class MrtJob
{
    private static readonly JsonEncodedText TableDump = JsonEncodedText.Encode("TABLE_DUMP");
    private static readonly JsonEncodedText TableDumpV2 = JsonEncodedText.Encode("TABLE_DUMP_V2");
    private static readonly JsonEncodedText Bgp4Mp = JsonEncodedText.Encode("BGP4MP");
    private static readonly JsonEncodedText Bgp4MpEt = JsonEncodedText.Encode("BGP4MP_ET");
    private static readonly JsonEncodedText Bgp = JsonEncodedText.Encode("BGP");

    /// <summary>Prints every record of <paramref name="input"/>; <paramref name="state"/> carries the peer table and the printed attribute sets over from an earlier run (benchmarks).</summary>
    public static bool Run(Stream input, JsonLineWriter lines, DecodeSummary summary, MrtState? state = null)
    {
        using var reader = new MrtReader(input);
        state ??= new MrtState();
        var json = lines.Json;
        while (reader.TryReadRecord(out var record))
        {
            string? problem;
            switch ((MrtRecordType)record.Type)
            {
                case MrtRecordType.TableDumpV2:
                    problem = WriteTableDumpV2(json, record, state, summary);
                    break;
                case MrtRecordType.TableDump:
                    problem = WriteTableDump(json, record, state, summary);
                    break;
                case MrtRecordType.Bgp4Mp:
                case MrtRecordType.Bgp4MpEt:
                case MrtRecordType.Bgp:
                    problem = WriteBgp4Mp(json, record, state, summary);
                    break;
                default:
                    problem = $"MRT type {record.Type} is not decoded";
                    break;
            }
            if (problem is null)
            {
                lines.EndLine();
            }
            else
            {
                // Whatever was written for a damaged record is dropped with it.
                json.Reset();
                summary.Skipped++;
                summary.Report($"record {record.Index} (type {record.Type}, subtype {record.Subtype}): {problem}");
            }
        }
        if (reader.Problem is { } damage)
        {
            summary.Skipped++;
            summary.Report(damage);
        }
        return true;
    }

    private static void WriteHeader(Utf8JsonWriter json, in MrtRecord record, JsonEncodedText type, string subtype)
    {
        json.WriteStartObject();
        json.WriteString(JsonNames.Kind, JsonNames.Mrt);
        json.WriteString(JsonNames.Type, type);
        json.WriteString(JsonNames.Subtype, subtype);
        json.WriteNumber(JsonNames.Timestamp, record.Timestamp);
        if (record.Type == (ushort)MrtRecordType.Bgp4MpEt)
        {
            json.WriteNumber(JsonNames.Microseconds, record.Microseconds);
        }
    }

    private static string? WriteTableDumpV2(Utf8JsonWriter json, in MrtRecord record, MrtState state, DecodeSummary summary)
    {
        var body = record.Body.Span;
        if (record.Subtype == (ushort)TableDumpV2Subtype.PeerIndexTable)
        {
            var table = MrtPeerIndexTable.TryDecode(body, out var problem);
            if (table is null)
            {
                return problem;
            }
            state.Peers = table;
            summary.Count("mrt", "PEER_INDEX_TABLE");
            WriteHeader(json, record, TableDumpV2, "PEER_INDEX_TABLE");
            json.WriteString(JsonNames.CollectorBgpId, PrefixText.Address(BigEndian(table.CollectorBgpId)));
            json.WriteString(JsonNames.ViewName, table.ViewName);
            json.WriteStartArray(JsonNames.Peers);
            foreach (var peer in table.Peers)
            {
                json.WriteStartObject();
                json.WriteString(JsonNames.BgpId, PrefixText.Address(BigEndian(peer.BgpId)));
                json.WriteString(JsonNames.Address, peer.AddressText);
                json.WriteNumber(JsonNames.Asn, peer.Asn);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            return null;
        }
        if (!MrtRib.TryDecode(record.Subtype, body, out var rib, out var ribProblem))
        {
            return ribProblem;
        }
        var subtype = SubtypeName((TableDumpV2Subtype)record.Subtype);
        summary.Count("mrt", subtype);
        WriteHeader(json, record, TableDumpV2, subtype);
        Span<byte> text = stackalloc byte[PrefixText.MaxLength];
        json.WriteString(JsonNames.Prefix, text[..PrefixText.FormatUtf8(rib.Afi, rib.PrefixOctets, rib.PrefixLength, text)]);
        if (record.Subtype is (ushort)TableDumpV2Subtype.RibGeneric or (ushort)TableDumpV2Subtype.RibGenericAddPath)
        {
            json.WriteNumber(JsonNames.Afi, rib.Afi);
            json.WriteNumber(JsonNames.Safi, rib.Safi);
        }
        json.WriteStartArray(JsonNames.Entries);
        var entries = rib.GetEnumerator();
        while (entries.MoveNext())
        {
            var entry = entries.Current;
            json.WriteStartObject();
            var peers = state.Peers?.Peers;
            if (peers is null || entry.PeerIndex >= peers.Count)
            {
                return $"RIB entry refers to peer {entry.PeerIndex}, which the PEER_INDEX_TABLE does not list";
            }
            json.WriteString(JsonNames.Peer, state.PeerAddresses[entry.PeerIndex]);
            json.WriteNumber(JsonNames.PeerAsn, peers[entry.PeerIndex].Asn);
            json.WriteNumber(JsonNames.Originated, entry.OriginatedTime);
            if (entry.PathId is { } pathId)
            {
                json.WriteNumber(JsonNames.PathId, pathId);
            }
            // RFC 6396 4.3.4: attributes in TABLE_DUMP_V2 always carry 4-octet AS numbers.
            BgpMessageJson.WriteRibAttributes(json, state.Scratch, entry.Attributes, fourOctetAs: true, rib.Afi, rib.Safi, rib.PrefixOctets, rib.PrefixLength, summary);
            json.WriteEndObject();
        }
        if (entries.Problem is { } entryProblem)
        {
            return entryProblem;
        }
        json.WriteEndArray();
        json.WriteEndObject();
        return null;
    }

    private static string? WriteTableDump(Utf8JsonWriter json, in MrtRecord record, MrtState state, DecodeSummary summary)
    {
        if (!MrtTableDump.TryDecode(record.Subtype, record.Body.Span, out var entry, out var problem))
        {
            return problem;
        }
        var subtype = record.Subtype == 1 ? "AFI_IPv4" : "AFI_IPv6";
        summary.Count("mrt", subtype);
        WriteHeader(json, record, TableDump, subtype);
        Span<byte> text = stackalloc byte[PrefixText.MaxLength];
        json.WriteString(JsonNames.Prefix, text[..PrefixText.FormatUtf8(entry.Afi, entry.Prefix, entry.PrefixLength, text)]);
        json.WriteStartArray(JsonNames.Entries);
        json.WriteStartObject();
        json.WriteString(JsonNames.Peer, text[..PrefixText.AddressUtf8(entry.PeerAddress, text)]);
        json.WriteNumber(JsonNames.PeerAsn, entry.PeerAsn);
        json.WriteNumber(JsonNames.Originated, entry.OriginatedTime);
        BgpMessageJson.WriteRibAttributes(json, state.Scratch, entry.Attributes, fourOctetAs: false, entry.Afi, 1, entry.Prefix[..((entry.PrefixLength + 7) / 8)], entry.PrefixLength, summary);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        return null;
    }

    private static string? WriteBgp4Mp(Utf8JsonWriter json, in MrtRecord record, MrtState state, DecodeSummary summary)
    {
        var deprecated = record.Type == (ushort)MrtRecordType.Bgp;
        var ok = deprecated
            ? MrtBgp4Mp.TryDecodeDeprecated(record.Subtype, record.Body.Span, out var bgp, out var problem)
            : MrtBgp4Mp.TryDecode(record.Subtype, record.Body.Span, out bgp, out problem);
        if (!ok)
        {
            return problem;
        }
        var subtype = deprecated ? DeprecatedSubtypeName((MrtBgpSubtype)record.Subtype) : SubtypeName((Bgp4MpSubtype)record.Subtype);
        summary.Count("mrt", subtype);
        WriteHeader(json, record, deprecated ? Bgp : record.Type == (ushort)MrtRecordType.Bgp4Mp ? Bgp4Mp : Bgp4MpEt, subtype);
        var peer = PrefixText.Address(bgp.PeerAddress);
        json.WriteString(JsonNames.Peer, peer);
        json.WriteNumber(JsonNames.PeerAsn, bgp.PeerAsn);
        var local = bgp.LocalAddress.IsEmpty ? null : PrefixText.Address(bgp.LocalAddress);
        if (local is not null)
        {
            json.WriteString(JsonNames.LocalAddress, local);
            json.WriteNumber(JsonNames.LocalAsn, bgp.LocalAsn);
        }
        if (bgp.Kind == Bgp4MpKind.StateChange)
        {
            json.WriteNumber(JsonNames.OldState, bgp.OldState);
            json.WriteNumber(JsonNames.NewState, bgp.NewState);
            json.WriteEndObject();
            return null;
        }
        var message = bgp.Message;
        if (bgp.BodyOnlyType != 0)
        {
            message = state.WithHeader(bgp.BodyOnlyType, message);
        }
        json.WriteStartObject(JsonNames.Message);
        json.WriteString(JsonNames.Kind, JsonNames.Bgp);
        // _LOCAL subtypes were sent by the collector; the others were received from the peer.
        json.WriteString(JsonNames.Src, bgp.Local ? local : peer);
        json.WriteString(JsonNames.Dst, bgp.Local ? peer : local);
        BgpMessageJson.WriteFromMrt(json, message, bgp.FourOctetAs, bgp.AddPath, summary);
        json.WriteEndObject();
        json.WriteEndObject();
        return null;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static string SubtypeName(TableDumpV2Subtype subtype) => subtype switch
    {
        TableDumpV2Subtype.RibIpv4Unicast => "RIB_IPV4_UNICAST",
        TableDumpV2Subtype.RibIpv4Multicast => "RIB_IPV4_MULTICAST",
        TableDumpV2Subtype.RibIpv6Unicast => "RIB_IPV6_UNICAST",
        TableDumpV2Subtype.RibIpv6Multicast => "RIB_IPV6_MULTICAST",
        TableDumpV2Subtype.RibGeneric => "RIB_GENERIC",
        TableDumpV2Subtype.RibIpv4UnicastAddPath => "RIB_IPV4_UNICAST_ADDPATH",
        TableDumpV2Subtype.RibIpv4MulticastAddPath => "RIB_IPV4_MULTICAST_ADDPATH",
        TableDumpV2Subtype.RibIpv6UnicastAddPath => "RIB_IPV6_UNICAST_ADDPATH",
        TableDumpV2Subtype.RibIpv6MulticastAddPath => "RIB_IPV6_MULTICAST_ADDPATH",
        TableDumpV2Subtype.RibGenericAddPath => "RIB_GENERIC_ADDPATH",
        _ => ((int)subtype).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string SubtypeName(Bgp4MpSubtype subtype) => subtype switch
    {
        Bgp4MpSubtype.StateChange => "STATE_CHANGE",
        Bgp4MpSubtype.Message => "MESSAGE",
        Bgp4MpSubtype.MessageAs4 => "MESSAGE_AS4",
        Bgp4MpSubtype.StateChangeAs4 => "STATE_CHANGE_AS4",
        Bgp4MpSubtype.MessageLocal => "MESSAGE_LOCAL",
        Bgp4MpSubtype.MessageAs4Local => "MESSAGE_AS4_LOCAL",
        Bgp4MpSubtype.MessageAddPath => "MESSAGE_ADDPATH",
        Bgp4MpSubtype.MessageAs4AddPath => "MESSAGE_AS4_ADDPATH",
        Bgp4MpSubtype.MessageLocalAddPath => "MESSAGE_LOCAL_ADDPATH",
        Bgp4MpSubtype.MessageAs4LocalAddPath => "MESSAGE_AS4_LOCAL_ADDPATH",
        _ => ((int)subtype).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string DeprecatedSubtypeName(MrtBgpSubtype subtype) => subtype switch
    {
        MrtBgpSubtype.Update => "BGP_UPDATE",
        MrtBgpSubtype.StateChange => "BGP_STATE_CHANGE",
        MrtBgpSubtype.Open => "BGP_OPEN",
        MrtBgpSubtype.Notify => "BGP_NOTIFY",
        MrtBgpSubtype.Keepalive => "BGP_KEEPALIVE",
        _ => ((int)subtype).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>What carries over from record to record: the peer table and a scratch buffer.</summary>
    internal sealed class MrtState
    {
        private byte[] _scratch = new byte[4096];
        private MrtPeerIndexTable? _peers;

        /// <summary>The PEER_INDEX_TABLE in force; setting it encodes its peers' addresses once for every entry that names them.</summary>
        public MrtPeerIndexTable? Peers
        {
            get => _peers;
            set
            {
                _peers = value;
                PeerAddresses = value is null ? [] : [.. value.Peers.Select(p => JsonEncodedText.Encode(p.AddressText, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping))];
            }
        }

        /// <summary>The JSON text of each peer's address, by peer index.</summary>
        public JsonEncodedText[] PeerAddresses { get; private set; } = [];

        public BgpMessageJson.RibScratch Scratch { get; } = new();

        /// <summary>Puts a BGP header in front of a body from the deprecated BGP type, so the codec can read it.</summary>
        public ReadOnlySpan<byte> WithHeader(byte type, ReadOnlySpan<byte> body)
        {
            var length = 19 + body.Length;
            if (_scratch.Length < length)
            {
                _scratch = new byte[length];
            }
            _scratch.AsSpan(0, 16).Fill(0xFF);
            BinaryPrimitives.WriteUInt16BigEndian(_scratch.AsSpan(16), (ushort)Math.Min(length, ushort.MaxValue));
            _scratch[18] = type;
            body.CopyTo(_scratch.AsSpan(19));
            return _scratch.AsSpan(0, length);
        }
    }
}
