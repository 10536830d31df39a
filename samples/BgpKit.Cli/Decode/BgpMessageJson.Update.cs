using System.Text.Json;
using BgpKit.Bgp.Wire;

namespace BgpKit.Cli.Decode;

internal static partial class BgpMessageJson
{
    private static void WriteOther(Utf8JsonWriter json, BgpMessage message, BgpDecodeContext context, DecodeSummary summary)
    {
    }

    /// <summary>Writes the path attributes of an MRT RIB entry (4-octet AS for TABLE_DUMP_V2, 2-octet for TABLE_DUMP).</summary>
    public static void WriteRibAttributes(Utf8JsonWriter json, ReadOnlySpan<byte> attributes, bool fourOctetAs, ushort afi, DecodeSummary summary)
    {
        json.WriteStartObject(JsonNames.Attributes);
        json.WriteString(JsonNames.Hex, Convert.ToHexStringLower(attributes));
        json.WriteEndObject();
    }
}
