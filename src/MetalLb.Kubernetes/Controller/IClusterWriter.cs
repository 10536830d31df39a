using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>Carries out one <see cref="ClusterWrite"/> against the API server.</summary>
internal interface IClusterWriter
{
    /// <summary>Writes <paramref name="write"/>; returns the written object's resourceVersion afterwards (null when it has none to report, as an Event).</summary>
    /// <exception cref="KubernetesApiException">The server refused it (409 conflicts included: the next pass re-reads and retries).</exception>
    Task<string?> WriteAsync(ClusterWrite write, CancellationToken cancellationToken);

    /// <summary>The Service's resourceVersion on the server now (a read, not the watch); null when it does not exist.</summary>
    /// <exception cref="KubernetesApiException">The read failed.</exception>
    Task<string?> ReadServiceVersionAsync(ServiceRef service, CancellationToken cancellationToken);
}
