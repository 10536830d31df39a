using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.MetalLb.Kubernetes.Tests.Reconcile;

/// <summary>A session backend that records every call in order, for reconcile tests.</summary>
internal sealed class RecordingBackend : ISessionBackend
{
    public List<string> Calls { get; } = [];
    public HashSet<string> FailAdding { get; } = [];

    public ValueTask AddPeerAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        Calls.Add("add " + peer.Name);
        return FailAdding.Contains(peer.Name) ? ValueTask.FromException(new InvalidOperationException("cannot bind")) : ValueTask.CompletedTask;
    }

    public ValueTask RemovePeerAsync(PeerIntent peer, CancellationToken cancellationToken) => Record("remove " + peer.Name);

    public ValueTask ResetPeerAsync(PeerIntent previous, PeerIntent next, CancellationToken cancellationToken) =>
        Record($"reset {next.Name} AS{previous.MyAsn}->AS{next.MyAsn} id {previous.RouterId}->{next.RouterId}");

    public ValueTask ChangeBfdAsync(PeerIntent peer, CancellationToken cancellationToken) => Record("bfd " + peer.Name);

    public ValueTask ChangeReceiveAsync(PeerIntent peer, CancellationToken cancellationToken) => Record($"receive {peer.Name} {peer.ToReceive}");

    public ValueTask AnnounceAsync(RouteIntent route, CancellationToken cancellationToken) =>
        Record($"announce {route.Peer} {route.Prefix} lp={route.LocalPref} c={string.Join(',', route.Communities.Select(RouteIntent.FormatCommunity))}");

    /// <summary>
    /// Each time the reconciler said a configuration's routes were all announced, how many <see cref="Calls"/> came
    /// before (kept apart so that the other tests' call lists stay as they are).
    /// </summary>
    public List<int> InitialRoutesCompletedAfter { get; } = [];

    public ValueTask InitialRoutesCompleteAsync(CancellationToken cancellationToken)
    {
        InitialRoutesCompletedAfter.Add(Calls.Count);
        return ValueTask.CompletedTask;
    }

    public ValueTask WithdrawAsync(RouteKey route, CancellationToken cancellationToken) => Record($"withdraw {route.Peer} {route.Prefix}");

    public ValueTask ShutdownAsync(CancellationToken cancellationToken) => Record("shutdown");

    public IReadOnlyList<BgpNeighborView> Neighbors() => [];

    public IReadOnlyList<BgpRouteView> Routes(string? peer, bool received) => [];

    public IReadOnlyList<BfdPeerStatus> BfdSessions() => [];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private ValueTask Record(string call)
    {
        Calls.Add(call);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A compiler that returns whatever outcome the test queued for the snapshot's first document text.</summary>
internal sealed class ScriptedCompiler : IPlanCompiler
{
    public Dictionary<string, PlanOutcome> Outcomes { get; } = new();

    public PlanOutcome Compile(BgpKit.MetalLb.Kubernetes.Sources.ResourceSnapshot snapshot) => Outcomes[snapshot.Documents[0].Text];
}
