using BgpKit.MetalLb.Kubernetes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.Simulation.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.Simulation.Roles;

/// <summary>
/// One controller process: the real <see cref="ClusterController"/> (Observe + PassAsync), fed by an informer on
/// the simulated store, with Lease leadership. The loop is ClusterController.RunAsync's, stepped: a pass on a new
/// snapshot, on a leadership change, and after a failed write once its backoff (1 s doubling to 30 s) is due.
/// A restart builds a new process with nothing in memory; a pause (SIGSTOP, a long GC) stops its steps while
/// the clock runs on.
/// </summary>
internal sealed class ControllerReplica
{
    private readonly TimeProvider _time;
    private readonly SimInformer _informer;
    private bool _wake;
    private long? _retryAt;
    private TimeSpan _delay = TimeSpan.FromSeconds(1);

    public ControllerReplica(string identity, SimApiServer server, TimeProvider time, LeaderElectionTiming timing, SimClusterWriter writer, SharedTexts texts)
    {
        _time = time;
        Identity = identity;
        Leadership = new SimLeaseLeadership(server, time, identity, timing);
        Leadership.Changed += () => _wake = true;
        Controller = new ClusterController(Cluster.MetalLbNamespace, Leadership, writer, time, NullLogger.Instance, new ControllerMetrics());
        _informer = new SimInformer(server, time, KubernetesResourceKind.MetalLbController, texts);
    }

    public string Identity { get; }

    public SimLeaseLeadership Leadership { get; }

    public ClusterController Controller { get; }

    public SimInformer Informer => _informer;

    /// <summary>Not stepped until this time (a paused process).</summary>
    public long PausedUntil { get; set; }

    /// <summary>The snapshot of the pass in progress (the writer's invariants read it).</summary>
    public ResourceSnapshot? Passing { get; private set; }

    public void Tick(Action<string> trace)
    {
        var now = _time.GetTimestamp();
        if (now < PausedUntil)
        {
            return;
        }
        Leadership.Tick(m => trace(m));
        if (_informer.Tick(m => trace($"{Identity} watch {m}")) is { } snapshot)
        {
            Controller.Observe(snapshot);
            _wake = true;
        }
        if (_retryAt is { } at && now >= at)
        {
            _retryAt = null;
            _wake = true;
        }
        if (!_wake)
        {
            return;
        }
        _wake = false;
        Passing = Controller.Snapshot;
        var pass = Controller.PassAsync(CancellationToken.None);
        if (!pass.IsCompleted)
        {
            throw new InvalidOperationException("ClusterController.PassAsync did not complete synchronously: the simulation would depend on the thread pool");
        }
        Passing = null;
        if (pass.Result)
        {
            _delay = TimeSpan.FromSeconds(1);
            return;
        }
        _retryAt = now + (long)(_delay.TotalSeconds * _time.TimestampFrequency);
        trace($"{Identity} pass had a failed write: retry in {_delay.TotalSeconds}s");
        _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
    }
}
