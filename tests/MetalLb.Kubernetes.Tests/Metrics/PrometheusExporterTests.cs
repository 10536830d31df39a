using System.Diagnostics.Metrics;
using BgpKit.MetalLb.Kubernetes.Metrics;

namespace BgpKit.MetalLb.Kubernetes.Tests.Metrics;

public sealed class PrometheusExporterTests
{
    // Each test uses its own meter name so tests running in parallel never see each other's series.
    private static (Meter Meter, PrometheusExporter Exporter) Create(string meterName)
    {
        var meter = new Meter(meterName);
        var exporter = new PrometheusExporter(m => m.Name == meterName);
        return (meter, exporter);
    }

    [Fact]
    public void Counter_with_tags_sums_per_label_set_sorted_by_label()
    {
        var (meter, exporter) = Create("BgpKit.Test.Counter");
        using (meter)
        using (exporter)
        {
            var updates = meter.CreateCounter<long>("bgp_updates_total", description: "UPDATE messages sent");
            updates.Add(2, new("peer", "r2"), new("direction", "sent"));
            updates.Add(3, new("direction", "sent"), new("peer", "r1"));
            updates.Add(4, new("peer", "r1"), new("direction", "sent"));

            Assert.Equal(
                "# HELP bgpkit_bgp_updates_total UPDATE messages sent\n" +
                "# TYPE bgpkit_bgp_updates_total counter\n" +
                "bgpkit_bgp_updates_total{direction=\"sent\",peer=\"r1\"} 7\n" +
                "bgpkit_bgp_updates_total{direction=\"sent\",peer=\"r2\"} 2\n",
                exporter.Collect());
        }
    }

    [Fact]
    public void Observable_gauge_reports_latest_value_and_forgets_series_no_longer_observed()
    {
        var (meter, exporter) = Create("BgpKit.Test.Observable");
        using (meter)
        using (exporter)
        {
            var peers = new Dictionary<string, int> { ["r1"] = 1, ["r2"] = 0 };
            meter.CreateObservableGauge("bgp.session.up",
                () => peers.Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("peer", p.Key))).ToArray(),
                description: "1 when the session is Established");

            Assert.Equal(
                "# HELP bgpkit_bgp_session_up 1 when the session is Established\n" +
                "# TYPE bgpkit_bgp_session_up gauge\n" +
                "bgpkit_bgp_session_up{peer=\"r1\"} 1\n" +
                "bgpkit_bgp_session_up{peer=\"r2\"} 0\n",
                exporter.Collect());

            peers.Remove("r2");
            peers["r1"] = 0;
            Assert.Equal(
                "# HELP bgpkit_bgp_session_up 1 when the session is Established\n" +
                "# TYPE bgpkit_bgp_session_up gauge\n" +
                "bgpkit_bgp_session_up{peer=\"r1\"} 0\n",
                exporter.Collect());
        }
    }

    [Fact]
    public void Observable_counter_is_a_total_not_an_increment()
    {
        var (meter, exporter) = Create("BgpKit.Test.ObservableCounter");
        using (meter)
        using (exporter)
        {
            long opens = 5;
            meter.CreateObservableCounter("bgp_opens_sent", () => opens);
            exporter.Collect();
            opens = 6;
            Assert.Equal(
                "# HELP bgpkit_bgp_opens_sent bgpkit_bgp_opens_sent\n" +
                "# TYPE bgpkit_bgp_opens_sent counter\n" +
                "bgpkit_bgp_opens_sent 6\n",
                exporter.Collect());
        }
    }

    [Fact]
    public void Up_down_counter_adds_and_synchronous_gauge_sets()
    {
        var (meter, exporter) = Create("BgpKit.Test.Gauges");
        using (meter)
        using (exporter)
        {
            var sessions = meter.CreateUpDownCounter<int>("bfd_sessions");
            sessions.Add(3);
            sessions.Add(-1);
            var interval = meter.CreateGauge<double>("bfd_transmit_interval_seconds");
            interval.Record(0.3);
            interval.Record(0.05);

            Assert.Equal(
                "# HELP bgpkit_bfd_sessions bgpkit_bfd_sessions\n" +
                "# TYPE bgpkit_bfd_sessions gauge\n" +
                "bgpkit_bfd_sessions 2\n" +
                "# HELP bgpkit_bfd_transmit_interval_seconds bgpkit_bfd_transmit_interval_seconds\n" +
                "# TYPE bgpkit_bfd_transmit_interval_seconds gauge\n" +
                "bgpkit_bfd_transmit_interval_seconds 0.05\n",
                exporter.Collect());
        }
    }

    [Fact]
    public void Histogram_has_cumulative_buckets_sum_and_count_using_advised_bounds()
    {
        var (meter, exporter) = Create("BgpKit.Test.Histogram");
        using (meter)
        using (exporter)
        {
            var latency = meter.CreateHistogram<double>("bfd.detection.seconds", unit: "s", description: "Detection latency",
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
            latency.Record(0.05, new KeyValuePair<string, object?>("peer", "r1"));
            latency.Record(0.5, new KeyValuePair<string, object?>("peer", "r1"));
            latency.Record(2, new KeyValuePair<string, object?>("peer", "r1"));

            Assert.Equal(
                "# HELP bgpkit_bfd_detection_seconds Detection latency\n" +
                "# TYPE bgpkit_bfd_detection_seconds histogram\n" +
                "bgpkit_bfd_detection_seconds_bucket{peer=\"r1\",le=\"0.1\"} 1\n" +
                "bgpkit_bfd_detection_seconds_bucket{peer=\"r1\",le=\"1\"} 2\n" +
                "bgpkit_bfd_detection_seconds_bucket{peer=\"r1\",le=\"+Inf\"} 3\n" +
                "bgpkit_bfd_detection_seconds_sum{peer=\"r1\"} 2.55\n" +
                "bgpkit_bfd_detection_seconds_count{peer=\"r1\"} 3\n",
                exporter.Collect());
        }
    }

    [Fact]
    public void Label_values_and_help_are_escaped_and_names_sanitized()
    {
        var (meter, exporter) = Create("BgpKit.Test.Escaping");
        using (meter)
        using (exporter)
        {
            var errors = meter.CreateCounter<long>("bgp.notifications-sent", description: "line one\nback\\slash \"quoted\"");
            errors.Add(1, new KeyValuePair<string, object?>("last.error", "say \"hi\"\\\nbye"), new KeyValuePair<string, object?>("2nd", 7));

            Assert.Equal(
                "# HELP bgpkit_bgp_notifications_sent line one\\nback\\\\slash \"quoted\"\n" +
                "# TYPE bgpkit_bgp_notifications_sent counter\n" +
                "bgpkit_bgp_notifications_sent{_2nd=\"7\",last_error=\"say \\\"hi\\\"\\\\\\nbye\"} 1\n",
                exporter.Collect());
        }
    }

    [Fact]
    public void Secret_tags_never_become_labels()
    {
        var (meter, exporter) = Create("BgpKit.Test.Secrets");
        using (meter)
        using (exporter)
        {
            var up = meter.CreateCounter<long>("bgp_session_up");
            up.Add(1, new("peer", "r1"), new("password", "hunter2"), new("authKey", "k3y"), new("passwordSecret", "s"));

            var text = exporter.Collect();
            Assert.DoesNotContain("hunter2", text);
            Assert.DoesNotContain("k3y", text);
            Assert.Contains("bgpkit_bgp_session_up{peer=\"r1\"} 1\n", text);
        }
    }

    [Fact]
    public void Prefixed_names_are_not_prefixed_twice_and_disposed_meters_disappear()
    {
        var (meter, exporter) = Create("BgpKit.Test.Lifetime");
        using (exporter)
        {
            meter.CreateCounter<long>("bgpkit_host_reconciles").Add(1);
            Assert.Equal(
                "# HELP bgpkit_host_reconciles bgpkit_host_reconciles\n" +
                "# TYPE bgpkit_host_reconciles counter\n" +
                "bgpkit_host_reconciles 1\n",
                exporter.Collect());
            meter.Dispose();
            Assert.Equal(string.Empty, exporter.Collect());
        }
    }

    [Fact]
    public void Meters_outside_the_filter_are_ignored()
    {
        using var exporter = new PrometheusExporter(m => m.Name == "BgpKit.Test.Wanted");
        using var other = new Meter("BgpKit.Test.Unwanted");
        other.CreateCounter<long>("noise").Add(1);
        Assert.Equal(string.Empty, exporter.Collect());
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.25, "0.25")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(1e21, "1E+21")]
    public void Values_are_written_as_Prometheus_reads_them(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Value(value));
}
