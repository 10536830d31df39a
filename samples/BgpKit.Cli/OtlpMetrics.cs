using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace BgpKit.Cli;

/// <summary>
/// OpenTelemetry (OTLP) export of the <c>BgpKit.*</c> meters beside the Prometheus endpoint, for
/// <c>bgpkit speaker</c> and <c>bgpkit controller</c>. Off unless the standard environment asks for it:
/// <c>OTEL_METRICS_EXPORTER=otlp</c>, or an OTLP endpoint (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
/// <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>) with no <c>OTEL_METRICS_EXPORTER</c>; <c>OTEL_SDK_DISABLED=true</c>
/// and <c>OTEL_METRICS_EXPORTER=none</c> keep it off. Everything else (protocol, headers, export interval,
/// temporality, resource attributes, service name) the SDK reads from its own <c>OTEL_*</c> variables.
/// </summary>
/// <remarks>
/// It lives in the CLI, not in BgpKit.MetalLb.Kubernetes: the libraries only publish
/// <c>System.Diagnostics.Metrics</c> instruments, which any program embedding them can hand to its own
/// OpenTelemetry SDK (<c>AddMeter("BgpKit.*")</c>), so embedders do not inherit the SDK, its exporter
/// and their versions from us.
/// </remarks>
internal static class OtlpMetrics
{
    /// <summary>The meters exported: every BgpKit meter (BGP, BFD, the hosts).</summary>
    public const string Meters = "BgpKit.*";

    /// <summary>
    /// A running meter provider when <paramref name="variables"/> (the process environment, or a test's)
    /// enable OTLP export, else null; dispose it to flush the last export.
    /// </summary>
    public static MeterProvider? Start(string serviceName, IDictionary variables)
    {
        var otel = variables.Cast<DictionaryEntry>()
            .Where(e => e.Key is string key && key.StartsWith("OTEL_", StringComparison.Ordinal))
            .ToDictionary(e => (string)e.Key, e => e.Value?.ToString(), StringComparer.Ordinal);
        string? Variable(string name) => otel.GetValueOrDefault(name);
        if (!Enabled(Variable))
        {
            return null;
        }
        // The SDK reads its OTEL_* settings from this configuration, the same snapshot that enabled it.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(otel).Build();
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureServices(services => services.AddSingleton<IConfiguration>(configuration))
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME, when set, names the service (the default resource reads it).
                if (string.IsNullOrEmpty(Variable("OTEL_SERVICE_NAME")))
                {
                    resource.AddService(serviceName);
                }
            })
            .AddMeter(Meters)
            .AddOtlpExporter()
            .Build();
    }

    /// <summary>Whether the OTEL_* variables ask for OTLP metrics (see the class remarks).</summary>
    public static bool Enabled(Func<string, string?> environment)
    {
        if (string.Equals(environment("OTEL_SDK_DISABLED")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var exporters = environment("OTEL_METRICS_EXPORTER");
        if (!string.IsNullOrWhiteSpace(exporters))
        {
            // The specification's list: "otlp", "prometheus", "console", "none", comma-separated.
            return exporters.Split(',', StringSplitOptions.TrimEntries).Contains("otlp", StringComparer.OrdinalIgnoreCase);
        }
        return !string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));
    }
}
