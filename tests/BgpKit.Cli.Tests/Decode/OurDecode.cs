using System.Text.Json;
using BgpKit.Cli.Decode;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary>Runs <c>bgpkit decode</c> in-process and parses its JSON lines.</summary>
internal static class OurDecode
{
    public sealed record Result(int ExitCode, IReadOnlyList<JsonElement> Lines, string Stderr);

    public static Result Run(string path, params int[] ports)
    {
        var output = new MemoryStream();
        var error = new StringWriter();
        var exit = DecodeRunner.Run(path, ports, output, error);
        var lines = new List<JsonElement>();
        foreach (var line in System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
        return new Result(exit, lines, error.ToString());
    }

    public static string? Str(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static JsonElement? Obj(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static IEnumerable<JsonElement> Arr(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    /// <summary>"10.0.0.0/8" or {"prefix":"10.0.0.0/8","pathId":1} -> "10.0.0.0/8".</summary>
    public static string PrefixOf(JsonElement nlri) => nlri.ValueKind == JsonValueKind.String ? nlri.GetString()! : nlri.Str("prefix")!;
}
