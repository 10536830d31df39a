using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// A Service joining an address another Service holds (a shared address, or one another Service gives up in this
/// pass) is judged against the holder as observed. The write's precondition covers only the joining Service, and a
/// lagging watch may not show that the holder has changed since, its sharing key for one, so that the two may no
/// longer share (found by tests/BgpKit.Simulation, seed 868 at 200 steps: a watch 9 s late gave a new Service the
/// address of one whose key had just changed). So each holder's resourceVersion is read just before such a write; a
/// holder that changed since the snapshot defers the write to a pass that sees the change. Kubernetes has no
/// transaction over two objects: what is left is the moment between that read and the write, not a watch's lag.
/// </summary>
internal sealed partial class ClusterController
{
    /// <summary>A Service other than <paramref name="take"/>'s holding one of the addresses it takes that has changed since observed, or null.</summary>
    private async Task<string?> ChangedHolderAsync(SetServiceIngress take, ObservedCluster cluster, Dictionary<string, string> written, CancellationToken cancellationToken)
    {
        foreach (var address in take.Addresses.Except(take.Previous, StringComparer.Ordinal))
        {
            foreach (var (key, holder) in cluster.Services)
            {
                if (key == take.Service.Key || !holder.IsOurs || !holder.Ingress.Contains(address, StringComparer.Ordinal))
                {
                    continue;
                }
                var expected = written.TryGetValue(key, out var ours) ? ours : holder.ResourceVersion;
                if (expected is null)
                {
                    continue; // A source without versions: nothing to compare with.
                }
                try
                {
                    if (await _writer.ReadServiceVersionAsync(holder.Ref, cancellationToken).ConfigureAwait(false) != expected)
                    {
                        return key;
                    }
                }
                catch (KubernetesApiException)
                {
                    return key;
                }
            }
        }
        return null;
    }
}
