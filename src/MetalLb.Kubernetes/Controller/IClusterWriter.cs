using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>Carries out one <see cref="ClusterWrite"/> against the API server.</summary>
internal interface IClusterWriter
{
    /// <exception cref="KubernetesApiException">The server refused it (409 conflicts included: the next pass re-reads and retries).</exception>
    Task WriteAsync(ClusterWrite write, CancellationToken cancellationToken);
}
