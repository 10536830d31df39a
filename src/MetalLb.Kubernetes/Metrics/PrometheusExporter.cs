using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>
/// Collects the <see cref="System.Diagnostics.Metrics"/> instruments of the <c>BgpKit.*</c> meters
/// (BGP sessions, BFD sessions, the host) and renders them in the Prometheus text exposition format
/// 0.0.4. An instrument that FRR-K8s or MetalLB export too appears under both upstream names
/// (<c>frrk8s_bgp_session_up</c> and <c>metallb_bgp_session_up</c>, ...) with upstream's types, help
/// texts and labels <c>peer</c> and <c>vrf</c>, so existing dashboards and alerts work unchanged; any
/// other instrument is prefixed <c>bgpkit_</c> with every tag a label. Counters and up-down counters
/// are summed, gauges and observable instruments report their latest value, histograms keep
/// cumulative buckets. Tags that could carry a secret (password, key, secret) are never exported.
/// The process's own gauges (meter <c>BgpKit.Process</c>: <c>bgpkit_process_timers</c>, <c>bgpkit_process_threads</c>,
/// <c>bgpkit_process_threadpool_pending</c>, <c>bgpkit_process_gc_heap_bytes</c>) are exported whenever the filter accepts that meter.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Upper bounds used for a histogram that gives no bucket advice (Prometheus' defaults).</summary>
    internal static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly object _gate = new();
    private readonly MeterListener _listener = new();
    private readonly Func<Meter, bool> _meterFilter;
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<Instrument, Binding[]> _byInstrument = new();

    /// <summary>Listens to every meter whose name starts with <c>BgpKit</c>.</summary>
    public PrometheusExporter()
        : this(meter => meter.Name.StartsWith("BgpKit", StringComparison.Ordinal))
    {
    }

    /// <summary>Listens to the meters that <paramref name="meterFilter"/> accepts.</summary>
    public PrometheusExporter(Func<Meter, bool> meterFilter)
    {
        ArgumentNullException.ThrowIfNull(meterFilter);
        _meterFilter = meterFilter;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.MeasurementsCompleted = OnMeasurementsCompleted;
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<short>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<byte>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
        ProcessMetrics.Publish();
        _listener.Start();
    }

    /// <summary>Polls the observable instruments and returns the whole exposition text.</summary>
    public string Collect()
    {
        var builder = new StringBuilder();
        using var writer = new StringWriter(builder, CultureInfo.InvariantCulture) { NewLine = "\n" };
        WriteTo(writer);
        return builder.ToString();
    }

    /// <summary>Polls the observable instruments and writes the exposition text to <paramref name="writer"/>.</summary>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_gate)
        {
            // An observable series that is no longer reported (a removed peer) disappears.
            foreach (var family in _families.Values)
            {
                family.ForgetObservedSeries();
            }
            _listener.RecordObservableInstruments();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.WriteTo(writer);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_meterFilter(instrument.Meter))
        {
            return;
        }
        var kind = MetricFamily.KindOf(instrument);
        if (kind is null)
        {
            return;
        }
        var current = MetricFamily.ReportsCurrentValue(instrument);
        var upstream = UpstreamFamilies.Of(instrument.Meter.Name, instrument.Name)
            .Where(u => u.Kind == kind.Value)
            .ToArray();
        lock (_gate)
        {
            var bindings = upstream.Length > 0
                ? upstream.Select(u => Bind(u.Name, u.Help, kind.Value, instrument, current, u))
                : [Bind(PrometheusText.MetricName(instrument.Name), instrument.Description ?? string.Empty, kind.Value, instrument, current, null)];
            var bound = bindings.OfType<Binding>().ToArray();
            if (bound.Length == 0)
            {
                return;
            }
            foreach (var binding in bound)
            {
                binding.Family.Instruments++;
            }
            _byInstrument[instrument] = bound;
        }
        listener.EnableMeasurementEvents(instrument);
    }

    private Binding? Bind(string name, string help, MetricKind kind, Instrument instrument, bool current, UpstreamFamily? upstream)
    {
        if (!_families.TryGetValue(name, out var family))
        {
            family = new MetricFamily(name, help, kind, BucketsOf(instrument));
            _families.Add(name, family);
        }
        else if (family.Kind != kind)
        {
            // Two instruments of different kinds under one name cannot share a family; the first wins.
            return null;
        }
        return new Binding(family, current, upstream);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        lock (_gate)
        {
            if (!_byInstrument.Remove(instrument, out var bindings))
            {
                return;
            }
            foreach (var binding in bindings)
            {
                if (--binding.Family.Instruments == 0)
                {
                    _families.Remove(binding.Family.Name);
                }
            }
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            if (!_byInstrument.TryGetValue(instrument, out var bindings))
            {
                return;
            }
            LabelSet? own = null;
            foreach (var binding in bindings)
            {
                var labels = binding.Upstream is { } upstream ? UpstreamFamilies.Labels(upstream, tags) : own ??= LabelSet.From(tags);
                binding.Family.Record(labels, value, instrument.IsObservable, binding.Current);
            }
        }
    }

    /// <summary>One family an instrument feeds; <see cref="Upstream"/> says how to relabel when it is an upstream one.</summary>
    private sealed record Binding(MetricFamily Family, bool Current, UpstreamFamily? Upstream);

    private static double[] BucketsOf(Instrument instrument)
    {
        var advised = instrument switch
        {
            Instrument<double> d => d.Advice?.HistogramBucketBoundaries?.ToArray(),
            Instrument<long> l => l.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        return advised is { Length: > 0 } ? advised.Order().ToArray() : DefaultBuckets;
    }
}
