using System.Net;
using BgpKit.MetalLb.Kubernetes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.Simulation.Api;
using BgpKit.Simulation.Checks;
using BgpKit.Simulation.Network;
using BgpKit.Simulation.Roles;
using BgpKit.Simulation.Scenario;
using BgpKit.TestSupport;

namespace BgpKit.Simulation;

/// <summary>
/// One simulated cluster for one seed: the store, 2-3 controller replicas, one speaker per node (3-6), two
/// routers, and the links between nodes and routers, all on one <see cref="ManualTimeProvider"/> and one
/// <see cref="Random"/>. A step draws faults and edits from the seed, moves the clock one second (or jumps it),
/// steps every process in a fixed order and checks the invariants. After the fault phase every fault heals and
/// the cluster must converge within <see cref="ConvergenceBound"/>.
/// </summary>
internal sealed partial class Cluster
{
    public const string MetalLbNamespace = "metallb-system";

    /// <summary>
    /// How long after every fault healed the routers must hold exactly the plan. The longest wait is a router keeping
    /// a killed speaker's routes stale for its graceful restart time (120 s, FRR's default) when the restarted speaker
    /// no longer peers with it (a label edit moved the node out of the BGPPeer's nodeSelectors), plus the close
    /// arriving after the link healed; the other waits (informer backoff 30 s, a lease expiring 15 s, a write's
    /// backoff 30 s, a connect retry 10 s) run alongside it.
    /// </summary>
    public static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(150);

    public static readonly LeaderElectionTiming Timing = new();

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private readonly int _seed;
    private readonly Random _rng;
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));
    private readonly SimApiServer _server;
    private readonly SimNetwork _network;
    private readonly ClusterSpec _spec;
    private readonly ReferencePlans _plans = new();
    private readonly SharedTexts _texts = new();
    private readonly SimInformer _truth;
    private readonly ControllerReplica?[] _controllers;
    private readonly int[] _controllerGenerations;
    private readonly SortedDictionary<string, SpeakerProcess?> _speakers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _speakerStartAt = new(StringComparer.Ordinal);
    private readonly List<long> _editVersions = [];
    private readonly long _start;
    private ResourceSnapshot? _truthSnapshot;
    private bool _faults;

    public Cluster(int seed, bool keepTrace = false)
    {
        _seed = seed;
        _rng = new Random(seed);
        Trace = new Trace(keepTrace);
        _start = _time.GetTimestamp();
        _server = new SimApiServer(_time);
        _network = new SimNetwork(_time, [new SimRouter("r1", IPAddress.Parse("10.255.0.1"), _time), new SimRouter("r2", IPAddress.Parse("10.255.0.2"), _time)]);
        var nodes = _rng.Next(3, 7);
        _spec = Edits.Initial(_rng, nodes);
        foreach (var obj in Edits.All(_spec))
        {
            _server.Apply(obj);
        }
        _editVersions.Add(_server.Version);
        _truth = new SimInformer(_server, _time, KubernetesResourceKind.MetalLbSpeaker, _texts) { Privileged = true };
        foreach (var node in _spec.Nodes.Keys)
        {
            foreach (var router in _network.Routers)
            {
                _network.LinkOf(node, router);
            }
        }
        _controllers = new ControllerReplica?[_rng.Next(2, 4)];
        _controllerGenerations = new int[_controllers.Length];
        for (var i = 0; i < _controllers.Length; i++)
        {
            _controllers[i] = NewController(i);
        }
        foreach (var node in _spec.Nodes.Keys)
        {
            _speakers[node] = NewSpeaker(node);
        }
        Log($"seed {seed}: {nodes} nodes, {_controllers.Length} controller replicas, {_spec.Services.Count} services, peers r1 hold {_spec.Peers["r1"].HoldTime} gr={_spec.Peers["r1"].GracefulRestart}, r2 AS{_spec.Peers["r2"].PeerAsn} hold {_spec.Peers["r2"].HoldTime} gr={_spec.Peers["r2"].GracefulRestart} zone={_spec.Peers["r2"].Zone ?? "*"}");
    }

    public Trace Trace { get; }

    public SimStats Stats { get; } = new();

    public List<string> Violations { get; } = [];

    private double Seconds => _time.GetElapsedTime(_start).TotalSeconds;

    /// <summary>Runs <paramref name="faultSteps"/> steps with faults, heals everything, and waits for convergence.</summary>
    public SimResult Run(int faultSteps)
    {
        _faults = true;
        for (var i = 0; i < faultSteps && Violations.Count == 0; i++)
        {
            StepOnce();
        }
        _faults = false;
        Heal();
        var healedAt = _time.GetTimestamp();
        double? converged = null;
        while (Violations.Count == 0 && _time.GetElapsedTime(healedAt) <= ConvergenceBound)
        {
            StepOnce();
            if (Converged(out _))
            {
                converged = _time.GetElapsedTime(healedAt).TotalSeconds;
                Log($"converged {converged}s after healing");
                break;
            }
        }
        if (Violations.Count == 0 && converged is null)
        {
            Converged(out var why);
            Violate($"not converged {ConvergenceBound.TotalSeconds}s after every fault healed: {why}");
        }
        Stats.Steps = faultSteps;
        return new SimResult(_seed, Violations.ToArray(), Trace.Hash(), Stats, converged);
    }

    private void StepOnce()
    {
        var advance = Step;
        if (_faults)
        {
            advance += DrawFaults();
        }
        _time.Advance(advance);
        foreach (var router in _network.Routers)
        {
            router.Tick(Log);
        }
        _network.Tick(Log);
        for (var i = 0; i < _controllers.Length; i++)
        {
            _controllers[i]?.Tick(Log);
        }
        foreach (var node in _speakers.Keys.ToArray())
        {
            TickSpeaker(node);
        }
        _network.Tick(Log);
        if (_truth.Tick(_ => { }) is { } truth)
        {
            _truthSnapshot = truth;
            CheckStore(truth);
        }
        CheckSpeakers();
    }

    private void TickSpeaker(string node)
    {
        var speaker = _speakers[node];
        if (speaker is null)
        {
            if (_time.GetTimestamp() < _speakerStartAt[node])
            {
                return;
            }
            speaker = NewSpeaker(node);
            _speakers[node] = speaker;
            Log($"{node}: speaker started");
        }
        var before = speaker.Reconciler.Current;
        if (speaker.Tick(Log) is not { } read)
        {
            return;
        }
        var reference = _plans.Of(read.Snapshot);
        if (read.Applied != reference.Valid)
        {
            Violate($"{node} {(read.Applied ? "applied" : "refused")} a configuration a fresh plan finds {(reference.Valid ? "valid" : "invalid: " + string.Join("; ", reference.Errors.Take(2)))}");
        }
        if (!read.Applied && !ReferenceEquals(before, speaker.Reconciler.Current))
        {
            Violate($"{node}: an invalid configuration replaced the one in force");
        }
        if (read.Applied)
        {
            var expected = reference.RoutesOf(node);
            var actual = speaker.Reconciler.Current.Routes;
            if (expected.Count != actual.Count || expected.Any(p => !actual.TryGetValue(p.Key, out var r) || !r.Equals(p.Value)))
            {
                Violate($"{node}: the speaker's plan differs from a fresh plan of the same snapshot: speaker [{string.Join(", ", actual.Values.Select(Show))}] fresh [{string.Join(", ", expected.Values.Select(Show))}]");
            }
        }
    }

    private ControllerReplica NewController(int slot)
    {
        var identity = $"controller-{slot}-{_controllerGenerations[slot]++}";
        ControllerReplica? replica = null;
        var writer = new SimClusterWriter(_server, write => WriteFault(write));
        replica = new ControllerReplica(identity, _server, _time, Timing, writer, _texts);
        writer.Written += write => CheckWrite(replica, write);
        return replica;
    }

    private SpeakerProcess NewSpeaker(string node)
    {
        var speaker = new SpeakerProcess(node, _server, _network, _time, _texts);
        speaker.Backend.EditedBetween = (after, upTo) => _editVersions.Any(v => v > after && v <= upTo);
        speaker.Backend.Reannounced = (route, explained) =>
        {
            if (!explained)
            {
                Violate($"{node}: {route.Peer} {route.Prefix} withdrawn and announced again on the same session, with no edit and no address written in between");
            }
        };
        return speaker;
    }

    private void ApplyEdit(Edit edit)
    {
        Log("edit: " + edit.Description);
        foreach (var key in edit.Delete)
        {
            _server.Delete(key);
        }
        foreach (var obj in edit.Apply)
        {
            var key = SimApiServer.KeyOf(obj);
            if (!edit.Invalid && key == _spec.Broken)
            {
                _spec.Broken = null; // Re-rendered from the valid model: repaired.
            }
            // kubectl apply leaves alone what it did not set: the controller's annotation stays.
            if (_server.Get(key) is { } old && old["metadata"]?["annotations"]?[ObservedCluster.AllocatedFromPool] is { } pool)
            {
                var annotations = obj["metadata"]!["annotations"] as System.Text.Json.Nodes.JsonObject ?? [];
                obj["metadata"]!["annotations"] = annotations;
                annotations[ObservedCluster.AllocatedFromPool] = pool.DeepClone();
            }
            _server.Apply(obj);
        }
        _editVersions.Add(_server.Version);
    }

    private void Log(string line) => Trace.Add(Seconds, line);

    private void Violate(string what)
    {
        Log("VIOLATION: " + what);
        Violations.Add($"t={Seconds:F0}s {what}");
    }

    private static string Show(BgpKit.MetalLb.Kubernetes.Reconcile.RouteIntent r) =>
        $"{r.Peer} {r.Prefix}" + (r.Communities.Count > 0 ? " c=" + string.Join(",", r.Communities.Select(BgpKit.MetalLb.Kubernetes.Reconcile.RouteIntent.FormatCommunity)) : "") + (r.LocalPref is { } lp ? $" lp={lp}" : "");
}
