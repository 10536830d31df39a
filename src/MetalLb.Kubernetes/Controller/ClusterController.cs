using System.Threading.Channels;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Model;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// MetalLB's controller, level-triggered: each pass takes the latest snapshot of the cluster,
/// allocates for every Service with MetalLb.Model (addresses already in a Service's status are
/// kept while the configuration allows them, so a restart or a new leader changes no address),
/// and writes only the difference, each write gated on <see cref="ILeadership.MayWrite"/> and each
/// write to a Service conditional on the resourceVersion it was planned from (<see cref="ServiceWrite"/>). A pass
/// runs on every new snapshot, when this replica starts leading, and after a failed write (with
/// backoff). An invalid configuration writes nothing but its ConfigurationState; the last valid
/// one stays in force.
/// </summary>
internal sealed partial class ClusterController
{
    public const string ConfigurationStateName = "controller";

    private readonly string _namespace;
    private readonly ILeadership _leadership;
    private readonly IClusterWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ControllerMetrics _metrics;
    private readonly EventDeduplicator _events = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ResourceSnapshot? _latest;
    private string? _plannedFingerprint;
    private ClusterAllocation? _allocation;
    private SetConfigurationState? _stateWritten;
    private bool _wasLeading;

    public ClusterController(string @namespace, ILeadership leadership, IClusterWriter writer, TimeProvider time, ILogger logger, ControllerMetrics metrics)
    {
        _namespace = @namespace;
        _leadership = leadership;
        _writer = writer;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _leadership.Changed += () => _wake.Writer.TryWrite(true);
    }

    /// <summary>The first delay after a failed write, doubling up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The latest allocation: the configuration's validity and errors, each Service and pool (null before the first snapshot).</summary>
    public ClusterAllocation? Allocation => _allocation;

    /// <summary>The cluster as last read (null before the first snapshot); the admission webhook judges changes against it.</summary>
    public ResourceSnapshot? Snapshot => Volatile.Read(ref _latest);

    /// <summary>How many writes succeeded, for tests and the status view.</summary>
    public long WriteCount { get; private set; }

    /// <summary>The snapshot the last finished pass worked from (tests wait on it instead of on the clock).</summary>
    internal ResourceSnapshot? LastPassed { get; private set; }

    /// <summary>Runs passes until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(IResourceSource source, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = Task.Run(async () =>
        {
            await foreach (var snapshot in source.WatchAsync(stop.Token).ConfigureAwait(false))
            {
                Observe(snapshot);
            }
        }, CancellationToken.None);
        var delay = InitialRetryDelay;
        try
        {
            while (true)
            {
                var wait = _wake.Reader.WaitToReadAsync(cancellationToken).AsTask();
                await Task.WhenAny(wait, pump).ConfigureAwait(false);
                if (pump.IsCompleted)
                {
                    await pump.ConfigureAwait(false); // A source that failed ends the controller with its error.
                    return;
                }
                await wait.ConfigureAwait(false);
                _wake.Reader.TryRead(out _);
                if (await PassAsync(cancellationToken).ConfigureAwait(false))
                {
                    delay = InitialRetryDelay;
                    continue;
                }
                // Some write failed: try again later even if nothing changes meanwhile.
                var retryIn = delay;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                _ = Task.Delay(retryIn, _time, cancellationToken).ContinueWith(_ => _wake.Writer.TryWrite(true), TaskScheduler.Default);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Takes <paramref name="snapshot"/> as the cluster's latest state and wakes a pass.</summary>
    internal void Observe(ResourceSnapshot snapshot)
    {
        Volatile.Write(ref _latest, snapshot);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>One pass over the latest snapshot; false when a write failed and a retry is due.</summary>
    internal async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        var observed = Volatile.Read(ref _latest);
        if (observed is null)
        {
            return true;
        }
        var snapshot = WithOwnWrites(observed);
        Plan(snapshot);
        var leading = _leadership.MayWrite;
        _metrics.Leader(leading);
        if (leading != _wasLeading)
        {
            _wasLeading = leading;
            // A new term says once what holds: Events and the ConfigurationState are written again.
            _events.Clear();
            _stateWritten = null;
        }
        if (!leading || _allocation is not { } allocation)
        {
            LastPassed = observed;
            return true;
        }
        var writes = Writes(snapshot, allocation, out var cluster);
        var ok = true;
        var emitted = new List<ServiceEvent>();
        // Addresses a Service was to give up in this pass but whose write failed: no other Service takes them before the retry.
        var unreleased = new HashSet<string>(StringComparer.Ordinal);
        // Services one of whose writes failed or waits: their remaining writes and Events wait for the retry, which plans anew.
        var held = new HashSet<string>(StringComparer.Ordinal);
        // A Service's version after this pass's own write to it. Its status and its annotation are two writes, status
        // first; the second is conditional on the version the first produced, so it too fails if anyone else wrote
        // the Service in between, and never on the version observed, which the first write has itself made stale.
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var planned in writes)
        {
            if (!_leadership.MayWrite)
            {
                LogNoLongerLeading(_logger, _leadership.Identity);
                return true; // Leadership.Changed wakes the next pass.
            }
            var service = planned switch
            {
                ServiceWrite w => w.Service.Key,
                ServiceEvent e => e.Service.Key,
                _ => null,
            };
            if (service is not null && held.Contains(service))
            {
                continue;
            }
            var write = planned switch
            {
                SetServiceIngress s when written.TryGetValue(s.Service.Key, out var version) => s with { ResourceVersion = version },
                SetAllocatedPool s when written.TryGetValue(s.Service.Key, out var version) => s with { ResourceVersion = version },
                _ => planned,
            };
            if (write is SetServiceIngress take && take.Addresses.FirstOrDefault(unreleased.Contains) is { } taken)
            {
                LogTakeDeferred(_logger, take.Service.Key, taken);
                ok = false;
                held.Add(take.Service.Key);
                // Not written, so it gives nothing up either.
                unreleased.UnionWith(take.Previous.Except(take.Addresses, StringComparer.Ordinal));
                continue;
            }
            if (write is SetServiceIngress join && cluster is not null && await ChangedHolderAsync(join, cluster, written, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                LogHolderChanged(_logger, join.Service.Key, holder);
                ok = false;
                held.Add(join.Service.Key);
                unreleased.UnionWith(join.Previous.Except(join.Addresses, StringComparer.Ordinal));
                continue;
            }
            try
            {
                var version = await _writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
                WriteCount++;
                if (write is ServiceWrite serviceWrite && version is not null)
                {
                    written[service!] = version;
                    Remember(serviceWrite, version);
                }
                switch (write)
                {
                    case ServiceEvent e:
                        emitted.Add(e);
                        break;
                    case SetConfigurationState c:
                        _stateWritten = c;
                        break;
                    case SetServiceIngress s:
                        LogIngress(_logger, s.Service.Key, s.Addresses.Count == 0 ? "(none)" : string.Join(", ", s.Addresses));
                        break;
                }
            }
            catch (KubernetesApiException e)
            {
                // A 409 means our view is old (a Service changed since the snapshot planned from): the watch brings the
                // new one and the next pass plans from it. Nothing planned from the old view is written meanwhile.
                LogWriteFailed(_logger, e.Message);
                ok = false;
                if (service is not null)
                {
                    held.Add(service);
                }
                if (write is SetServiceIngress release)
                {
                    unreleased.UnionWith(release.Previous.Except(release.Addresses, StringComparer.Ordinal));
                }
            }
        }
        _events.Emitted(emitted);
        LastPassed = observed;
        return ok;
    }

    private void Plan(ResourceSnapshot snapshot)
    {
        if (snapshot.Fingerprint == _plannedFingerprint)
        {
            return;
        }
        _plannedFingerprint = snapshot.Fingerprint;
        var manifests = new ManifestSet();
        foreach (var document in snapshot.Documents)
        {
            // Objects as the API server returns them: with the CRDs' defaults filled in.
            manifests.Add(ManifestSet.Parse(document.Text, document.Origin, ReadMode.ApiServer));
        }
        var allocation = ClusterAllocator.Allocate(manifests, _allocation);
        _allocation = allocation;
        _metrics.ConfigRead(allocation.ConfigurationValid);
        if (!allocation.ConfigurationValid)
        {
            LogInvalid(_logger, allocation.Errors.Count, Summary(allocation.Errors));
        }
        _metrics.PoolCounts(allocation.Pools.ToDictionary(p => p.Name, p => (SaturatingAdd(p.AssignedIPv4, p.AssignedIPv6),
            SaturatingAdd(SaturatingAdd(p.AssignedIPv4, p.AssignedIPv6), SaturatingAdd(p.AvailableIPv4, p.AvailableIPv6))), StringComparer.Ordinal));
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private List<ClusterWrite> Writes(ResourceSnapshot snapshot, ClusterAllocation allocation, out ObservedCluster? observed)
    {
        observed = null;
        var writes = new List<ClusterWrite>();
        var state = new SetConfigurationState(_namespace, ConfigurationStateName,
            new Dictionary<string, string> { [SetConfigurationState.ComponentLabel] = "controller" },
            allocation.ConfigurationValid, allocation.ConfigurationValid ? "" : Summary(allocation.Errors));
        if (_stateWritten is null || _stateWritten.Valid != state.Valid || _stateWritten.ErrorSummary != state.ErrorSummary)
        {
            writes.Add(state);
        }
        if (!allocation.ConfigurationValid || !allocation.HasConfiguration)
        {
            return writes; // Keep the last valid configuration; write nothing new.
        }
        observed = ObservedCluster.From(snapshot);
        var changes = ControllerPlanner.Services(observed, allocation.Services);
        _events.Retain(observed.Services.Keys);
        var events = _events.Filter(changes.OfType<ServiceEvent>());
        writes.AddRange(changes.Where(w => w is not ServiceEvent));
        writes.AddRange(events);
        writes.AddRange(ControllerPlanner.Pools(observed, allocation.Pools, _namespace));
        return writes;
    }

    /// <summary>The first errors in one line, for a log and a ConfigurationState's errorSummary.</summary>
    internal static string Summary(IReadOnlyList<Problem> errors) => Summary(errors.Select(p => p.ToString()).ToArray());

    /// <summary>The same for errors already in words (a speaker's, from its configuration view).</summary>
    internal static string Summary(IReadOnlyList<string> errors)
    {
        const int Shown = 5;
        var lines = errors.Take(Shown).ToList();
        if (errors.Count > Shown)
        {
            lines.Add($"... and {errors.Count - Shown} more");
        }
        return string.Join("; ", lines);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Service}: status.loadBalancer.ingress set to {Addresses}")]
    private static partial void LogIngress(ILogger logger, string service, string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Write failed, retrying: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Service}: {Address} waits until the Service holding it gives it up (that write failed); retrying")]
    private static partial void LogTakeDeferred(ILogger logger, string service, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Service}: an address it takes is held by {Holder}, which changed since observed; waiting for the watch")]
    private static partial void LogHolderChanged(ILogger logger, string service, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost the lease mid-pass; the remaining writes are left to the leader")]
    private static partial void LogNoLongerLeading(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Error, Message = "The configuration is invalid ({Errors} errors); the last valid one stays in force: {Summary}")]
    private static partial void LogInvalid(ILogger logger, int errors, string summary);
}
