using System.Diagnostics.Metrics;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>
/// The controller's instruments, under MetalLB's own metric names so that existing dashboards and
/// alerts keep working: <c>metallb_allocator_addresses_in_use_total</c> and
/// <c>metallb_allocator_addresses_total</c> per pool, <c>metallb_k8s_client_config_loaded_bool</c>
/// and <c>metallb_k8s_client_config_stale_bool</c>; plus whether this replica leads.
/// </summary>
internal sealed class ControllerMetrics : IDisposable
{
    public const string MeterName = "BgpKit.MetalLb.Kubernetes.Controller";

    private readonly Meter _meter;
    private readonly object _gate = new();
    private IReadOnlyDictionary<string, (long InUse, long Total)> _pools = new Dictionary<string, (long, long)>();
    private int _loaded;
    private int _stale;
    private int _leader;

    public ControllerMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("metallb_allocator_addresses_in_use_total", () => Pools(p => p.InUse),
            description: "Number of IP addresses in use, per pool");
        _meter.CreateObservableGauge("metallb_allocator_addresses_total", () => Pools(p => p.Total),
            description: "Number of usable IP addresses, per pool");
        _meter.CreateObservableGauge("metallb_k8s_client_config_loaded_bool", () => Volatile.Read(ref _loaded),
            description: "1 if the MetalLB configuration was successfully loaded at least once");
        _meter.CreateObservableGauge("metallb_k8s_client_config_stale_bool", () => Volatile.Read(ref _stale),
            description: "1 if running on a stale configuration, because the latest one failed to load");
        _meter.CreateObservableGauge("controller_leader", () => Volatile.Read(ref _leader),
            description: "1 while this controller replica holds the Lease and may write");
    }

    public void ConfigRead(bool valid)
    {
        if (valid)
        {
            Volatile.Write(ref _loaded, 1);
        }
        Volatile.Write(ref _stale, valid ? 0 : 1);
    }

    public void Leader(bool leading) => Volatile.Write(ref _leader, leading ? 1 : 0);

    public void PoolCounts(IReadOnlyDictionary<string, (long InUse, long Total)> pools)
    {
        lock (_gate)
        {
            _pools = pools;
        }
    }

    private IEnumerable<Measurement<long>> Pools(Func<(long InUse, long Total), long> pick)
    {
        IReadOnlyDictionary<string, (long InUse, long Total)> pools;
        lock (_gate)
        {
            pools = _pools;
        }
        return pools.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new Measurement<long>(pick(p.Value), new KeyValuePair<string, object?>("pool", p.Key)))
            .ToArray();
    }

    public void Dispose() => _meter.Dispose();
}
