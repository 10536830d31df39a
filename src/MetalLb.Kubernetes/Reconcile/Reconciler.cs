using System.Globalization;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Status;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>
/// The speaker's reconcile loop: each snapshot from the resource source is compiled into this
/// node's intent; a valid one is applied as a difference against the intent in force, an invalid
/// one is recorded (and shown by <c>show config</c>) while the last valid one stays. One loop owns
/// all state changes; status readers see immutable snapshots.
/// </summary>
internal sealed partial class Reconciler : ISpeakerStatus
{
    private readonly string _node;
    private readonly IPlanCompiler _compiler;
    private readonly ISessionBackend _backend;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HostMetrics? _metrics;
    private volatile NodeIntent _current = NodeIntent.Empty;
    private volatile AppliedConfigView? _inForce;
    private volatile ConfigChangeView? _lastChange;
    private long _generation;

    public Reconciler(string node, IPlanCompiler compiler, ISessionBackend backend, TimeProvider time, ILogger logger, HostMetrics? metrics = null)
    {
        _node = node;
        _compiler = compiler;
        _backend = backend;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>A snapshot was read and, when valid, applied: <see cref="Current"/> and <see cref="Config"/> show it.</summary>
    public event Action? Applied;

    /// <summary>The layer 2 view <c>show l2</c> prints, when layer 2 runs.</summary>
    internal Func<Layer2View>? Layer2Source { get; set; }

    /// <inheritdoc />
    public Layer2View Layer2() => Layer2Source?.Invoke() ?? Layer2View.Empty;

    /// <summary>The intent in force (empty before the first valid configuration).</summary>
    public NodeIntent Current => _current;

    /// <summary>Applies every snapshot the source yields until cancelled.</summary>
    public async Task RunAsync(IResourceSource source, CancellationToken cancellationToken)
    {
        await foreach (var snapshot in source.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            await ApplyAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Compiles one snapshot and, when valid, applies the difference. Returns what was applied (null if invalid).</summary>
    public async Task<IntentDiff?> ApplyAsync(ResourceSnapshot snapshot, CancellationToken cancellationToken)
    {
        var at = Timestamp();
        PlanOutcome outcome;
        if (snapshot.Failures.Count > 0)
        {
            outcome = PlanOutcome.Invalid(snapshot.Failures.Select(f => new ConfigProblemView(f.Origin, 0, null, null, null, f.Message)).ToArray());
        }
        else
        {
            try
            {
                outcome = _compiler.Compile(snapshot);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug in planning must not take down sessions that are running fine.
                outcome = PlanOutcome.Invalid([new ConfigProblemView(null, 0, null, null, null, "planning failed: " + e.Message)]);
            }
        }
        _lastChange = new ConfigChangeView(at, outcome.Valid, outcome.Errors, outcome.Pending, outcome.Warnings);
        _metrics?.ConfigRead(outcome.Valid);
        if (outcome.Intent is null)
        {
            LogInvalid(_logger, outcome.Errors.Count, outcome.Errors.Count > 0 ? outcome.Errors[0].Message : "unknown");
            Applied?.Invoke();
            return null;
        }

        var diff = IntentDiff.Between(_current, outcome.Intent);
        await ApplyAsync(diff, cancellationToken).ConfigureAwait(false);
        _current = outcome.Intent;
        var generation = Interlocked.Increment(ref _generation);
        _inForce = new AppliedConfigView(generation, at, snapshot.Source, Sessions(outcome.Intent), Announcements(outcome.Intent), outcome.Services);
        _metrics?.Applied(generation);
        LogApplied(_logger, generation, diff.PeersAdded.Count, diff.PeersRemoved.Count, diff.PeersReset.Count, diff.RoutesAnnounced.Count, diff.RoutesWithdrawn.Count);
        Applied?.Invoke();
        return diff;
    }

    private async Task ApplyAsync(IntentDiff diff, CancellationToken cancellationToken)
    {
        // Removals first, so that a removed session's address and BFD session are free for a new one.
        foreach (var peer in diff.PeersRemoved)
        {
            await Guard(peer.Name, "remove peer", () => _backend.RemovePeerAsync(peer, cancellationToken)).ConfigureAwait(false);
        }
        foreach (var peer in diff.BfdChanged)
        {
            await Guard(peer.Name, "change BFD", () => _backend.ChangeBfdAsync(peer, cancellationToken)).ConfigureAwait(false);
        }
        foreach (var peer in diff.ReceiveChanged)
        {
            await Guard(peer.Name, "change toReceive", () => _backend.ChangeReceiveAsync(peer, cancellationToken)).ConfigureAwait(false);
        }
        foreach (var route in diff.RoutesWithdrawn)
        {
            await Guard(route.Peer, "withdraw " + route.Prefix, () => _backend.WithdrawAsync(route, cancellationToken)).ConfigureAwait(false);
        }
        foreach (var peer in diff.PeersReset)
        {
            await Guard(peer.Next.Name, "reset peer", () => _backend.ResetPeerAsync(peer.Previous, peer.Next, cancellationToken)).ConfigureAwait(false);
        }
        foreach (var peer in diff.PeersAdded)
        {
            await Guard(peer.Name, "add peer", () => _backend.AddPeerAsync(peer, cancellationToken)).ConfigureAwait(false);
        }
        foreach (var route in diff.RoutesAnnounced)
        {
            await Guard(route.Peer, "announce " + route.Prefix, () => _backend.AnnounceAsync(route, cancellationToken)).ConfigureAwait(false);
        }
        // The first valid configuration is the whole table: a restarted speaker's End-of-RIB may follow it.
        await Guard("*", "end of initial routes", () => _backend.InitialRoutesCompleteAsync(cancellationToken)).ConfigureAwait(false);
    }

    private async Task Guard(string peer, string action, Func<ValueTask> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One peer's failure (say, an address that cannot be bound) must not stop the others.
            LogStepFailed(_logger, peer, action, e.Message);
        }
    }

    /// <summary>Graceful stop: BFD AdminDown, CEASE to every peer but those with graceful restart (closed without NOTIFICATION).</summary>
    public ValueTask ShutdownAsync(CancellationToken cancellationToken) => _backend.ShutdownAsync(cancellationToken);

    private string Timestamp() => _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static IReadOnlyList<SessionView> Sessions(NodeIntent intent) =>
        intent.Peers.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new SessionView(
            p.Name, p.Neighbor, p.Port, p.MyAsn, p.PeerAsn, p.DynamicAsn,
            (int)p.HoldTime.TotalSeconds, (int)p.KeepaliveTime.TotalSeconds, p.RouterId?.ToString(), p.SourceAddress?.ToString(),
            p.EbgpMultiHop, p.Bfd?.ProfileName, p.Password is not null) { ToReceive = p.ToReceive.ToString() }).ToArray();

    private static IReadOnlyList<AnnouncementView> Announcements(NodeIntent intent) =>
        intent.Peers.Keys.Order(StringComparer.Ordinal).SelectMany(intent.RoutesOf).Select(r => new AnnouncementView(
            r.Peer, r.Prefix.ToString(), intent.Peers[r.Peer].IsInternal ? r.LocalPref : null,
            r.Communities.Select(RouteIntent.FormatCommunity).ToArray(),
            r.LargeCommunities.Select(c => c.ToString()).ToArray())).ToArray();

    // ---- ISpeakerStatus ----

    public BgpSummaryView BgpSummary()
    {
        var intent = _current;
        var first = intent.Peers.Values.OrderBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault();
        var rows = _backend.Neighbors().Select(n => n.Summary).OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
        var routerId = _backend.Neighbors().Select(n => n.RouterId).FirstOrDefault(id => id.Length > 0) ?? first?.RouterId?.ToString() ?? string.Empty;
        return new BgpSummaryView(_node, routerId, first?.MyAsn ?? 0, rows);
    }

    public IReadOnlyList<BgpNeighborView> BgpNeighbors(string? name) =>
        _backend.Neighbors().Where(n => name is null || n.Summary.Name == name || n.Summary.Address == name)
            .OrderBy(n => n.Summary.Name, StringComparer.Ordinal).ToArray();

    public IReadOnlyList<BgpRouteView> BgpRoutes(string? peer, bool received) => _backend.Routes(peer, received);

    public BfdPeersView BfdPeers() => new(_backend.BfdSessions().OrderBy(s => s.Peer, StringComparer.Ordinal).ToArray());

    public ConfigView Config() => new(_node, _inForce, _lastChange);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration invalid ({ErrorCount} errors, first: {FirstError}); the last valid configuration stays in force")]
    private static partial void LogInvalid(ILogger logger, int errorCount, string firstError);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration {Generation} applied: {PeersAdded} peers added, {PeersRemoved} removed, {PeersReset} reset, {Announced} routes announced, {Withdrawn} withdrawn")]
    private static partial void LogApplied(ILogger logger, long generation, int peersAdded, int peersRemoved, int peersReset, int announced, int withdrawn);

    [LoggerMessage(Level = LogLevel.Error, Message = "Peer {Peer}: {Action} failed: {Reason}")]
    private static partial void LogStepFailed(ILogger logger, string peer, string action, string reason);
}
