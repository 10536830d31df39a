using System.Text.Json;

namespace BgpKit.Cli.Decode;

/// <summary>Writes the fields of one BGP message (after kind/src/dst) as the decode contract names them.</summary>
internal static class BgpMessageJson
{
    private static readonly JsonEncodedText[] TypeNames =
    [
        JsonEncodedText.Encode("UNKNOWN"),
        JsonEncodedText.Encode("OPEN"),
        JsonEncodedText.Encode("UPDATE"),
        JsonEncodedText.Encode("NOTIFICATION"),
        JsonEncodedText.Encode("KEEPALIVE"),
        JsonEncodedText.Encode("ROUTE-REFRESH"),
    ];

    public static string TypeName(byte type) => type is >= 1 and <= 5 ? TypeNames[type].ToString() : "UNKNOWN";

    /// <summary>Writes a whole message (header included) for a captured session.</summary>
    public static void WriteBody(Utf8JsonWriter json, ReadOnlySpan<byte> message, BgpSessionView session, int direction, DecodeSummary summary)
    {
        var type = message.Length >= 19 ? message[18] : (byte)0;
        var name = type is >= 1 and <= 5 ? TypeNames[type] : TypeNames[0];
        json.WriteString(JsonNames.Type, name);
        json.WriteNumber(JsonNames.Length, message.Length);
        summary.Count("bgp", name.ToString());
    }

    /// <summary>Writes a whole message (header included) taken from an MRT record, whose subtype fixes the context.</summary>
    public static void WriteBody(Utf8JsonWriter json, ReadOnlySpan<byte> message, bool fourOctetAs, bool addPath, DecodeSummary summary)
    {
        var type = message.Length >= 19 ? message[18] : (byte)0;
        var name = type is >= 1 and <= 5 ? TypeNames[type] : TypeNames[0];
        json.WriteString(JsonNames.Type, name);
        json.WriteNumber(JsonNames.Length, message.Length);
        summary.Count("bgp", name.ToString());
    }

    /// <summary>Writes the path attributes of an MRT RIB entry (4-octet AS for TABLE_DUMP_V2, 2-octet for TABLE_DUMP).</summary>
    public static void WriteRibAttributes(Utf8JsonWriter json, ReadOnlySpan<byte> attributes, bool fourOctetAs, ushort afi, DecodeSummary summary)
    {
        json.WriteStartObject(JsonNames.Attributes);
        json.WriteString(JsonNames.Hex, Convert.ToHexStringLower(attributes));
        json.WriteEndObject();
    }
}
