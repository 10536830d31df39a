using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.MetalLb.Kubernetes.Webhook;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes;

/// <summary>
/// MetalLB's controller on BgpKit: one allocation for the whole cluster. It watches the
/// configuration, Services and Namespaces, allocates every LoadBalancer Service's addresses with
/// MetalLb.Model, and writes them to <c>status.loadBalancer.ingress</c> with the
/// <c>metallb.io/ip-allocated-from-pool</c> annotation, Events with MetalLB's reasons
/// (<c>IPAllocated</c>, <c>AllocationFailed</c>, <c>ClearAssignment</c>), each pool's status, and a
/// ConfigurationState. Replicas elect a leader on the Lease <c>bgpkit-controller</c>; only the
/// leader writes, and addresses already written are never reshuffled.
/// <code>
/// await using var host = new ControllerHost(new ControllerHostOptions { KubernetesApi = KubernetesApiOptions.InCluster() });
/// await host.RunAsync(stoppingToken); // until cancelled; then the Lease is released
/// </code>
/// </summary>
public sealed partial class ControllerHost : IAsyncDisposable
{
    private readonly ControllerHostOptions _options;
    private readonly ILogger _logger;
    private readonly k8s.Kubernetes? _client;
    private readonly ILeadership _leadership;
    private readonly IResourceSource _source;
    private readonly ClusterController _controller;
    private readonly ControllerMetrics _metrics;
    private readonly PrometheusExporter _exporter;
    private readonly WebhookCertificates? _certificates;
    private StatusServer? _server;
    private WebhookServer? _webhook;
    private int _disposed;

    /// <summary>Prepares the host; nothing runs until <see cref="RunAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options are incomplete or the Lease timing breaks client-go's rules.</exception>
    public ControllerHost(ControllerHostOptions options)
        : this(options, null, null, null)
    {
    }

    // For testing: a source, a leadership and a writer of the test's own.
    internal ControllerHost(ControllerHostOptions options, IResourceSource? source, ILeadership? leadership, IClusterWriter? writer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.KubernetesApi);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Identity);
        options.LeaderElection.Validate();
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Controller");
        var ns = options.KubernetesApi.Namespace;
        if (source is null || leadership is null || writer is null || options.Webhook is not null)
        {
            _client = options.KubernetesApi.CreateClient();
        }
        _source = source ?? new KubernetesApiSource(options.KubernetesApi, options.TimeProvider, options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Api"))
        {
            Kinds = KubernetesResourceKind.MetalLbController,
        };
        _leadership = leadership ?? new LeaseLeadership(_client!, ns, ControllerHostOptions.LeaseName, options.Identity, options.LeaderElection,
            options.TimeProvider, options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.LeaderElection"));
        _exporter = new PrometheusExporter(meter => meter.Name.StartsWith("BgpKit", StringComparison.Ordinal));
        _metrics = new ControllerMetrics(options.MeterFactory);
        _controller = new ClusterController(ns, _leadership, writer ?? new KubernetesClusterWriter(_client!, options.TimeProvider, options.Identity),
            options.TimeProvider, _logger, _metrics);
        if (options.Webhook is { } webhook)
        {
            _certificates = new WebhookCertificates(_client!, webhook, ns, options.TimeProvider, options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Webhook"));
        }
    }

    /// <summary>What the controller holds now: leader, configuration, allocations (as <c>/v1/controller</c> serves it).</summary>
    public ControllerView Status() => ControllerView.From(_leadership, _controller);

    /// <summary>The snapshot the controller's last finished pass worked from, for tests.</summary>
    internal Sources.ResourceSnapshot? LastPassed => _controller.LastPassed;

    /// <summary>The Prometheus text of the controller's meters, as <c>/metrics</c> serves it.</summary>
    public string CollectMetrics() => _exporter.Collect();

    /// <summary>
    /// Campaigns for the Lease, follows the cluster and writes while leading, until
    /// <paramref name="cancellationToken"/> fires; then releases the Lease so another replica takes over at once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_options.MetricsEndPoint is { } endPoint)
        {
            _server = new StatusServer(endPoint, _exporter, () => Status(), () => _controller.Allocation is not null && (_certificates is null || _certificates.Current is not null), _options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Status"));
            _server.Start();
        }
        LogStarting(_logger, _options.Identity, _source.Description);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var certificates = Task.CompletedTask;
        if (_options.Webhook is { } options && _certificates is { } keeper)
        {
            // Every replica serves the webhook (the Service spreads calls over them), leader or not.
            var admission = new AdmissionWebhook(_options.KubernetesApi.Namespace, () => _controller.Snapshot);
            _webhook = new WebhookServer(options.EndPoint, () => keeper.Current,
                (path, body) => path == "/convert" ? BgpPeerConversion.Handle(body.Span) : admission.Handle(path, body.Span),
                _options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Webhook"));
            _webhook.Start();
            certificates = Task.Run(() => keeper.RunAsync(options.CheckInterval, stop.Token), CancellationToken.None);
        }
        var election = Task.Run(() => _leadership.RunAsync(stop.Token), CancellationToken.None);
        try
        {
            await _controller.RunAsync(_source, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await election.ConfigureAwait(false);
            await certificates.ConfigureAwait(false);
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _leadership.ReleaseAsync(release.Token).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
        if (_webhook is not null)
        {
            await _webhook.DisposeAsync().ConfigureAwait(false);
        }
        (_leadership as IDisposable)?.Dispose();
        _client?.Dispose();
        _metrics.Dispose();
        _exporter.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {Identity} starting on {Source}")]
    private static partial void LogStarting(ILogger logger, string identity, string source);
}
