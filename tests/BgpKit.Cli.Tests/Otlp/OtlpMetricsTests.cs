using System.Collections;
using System.Diagnostics.Metrics;
using BgpKit.Cli;

namespace BgpKit.BgpKit.Cli.Tests.Otlp;

public sealed class OtlpMetricsTests
{
    [Theory]
    [InlineData(null, null, null, false)]                                  // off by default
    [InlineData("http://127.0.0.1:4318", null, null, true)]               // an endpoint turns it on
    [InlineData(null, "otlp", null, true)]                                // the SDK's default endpoint
    [InlineData(null, "prometheus, otlp", null, true)]
    [InlineData("http://127.0.0.1:4318", "none", null, false)]
    [InlineData("http://127.0.0.1:4318", "prometheus", null, false)]
    [InlineData("http://127.0.0.1:4318", null, "true", false)]            // OTEL_SDK_DISABLED wins
    [InlineData(null, "otlp", "TRUE", false)]
    public void Enabled_follows_the_standard_variables(string? endpoint, string? exporters, string? disabled, bool expected)
    {
        var variables = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_METRICS_EXPORTER"] = exporters,
            ["OTEL_SDK_DISABLED"] = disabled,
        };

        Assert.Equal(expected, OtlpMetrics.Enabled(variables.GetValueOrDefault));
    }

    [Fact]
    public void Nothing_starts_without_OTEL_variables()
    {
        using var provider = OtlpMetrics.Start("bgpkit-test", new Hashtable { ["PATH"] = "/usr/bin" });

        Assert.Null(provider);
    }

    [Fact]
    public void Exports_the_BgpKit_meters_over_OTLP_http_protobuf_to_the_configured_endpoint()
    {
        using var receiver = new OtlpReceiver();
        using var meter = new Meter("BgpKit.Test.Otlp");
        using var outside = new Meter("Other.Test.Otlp");
        meter.CreateObservableGauge("bgp_session_up", () => new Measurement<int>(1, new KeyValuePair<string, object?>("peer", "192.0.2.1")));
        outside.CreateCounter<long>("not_ours_total").Add(1);

        var provider = OtlpMetrics.Start("bgpkit-test", new Hashtable
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "600000",
        });
        Assert.NotNull(provider);
        // Disposing flushes: one export, whatever the interval.
        provider.Dispose();

        Assert.True(receiver.Exports >= 1, "no export reached the receiver");
        Assert.True(receiver.Received("bgp_session_up"), "the export did not name bgp_session_up");
        Assert.True(receiver.Received("BgpKit.Test.Otlp"), "the export did not name the meter");
        Assert.True(receiver.Received("bgpkit-test"), "the export did not carry the service name");
        Assert.False(receiver.Received("not_ours_total"), "a meter outside BgpKit.* was exported");
    }
}
