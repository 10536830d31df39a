using System.Text.Json;
using System.Text.Json.Serialization;

namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>The JSON shape of the status views: camelCase names, indented, nulls kept (the field lists are a contract).</summary>
public static class StatusJson
{
    /// <summary>Options used both by the status endpoint and by clients reading it.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
