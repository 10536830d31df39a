using System.Net;
using BgpKit.MetalLb.Kubernetes.NodeStatus;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.MetalLb.Model;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>
/// The speaker's layer 2 loop: every renew interval (and whenever the configuration changes) it renews
/// this node's liveness, reads which speakers are alive, elects each layer 2 Service's owner from the plan
/// in force (<see cref="Layer2ServicePlan.Owner"/>, the same on every node) and makes the announcer answer
/// for exactly the addresses this node owns. Taking an address from a node that is still alive (it came
/// back, or this node just started) waits <see cref="Layer2Timing.HandoffDelay"/> so that the old owner
/// has stopped first: two nodes never answer at once. Taking one from a dead node is immediate.
/// </summary>
internal sealed partial class Layer2Speaker : IDisposable
{
    private readonly string _node;
    private readonly Func<IReadOnlyList<Layer2ServicePlan>> _plans;
    private readonly ISpeakerLiveness _liveness;
    private readonly ILayer2Announcer _announcer;
    private readonly Layer2Timing _timing;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Dictionary<string, string?> _lastOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _claimAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> _claimed = new(StringComparer.Ordinal);
    private long? _startedAt;
    private string? _liveText;
    private volatile Layer2View _view = Layer2View.Empty;
    private volatile IReadOnlyList<Layer2OwnedService> _owned = [];

    public Layer2Speaker(string node, Func<IReadOnlyList<Layer2ServicePlan>> plans, ISpeakerLiveness liveness, ILayer2Announcer announcer,
        Layer2Timing timing, TimeProvider time, ILogger logger)
    {
        _node = node;
        _plans = plans;
        _liveness = liveness;
        _announcer = announcer;
        _timing = timing;
        _time = time;
        _logger = logger;
        _view = new Layer2View(node, [], []);
    }

    /// <summary>Raised after a pass that changed which Services this node owns or where it answers.</summary>
    public event Action? OwnedChanged;

    /// <summary>What <c>show l2</c> prints.</summary>
    public Layer2View View => _view;

    /// <summary>The Services this node answers for, with their interfaces (for ServiceL2Status).</summary>
    public IReadOnlyList<Layer2OwnedService> Owned => _owned;

    /// <summary>Asks for a pass now (the configuration changed).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var live = await _liveness.RefreshAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    Pass(live);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug or a broken capture library must not take down BGP; the next pass tries again.
                    LogPassFailed(_logger, e.Message);
                }
                using var interval = new CancellationTokenSource(_timing.RenewInterval, _time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interval.Token);
                try
                {
                    await _wake.WaitAsync(either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Stop answering first, then tell the others, so that they take over without overlap.
            _announcer.Apply(new Dictionary<IPAddress, Layer2Candidate>());
            await _liveness.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>One election over the plan in force with <paramref name="live"/> (null: every candidate is alive).</summary>
    internal void Pass(IReadOnlySet<string>? live)
    {
        var now = _time.GetTimestamp();
        _startedAt ??= now;
        var liveText = live is null ? "all" : string.Join(",", live.Order(StringComparer.Ordinal));
        if (liveText != _liveText)
        {
            _liveText = liveText;
            LogLive(_logger, liveText);
        }
        var owned = new Dictionary<IPAddress, Layer2Candidate>();
        var lines = new List<(Layer2ServicePlan Plan, IPAddress Address, string? Owner, string Reason)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var plans = _plans();
        foreach (var plan in plans)
        {
            var key = plan.Namespace + "/" + plan.Name;
            seen.Add(key);
            var alive = live ?? plan.Candidates.Select(c => c.Node).ToHashSet(StringComparer.Ordinal);
            var owner = plan.Owner(alive);
            _lastOwner.TryGetValue(key, out var previous);
            string reason;
            if (owner?.Node != _node)
            {
                _claimAt.Remove(key);
                if (_claimed.Remove(key))
                {
                    LogReleased(_logger, key, owner?.Node ?? "none");
                }
                reason = NotOwner(plan, owner, alive);
            }
            else if (_claimed.Contains(key))
            {
                reason = "owner: first of the live candidates in MetalLB's order";
            }
            else
            {
                // A live previous owner, or (just started) possibly one this node has not seen answer: let it stop first.
                bool handoff = live is not null && ((previous is not null && previous != _node && live.Contains(previous))
                    || (previous is null && _time.GetElapsedTime(_startedAt.Value, now) < _timing.HandoffDelay && plan.Candidates.Any(c => c.Node != _node && live.Contains(c.Node))));
                if (!_claimAt.TryGetValue(key, out var at))
                {
                    _claimAt[key] = at = handoff ? now + (long)(_timing.HandoffDelay.TotalSeconds * _time.TimestampFrequency) : now;
                }
                if (now >= at)
                {
                    _claimAt.Remove(key);
                    _claimed.Add(key);
                    LogClaimed(_logger, key, previous ?? "none");
                    reason = "owner: first of the live candidates in MetalLB's order";
                }
                else
                {
                    reason = $"elected; waiting for {previous ?? "the previous owner"} to stop answering";
                }
            }
            _lastOwner[key] = owner?.Node;
            if (_claimed.Contains(key))
            {
                foreach (var address in plan.Addresses)
                {
                    owned[address] = owner!;
                }
            }
            foreach (var address in plan.Addresses)
            {
                lines.Add((plan, address, owner?.Node, reason));
            }
        }
        foreach (var gone in _lastOwner.Keys.Where(k => !seen.Contains(k)).ToArray())
        {
            _lastOwner.Remove(gone);
            _claimAt.Remove(gone);
            _claimed.Remove(gone);
        }
        var used = _announcer.Apply(owned);
        var views = lines.Select(l =>
        {
            var answering = used.TryGetValue(l.Address, out var on);
            return new Layer2AddressView(l.Address.ToString(), l.Plan.Namespace + "/" + l.Plan.Name, l.Owner, answering,
                answering ? on! : [], answering && on!.Count == 0 ? l.Reason + "; but no allowed interface can answer" : l.Reason);
        }).ToArray();
        _view = new Layer2View(_node, live?.Order(StringComparer.Ordinal).ToArray(), views);
        var ownedServices = plans.Where(p => _claimed.Contains(p.Namespace + "/" + p.Name))
            .Select(p => new Layer2OwnedService(p.Namespace, p.Name,
                p.Addresses.SelectMany(a => used.GetValueOrDefault(a) ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()))
            .ToArray();
        if (!ownedServices.SequenceEqual(_owned, OwnedComparer.Instance))
        {
            _owned = ownedServices;
            OwnedChanged?.Invoke();
        }
    }

    private string NotOwner(Layer2ServicePlan plan, Layer2Candidate? owner, IReadOnlySet<string> alive)
    {
        if (!plan.Reasons.TryGetValue(_node, out var why))
        {
            why = "this node is not in the cluster's Node list";
        }
        if (why != "candidate")
        {
            return "not a candidate: " + why;
        }
        if (!alive.Contains(_node))
        {
            return "not owner: this node's speaker Lease is not renewed";
        }
        return owner is null ? "no live candidate" : $"not owner: {owner.Node} comes first in MetalLB's order among the live candidates";
    }

    public void Dispose()
    {
        _announcer.Dispose();
        _wake.Dispose();
    }

    private sealed class OwnedComparer : IEqualityComparer<Layer2OwnedService>
    {
        public static readonly OwnedComparer Instance = new();

        public bool Equals(Layer2OwnedService? x, Layer2OwnedService? y) =>
            x is not null && y is not null && x.Namespace == y.Namespace && x.Name == y.Name && x.Interfaces.SequenceEqual(y.Interfaces, StringComparer.Ordinal);

        public int GetHashCode(Layer2OwnedService obj) => HashCode.Combine(obj.Namespace, obj.Name);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Layer 2: election pass failed: {Error}")]
    private static partial void LogPassFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Layer 2: live speakers {Live}")]
    private static partial void LogLive(ILogger logger, string live);

    [LoggerMessage(Level = LogLevel.Information, Message = "Layer 2: this node owns {Service} now (previous owner {Previous})")]
    private static partial void LogClaimed(ILogger logger, string service, string previous);

    [LoggerMessage(Level = LogLevel.Information, Message = "Layer 2: {Service} moves to {Owner}")]
    private static partial void LogReleased(ILogger logger, string service, string owner);
}
