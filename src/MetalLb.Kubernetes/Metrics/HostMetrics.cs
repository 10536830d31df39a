using System.Diagnostics.Metrics;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>
/// The host's own instruments (meter <c>BgpKit.MetalLb.Kubernetes</c>): configuration reads by
/// outcome, whether the latest one was valid, and the generation in force. MetalLB exposes the
/// same idea as <c>metallb_k8s_client_config_loaded_bool</c> and <c>..._config_stale_bool</c>.
/// </summary>
internal sealed class HostMetrics : IDisposable
{
    public const string MeterName = "BgpKit.MetalLb.Kubernetes";

    private readonly Meter _meter;
    private readonly Counter<long> _reads;
    private long _generation;
    private int _stale;

    public HostMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _reads = _meter.CreateCounter<long>("config_reads_total", description: "Configurations read, by outcome (valid or invalid)");
        _meter.CreateObservableGauge("config_stale", () => Volatile.Read(ref _stale),
            description: "1 when the latest configuration read was invalid and an older one is in force");
        _meter.CreateObservableGauge("config_generation", () => Interlocked.Read(ref _generation),
            description: "How many valid configurations have been applied since start");
    }

    public void ConfigRead(bool valid)
    {
        _reads.Add(1, new KeyValuePair<string, object?>("result", valid ? "valid" : "invalid"));
        Volatile.Write(ref _stale, valid ? 0 : 1);
    }

    public void Applied(long generation) => Interlocked.Exchange(ref _generation, generation);

    public void Dispose() => _meter.Dispose();
}
