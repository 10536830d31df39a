using System.Text.Json;
using BgpKit.Bgp.Wire.Capture;

namespace BgpKit.Cli.Decode;

/// <summary>
/// BFD control packets. The BFD packet decoder belongs to src/Bfd; until it lands there, packets are
/// counted (in the summary) and not printed.
/// </summary>
internal static class BfdJson
{
    public static bool TryWrite(Utf8JsonWriter json, in CaptureItem item) => false;
}
