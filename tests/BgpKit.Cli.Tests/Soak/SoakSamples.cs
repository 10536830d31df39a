using System.Globalization;
using System.Text;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Soak;

/// <summary>One process at one moment: /proc and the process's own gauges from <c>/metrics</c>.</summary>
internal sealed record ProcessSample(ProcessProbe Probe, double Timers, double Threads, double Pending, double GcHeap)
{
    public static ProcessSample? From(ProcessProbe? probe, IReadOnlyDictionary<string, double>? metrics) =>
        probe is null || metrics is null ? null : new ProcessSample(probe,
            metrics.GetValueOrDefault("bgpkit_process_timers", double.NaN),
            metrics.GetValueOrDefault("bgpkit_process_threads", double.NaN),
            metrics.GetValueOrDefault("bgpkit_process_threadpool_pending", double.NaN),
            metrics.GetValueOrDefault("bgpkit_process_gc_heap_bytes", double.NaN));
}

/// <summary>A sample of both processes and the API server's open watches, <see cref="Seconds"/> after the churn began.</summary>
internal sealed record SoakSample(double Seconds, string Phase, ProcessSample? Speaker, ProcessSample? Controller, int Watches, int Routes);

/// <summary>
/// One quantity checked for growth: how it is read from a sample, and the margin it may exceed its warm-up
/// maximum by at the end of the run.
/// </summary>
internal sealed record SoakSeries(string Name, Func<SoakSample, double?> Read, Func<double, double> Margin, string Unit = "")
{
    /// <summary>The checks (name, warm-up max, last-quarter max, allowed, slope per hour) over the churn samples.</summary>
    public SoakVerdict Judge(IReadOnlyList<SoakSample> samples, double churnSeconds)
    {
        var warmUpEnd = churnSeconds * 0.2;
        var lastQuarter = churnSeconds * 0.75;
        var points = samples.Where(s => s.Phase != "start").Select(s => (s.Seconds, Value: Read(s))).Where(p => p.Value is { } v && !double.IsNaN(v))
            .Select(p => (p.Seconds, Value: p.Value!.Value)).ToList();
        var warm = points.Where(p => p.Seconds <= warmUpEnd).Select(p => p.Value).DefaultIfEmpty(double.NaN).Max();
        var end = points.Where(p => p.Seconds >= lastQuarter).Select(p => p.Value).DefaultIfEmpty(double.NaN).Max();
        var after = points.Where(p => p.Seconds > warmUpEnd).ToList();
        return new SoakVerdict(Name, Unit, warm, end, warm + Margin(warm), Slope(after) * 3600, after.Count);
    }

    /// <summary>Least-squares slope (per second) of value over time.</summary>
    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 3)
        {
            return double.NaN;
        }
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }
}

internal sealed record SoakVerdict(string Name, string Unit, double WarmUpMax, double LastQuarterMax, double Allowed, double SlopePerHour, int Points)
{
    public bool Flat => !double.IsNaN(WarmUpMax) && !double.IsNaN(LastQuarterMax) && LastQuarterMax <= Allowed;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-26} warm-up max {Show(WarmUpMax),12} last-quarter max {Show(LastQuarterMax),12} allowed {Show(Allowed),12} slope {Show(SlopePerHour),10}/h over {Points} samples {(Flat ? "flat" : "GROWS")}");

    private string Show(double value) => Unit == "MiB"
        ? (value / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : value.ToString("0.#", CultureInfo.InvariantCulture);
}

internal static class SoakTable
{
    /// <summary>The samples as a fixed-width table: time, phase, then per process RSS, anonymous RSS, shared RSS (JIT code), GC heap, fds, sockets, threads, timers, pending work.</summary>
    public static string Render(IEnumerable<SoakSample> samples)
    {
        var text = new StringBuilder();
        text.AppendLine("    time phase  | speaker:  rss MiB anon MiB shm MiB  gc MiB fds sock thr tmr pend | controller:  rss MiB anon MiB shm MiB  gc MiB fds sock thr tmr pend | watches routes");
        foreach (var s in samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"{s.Seconds,7:0}s {s.Phase,-6} |          ");
            Process(text, s.Speaker);
            text.Append(" |             ");
            Process(text, s.Controller);
            text.Append(CultureInfo.InvariantCulture, $" | {s.Watches,7} {s.Routes,6}").AppendLine();
        }
        return text.ToString();
    }

    private static void Process(StringBuilder text, ProcessSample? p)
    {
        if (p is null)
        {
            text.Append("                                (no sample)                        ");
            return;
        }
        text.Append(CultureInfo.InvariantCulture,
            $"{Mib(p.Probe.RssBytes),8:0.0} {Mib(p.Probe.RssAnonBytes),8:0.0} {Mib(p.Probe.RssShmemBytes),7:0.0} {p.GcHeap / (1024 * 1024),7:0.0} {p.Probe.Fds,3} {p.Probe.Sockets,4} {p.Probe.Threads,3} {p.Timers,3:0} {p.Pending,4:0}");
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);
}
