using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>
/// The runtime's own counts for the process the exporter runs in (meter <c>BgpKit.Process</c>): active
/// <see cref="System.Threading.Timer"/>s, operating-system threads, thread-pool work items waiting to run and the
/// GC heap after the latest collection. A soak reads them from <c>/metrics</c> to show that nothing accumulates
/// across churn (a leaked timer, a loop that never ends) without attaching a debugger or using reflection.
/// They are process-wide, so the meter is created once per process and lives as long as the process.
/// </summary>
internal static class ProcessMetrics
{
    public const string MeterName = "BgpKit.Process";

    private static readonly Meter Meter = Create();

    /// <summary>Makes sure the meter and its gauges exist (a listener that starts afterwards sees them).</summary>
    public static void Publish() => GC.KeepAlive(Meter);

    private static Meter Create()
    {
        var meter = new Meter(MeterName);
        meter.CreateObservableGauge("process_timers", () => Timer.ActiveCount,
            description: "Timers (System.Threading.Timer, which backs every TimeProvider timer and Task.Delay) currently scheduled in the process");
        meter.CreateObservableGauge("process_threads", ThreadCount,
            description: "Operating-system threads of the process");
        meter.CreateObservableGauge("process_threadpool_pending", () => ThreadPool.PendingWorkItemCount,
            description: "Thread-pool work items queued and not yet started");
        meter.CreateObservableGauge("process_gc_heap_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes,
            description: "Managed heap size in bytes as of the latest garbage collection (fragmentation included)");
        return meter;
    }

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}
