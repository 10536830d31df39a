using System.Diagnostics.Metrics;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>The Prometheus metric types this exporter produces.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>All series of one metric name: HELP, TYPE and the samples per label set.</summary>
internal sealed class MetricFamily
{
    private readonly SortedDictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly double[] _buckets;

    public MetricFamily(string name, string help, MetricKind kind, double[] buckets)
    {
        Name = name;
        Help = help;
        Kind = kind;
        _buckets = buckets;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricKind Kind { get; }

    /// <summary>How many instruments feed this family (it goes away with the last one).</summary>
    public int Instruments { get; set; }

    public static MetricKind? KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return MetricKind.Counter;
        }
        if (definition == typeof(Histogram<>))
        {
            return MetricKind.Histogram;
        }
        if (definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>)
            || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
        {
            return MetricKind.Gauge;
        }
        return null;
    }

    /// <summary>
    /// True when the instrument's measurements are current values (observable instruments report
    /// totals, a synchronous <see cref="Gauge{T}"/> its value) rather than increments to sum.
    /// </summary>
    public static bool ReportsCurrentValue(Instrument instrument) =>
        instrument.IsObservable || (instrument.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(Gauge<>));

    /// <summary>Adds a measurement: sets the value when <paramref name="current"/>, else adds to it.</summary>
    public void Record(LabelSet labels, double value, bool observed, bool current)
    {
        if (!_series.TryGetValue(labels.Rendered, out var series))
        {
            series = new Series(labels, Kind == MetricKind.Histogram ? new long[_buckets.Length] : null);
            _series.Add(labels.Rendered, series);
        }
        series.Observed = observed;
        switch (Kind)
        {
            case MetricKind.Histogram:
                series.Count++;
                series.Value += value;
                var bucket = Array.FindIndex(_buckets, bound => value <= bound);
                if (bucket >= 0)
                {
                    series.Buckets![bucket]++;
                }
                break;
            case MetricKind.Gauge or MetricKind.Counter when current:
                series.Value = value;
                break;
            default:
                series.Value += value;
                break;
        }
    }

    public void ForgetObservedSeries()
    {
        foreach (var key in _series.Where(s => s.Value.Observed).Select(s => s.Key).ToList())
        {
            _series.Remove(key);
        }
    }

    public void WriteTo(TextWriter writer)
    {
        if (_series.Count == 0)
        {
            return;
        }
        writer.Write("# HELP ");
        writer.Write(Name);
        writer.Write(' ');
        writer.Write(PrometheusText.EscapeHelp(Help.Length == 0 ? Name : Help));
        writer.Write('\n');
        writer.Write("# TYPE ");
        writer.Write(Name);
        writer.Write(Kind switch { MetricKind.Counter => " counter\n", MetricKind.Gauge => " gauge\n", _ => " histogram\n" });
        foreach (var series in _series.Values)
        {
            if (Kind == MetricKind.Histogram)
            {
                long cumulative = 0;
                for (var i = 0; i < _buckets.Length; i++)
                {
                    cumulative += series.Buckets![i];
                    Sample(writer, Name + "_bucket", series.Labels.With("le", PrometheusText.Value(_buckets[i])), cumulative);
                }
                Sample(writer, Name + "_bucket", series.Labels.With("le", "+Inf"), series.Count);
                Sample(writer, Name + "_sum", series.Labels.Rendered, series.Value);
                Sample(writer, Name + "_count", series.Labels.Rendered, series.Count);
            }
            else
            {
                Sample(writer, Name, series.Labels.Rendered, series.Value);
            }
        }
    }

    private static void Sample(TextWriter writer, string name, string labels, double value)
    {
        writer.Write(name);
        writer.Write(labels);
        writer.Write(' ');
        writer.Write(PrometheusText.Value(value));
        writer.Write('\n');
    }

    private sealed class Series(LabelSet labels, long[]? buckets)
    {
        public LabelSet Labels { get; } = labels;
        public long[]? Buckets { get; } = buckets;
        public double Value { get; set; }
        public long Count { get; set; }
        public bool Observed { get; set; }
    }
}
