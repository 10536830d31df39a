using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.Simulation.Api;
using BgpKit.Simulation.Network;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.Simulation.Roles;

/// <summary>
/// One speaker process on one node: an informer on the store and the real <see cref="Reconciler"/> with the real
/// <see cref="ModelPlanCompiler"/> (addresses from the Services' status, as in a cluster), over a simulated
/// session backend. A restart is a new process: nothing carries over but what the store and the routers hold.
/// </summary>
internal sealed class SpeakerProcess
{
    private readonly SimInformer _informer;

    public SpeakerProcess(string node, SimApiServer server, SimNetwork network, TimeProvider time, SharedTexts texts)
    {
        Node = node;
        Backend = new SimSessionBackend(node, network);
        Reconciler = new Reconciler(node, new ModelPlanCompiler(node, fromApiServer: true), Backend, time, NullLogger.Instance);
        _informer = new SimInformer(server, time, KubernetesResourceKind.MetalLbSpeaker, texts);
    }

    public string Node { get; }

    public SimSessionBackend Backend { get; }

    public Reconciler Reconciler { get; }

    public SimInformer Informer => _informer;

    /// <summary>The last snapshot applied as valid (the configuration in force), or null.</summary>
    public ResourceSnapshot? InForce { get; private set; }

    /// <summary>Reads new resources and applies them; returns the snapshot read (valid or not) or null.</summary>
    public (ResourceSnapshot Snapshot, bool Applied)? Tick(Action<string> trace)
    {
        Backend.Tick();
        if (_informer.Tick(m => trace($"{Node} watch {m}")) is not { } snapshot)
        {
            return null;
        }
        Backend.SnapshotVersion = _informer.Version;
        var apply = Reconciler.ApplyAsync(snapshot, CancellationToken.None);
        if (!apply.IsCompleted)
        {
            throw new InvalidOperationException("Reconciler.ApplyAsync did not complete synchronously: the simulation would depend on the thread pool");
        }
        var diff = apply.Result;
        if (diff is not null)
        {
            InForce = snapshot;
            if (!diff.IsEmpty)
            {
                trace($"{Node} applied: +{diff.PeersAdded.Count} -{diff.PeersRemoved.Count} ~{diff.PeersReset.Count} peers, {diff.RoutesAnnounced.Count} announced, {diff.RoutesWithdrawn.Count} withdrawn");
            }
        }
        else
        {
            trace($"{Node} read an invalid configuration; the last valid one stays");
        }
        return (snapshot, diff is not null);
    }
}
