using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.MetalLb.Kubernetes.Layer2;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.NodeStatus;
using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Speaker;
using BgpKit.MetalLb.Kubernetes.Status;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes;

/// <summary>
/// MetalLB's speaker on BgpKit: reads MetalLB manifests, plans this node's BGP sessions, routes and
/// BFD sessions, runs them with Bgp.Fsm and Bfd, and applies every later change as a difference
/// (unchanged sessions never flap, unchanged routes are never withdrawn; an invalid change is
/// reported and the last valid configuration stays). Serves status views and Prometheus metrics.
/// Reading from the API server, it also publishes the node's ServiceBGPStatus, BGPSessionState
/// and ConfigurationState objects (owned by the Node, written at a bounded rate).
/// <code>
/// await using var host = new SpeakerHost(new SpeakerHostOptions { Node = "node-1", ConfigPaths = ["/etc/metallb"] });
/// await host.RunAsync(stoppingToken); // until cancelled; then Cease to every peer, BFD AdminDown
/// </code>
/// </summary>
public sealed partial class SpeakerHost : IAsyncDisposable
{
    private readonly SpeakerHostOptions _options;
    private readonly ILogger _logger;
    private readonly PrometheusExporter _exporter;
    private readonly HostMetrics _hostMetrics;
    private readonly SpeakerBackend _backend;
    private readonly Reconciler _reconciler;
    private readonly IResourceSource _source;
    private readonly k8s.Kubernetes? _client;
    private readonly NodeStatusPublisher? _publisher;
    private readonly Layer2Metrics? _layer2Metrics;
    private readonly Layer2Speaker? _layer2;
    private StatusServer? _status;
    private int _disposed;

    /// <summary>Prepares the host; nothing runs until <see cref="RunAsync"/>.</summary>
    public SpeakerHost(SpeakerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Node);
        _options = options;
        _source = CreateSource(options); // First: it checks that exactly one source is given.
        _logger = options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.SpeakerHost");
        _exporter = new PrometheusExporter();
        _hostMetrics = new HostMetrics(options.MeterFactory);
        _backend = new SpeakerBackend(new SpeakerBackendOptions
        {
            BgpListen = options.BgpListen,
            Restarting = options.StateDirectory is { } stateDirectory && RecordStart(stateDirectory, options.TimeProvider, options.LoggerFactory),
            TimeProvider = options.TimeProvider,
            LoggerFactory = options.LoggerFactory,
            MeterFactory = options.MeterFactory,
            InstallReceivedRoutes = options.InstallReceivedRoutes,
        });
        _reconciler = new Reconciler(options.Node, new ModelPlanCompiler(options.Node, fromApiServer: options.KubernetesApi is not null), _backend, options.TimeProvider,
            options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Reconciler"), _hostMetrics);
        if (options.KubernetesApi is { } apiOptions)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.StatusWritesPerSecond);
            _client = apiOptions.CreateClient();
        }
        if (options.Layer2)
        {
            var timing = new Layer2Timing(options.Layer2LeaseDuration, options.Layer2RenewInterval);
            timing.Validate();
            var layer2Logger = options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Layer2");
            _layer2Metrics = new Layer2Metrics(options.MeterFactory);
            ISpeakerLiveness liveness = _client is null
                ? new EveryNodeAlive()
                : new SpeakerLeases(_client, options.KubernetesApi!.Namespace, options.Node, timing, options.TimeProvider, layer2Logger);
            _layer2 = new Layer2Speaker(options.Node, () => _reconciler.Current.Layer2, liveness, new Layer2Announcer(_layer2Metrics, layer2Logger),
                timing, options.TimeProvider, layer2Logger);
            _reconciler.Layer2Source = () => _layer2.View;
            _reconciler.Applied += _layer2.Wake;
        }
        if (options.KubernetesApi is { } api && _client is not null)
        {
            var writer = new KubernetesNodeStatusWriter(_client, api.Namespace, options.TimeProvider, "speaker-" + options.Node);
            _publisher = new NodeStatusPublisher(api.Namespace, options.Node, () => NodeObservation.From(_reconciler, _layer2), writer,
                new WriteRateLimit(options.StatusWritesPerSecond, options.StatusWritesPerSecond, options.TimeProvider), options.TimeProvider,
                options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.NodeStatus"));
            _reconciler.Applied += _publisher.Wake;
            _backend.SessionsChanged += _publisher.Wake;
            if (_layer2 is not null)
            {
                _layer2.OwnedChanged += _publisher.Wake;
            }
        }
    }

    /// <summary>
    /// Reads the graceful restart state of the previous run and records this start; true when there was one (a
    /// restart). A state that cannot be written is logged and the speaker runs on: it only costs the next R bit.
    /// </summary>
    internal static bool RecordStart(string directory, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("BgpKit.MetalLb.Kubernetes.GracefulRestart");
        var store = new GracefulRestartStateFile(Path.Combine(directory, GracefulRestartStateFileName), logger);
        var previous = store.Load();
        var next = GracefulRestartState.Next(previous, time.GetUtcNow(), [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast]);
        try
        {
            store.Save(next);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogStateNotSaved(logger, store.Path, e.Message);
        }
        if (previous is not null)
        {
            LogRestart(logger, next.RestartCount, previous.LastStart, store.Path);
        }
        return previous is not null;
    }

    /// <summary>The state file's name inside <see cref="SpeakerHostOptions.StateDirectory"/>.</summary>
    internal const string GracefulRestartStateFileName = "graceful-restart.json";

    [LoggerMessage(Level = LogLevel.Information, Message = "Restart {Count} (previous start {PreviousStart:O}, state {Path}): peers with graceful restart get the R bit")]
    private static partial void LogRestart(ILogger logger, int count, DateTimeOffset previousStart, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Graceful restart state {Path} not written ({Reason}); the next start will be cold")]
    private static partial void LogStateNotSaved(ILogger logger, string path, string reason);

    private static IResourceSource CreateSource(SpeakerHostOptions options)
    {
        if (options.KubernetesApi is { } api)
        {
            if (options.ConfigPaths.Count > 0)
            {
                throw new ArgumentException("set either ConfigPaths or KubernetesApi, not both", nameof(options));
            }
            return new KubernetesApiSource(api, options.TimeProvider, options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Api"));
        }
        if (options.ConfigPaths.Count == 0)
        {
            throw new ArgumentException("set ConfigPaths (manifest files or directories) or KubernetesApi", nameof(options));
        }
        return new ManifestDirectorySource(options.ConfigPaths, options.TimeProvider,
            options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Manifests"))
        {
            RescanInterval = options.RescanInterval,
        };
    }

    /// <summary>The views that <c>bgpkit show</c> prints, read directly.</summary>
    public ISpeakerStatus Status => _reconciler;

    /// <summary>The Prometheus text of every BgpKit meter, as <c>/metrics</c> serves it.</summary>
    public string CollectMetrics() => _exporter.Collect();

    /// <summary>
    /// Starts the status endpoint, applies the manifests and follows their changes until
    /// <paramref name="cancellationToken"/> fires; then stops gracefully (Cease "administrative
    /// shutdown" to every peer, BFD AdminDown).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_options.StatusEndPoint is { } endPoint)
        {
            _status = new StatusServer(endPoint, _reconciler, _exporter, _options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Status"));
            _status.Start();
        }
        LogStarting(_logger, _options.Node, _source.Description);
        _backend.StartKernelRoutes();
        using var stopPublishing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var publishing = _publisher is null ? Task.CompletedTask : Task.Run(() => _publisher.RunAsync(stopPublishing.Token), CancellationToken.None);
        var layer2 = _layer2 is null ? Task.CompletedTask : Task.Run(() => _layer2.RunAsync(stopPublishing.Token), CancellationToken.None);
        try
        {
            await _reconciler.RunAsync(_source, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await stopPublishing.CancelAsync().ConfigureAwait(false);
            await layer2.ConfigureAwait(false);
            await publishing.ConfigureAwait(false);
            await _reconciler.ShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _backend.DisposeAsync().ConfigureAwait(false);
        _layer2?.Dispose();
        _layer2Metrics?.Dispose();
        if (_status is not null)
        {
            await _status.DisposeAsync().ConfigureAwait(false);
        }
        _client?.Dispose();
        _hostMetrics.Dispose();
        _exporter.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Speaker for node {Node} starting on {Source}")]
    private static partial void LogStarting(ILogger logger, string node, string source);
}
