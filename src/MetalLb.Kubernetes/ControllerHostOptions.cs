using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes;

/// <summary>How a <see cref="ControllerHost"/> runs: which API server, which identity, which Lease timing.</summary>
public sealed record ControllerHostOptions
{
    /// <summary>The name of the Lease the replicas share, in MetalLB's namespace.</summary>
    public const string LeaseName = "bgpkit-controller";

    /// <summary>The API server and MetalLB's namespace (<see cref="KubernetesApiOptions.Namespace"/>, default <c>metallb-system</c>).</summary>
    public required KubernetesApiOptions KubernetesApi { get; init; }

    /// <summary>This replica's identity, the Lease's <c>holderIdentity</c> while it leads (default: <c>$POD_NAME</c>, then the host name).</summary>
    public string Identity { get; init; } = DefaultIdentity();

    /// <summary>Lease duration, renew deadline and retry period (15 s, 10 s, 2 s).</summary>
    public LeaderElectionTiming LeaderElection { get; init; } = new();

    /// <summary>Where to serve <c>/metrics</c> and <c>/v1/controller</c> (default 127.0.0.1:7472, MetalLB's controller metrics port); null for none.</summary>
    public IPEndPoint? MetricsEndPoint { get; init; } = new(IPAddress.Loopback, 7472);

    /// <summary>Serve MetalLB's validating admission webhooks and the BGPPeer conversion webhook over HTTPS (null: none).</summary>
    public WebhookOptions? Webhook { get; init; }

    /// <summary>The clock of every timer (retries, the leadership guard).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where logs go.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where the meters are created (optional).</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary><c>$POD_NAME</c> when set (the Downward API), else the host name.</summary>
    public static string DefaultIdentity() =>
        Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;
}
