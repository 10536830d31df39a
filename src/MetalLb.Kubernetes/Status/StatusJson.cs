using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>The JSON shape of the status views: camelCase names, indented, nulls kept (the field lists are a contract).</summary>
public static class StatusJson
{
    /// <summary>Options used both by the status endpoint and by clients reading it.</summary>
    /// <remarks>
    /// Their resolver is source-generated and knows the status views only, so they work in a NativeAOT or trimmed
    /// program, where reflection-based serialization is off: <c>Options.GetTypeInfo(typeof(BgpSummaryView))</c>
    /// gives the metadata to pass to <see cref="JsonSerializer"/>'s <see cref="JsonTypeInfo"/> overloads.
    /// </remarks>
    public static JsonSerializerOptions Options => StatusJsonContext.Default.Options;

    /// <summary>Serializes a view, as the endpoint sends it.</summary>
    internal static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>()) + "\n";

    /// <summary>The source-generated metadata of <typeparamref name="T"/>, a type <see cref="StatusJsonContext"/> lists.</summary>
    internal static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
}

/// <summary>
/// Compile-time metadata for every document the status endpoints serve. A NativeAOT publish turns reflection-based
/// System.Text.Json off: a view missing here fails its endpoint with a 500 in the published binary only.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BgpSummaryView))]
[JsonSerializable(typeof(IReadOnlyList<BgpNeighborView>))]
[JsonSerializable(typeof(IReadOnlyList<BgpRouteView>))]
[JsonSerializable(typeof(BfdPeersView))]
[JsonSerializable(typeof(ConfigView))]
[JsonSerializable(typeof(ControllerView))]
[JsonSerializable(typeof(Layer2View))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
