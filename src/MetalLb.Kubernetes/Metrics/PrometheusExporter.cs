using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>
/// Collects the <see cref="System.Diagnostics.Metrics"/> instruments of the <c>BgpKit.*</c> meters
/// (BGP sessions, BFD sessions, the host) and renders them in the Prometheus text exposition format
/// 0.0.4, every name prefixed <c>bgpkit_</c> and every tag a label. Counters and up-down counters
/// are summed, gauges and observable instruments report their latest value, histograms keep
/// cumulative buckets. Tags that could carry a secret (password, key, secret) are never exported.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Upper bounds used for a histogram that gives no bucket advice (Prometheus' defaults).</summary>
    internal static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly object _gate = new();
    private readonly MeterListener _listener = new();
    private readonly Func<Meter, bool> _meterFilter;
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<Instrument, (MetricFamily Family, bool Current)> _byInstrument = new();

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
        lock (_gate)
        {
            var name = PrometheusText.MetricName(instrument.Name);
            if (!_families.TryGetValue(name, out var family))
            {
                family = new MetricFamily(name, instrument.Description ?? string.Empty, kind.Value, BucketsOf(instrument));
                _families.Add(name, family);
            }
            else if (family.Kind != kind.Value)
            {
                // Two instruments of different kinds under one name cannot share a family; the first wins.
                return;
            }
            family.Instruments++;
            _byInstrument[instrument] = (family, MetricFamily.ReportsCurrentValue(instrument));
        }
        listener.EnableMeasurementEvents(instrument);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        lock (_gate)
        {
            if (_byInstrument.Remove(instrument, out var entry) && --entry.Family.Instruments == 0)
            {
                _families.Remove(entry.Family.Name);
            }
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = LabelSet.From(tags);
        lock (_gate)
        {
            if (_byInstrument.TryGetValue(instrument, out var entry))
            {
                entry.Family.Record(labels, value, instrument.IsObservable, entry.Current);
            }
        }
    }

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
