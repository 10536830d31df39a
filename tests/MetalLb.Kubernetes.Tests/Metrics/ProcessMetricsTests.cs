using System.Globalization;
using BgpKit.MetalLb.Kubernetes.Metrics;

namespace BgpKit.MetalLb.Kubernetes.Tests.Metrics;

public sealed class ProcessMetricsTests
{
    private static readonly string[] Names =
        ["bgpkit_process_timers", "bgpkit_process_threads", "bgpkit_process_threadpool_pending", "bgpkit_process_gc_heap_bytes"];

    [Fact]
    public void The_default_exporter_shows_the_four_process_gauges_with_help_and_type()
    {
        using var exporter = new PrometheusExporter();
        var text = exporter.Collect();

        foreach (var name in Names)
        {
            Assert.Contains($"# TYPE {name} gauge\n", text, StringComparison.Ordinal);
            Assert.Contains($"# HELP {name} ", text, StringComparison.Ordinal);
            Assert.True(Value(text, name) >= 0, name);
        }
        Assert.True(Value(text, "bgpkit_process_threads") >= 1);
        Assert.True(Value(text, "bgpkit_process_gc_heap_bytes") > 0);
    }

    [Fact]
    public void Timers_count_a_timer_while_it_is_scheduled()
    {
        using var exporter = new PrometheusExporter(m => m.Name == ProcessMetrics.MeterName);
        // Other tests run in parallel and make timers of their own: the count is process-wide, so only
        // "at least ours" is certain.
        using var timer = new Timer(_ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        var scraped = Value(exporter.Collect(), "bgpkit_process_timers");
        Assert.True(scraped >= 1, $"scraped {scraped}");
    }

    [Fact]
    public void An_exporter_whose_filter_leaves_the_process_meter_out_shows_none_of_them()
    {
        using var exporter = new PrometheusExporter(m => m.Name == "BgpKit.Test.NotTheProcess");
        Assert.Equal(string.Empty, exporter.Collect());
    }

    [Fact]
    public void Existing_names_stay_and_the_process_gauges_do_not_take_an_upstream_name()
    {
        foreach (var instrument in new[] { "process_timers", "process_threads", "process_threadpool_pending", "process_gc_heap_bytes" })
        {
            Assert.Empty(UpstreamFamilies.Of(ProcessMetrics.MeterName, instrument));
            Assert.Equal("bgpkit_" + instrument, PrometheusText.MetricName(instrument));
        }
    }

    private static double Value(string text, string name)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
