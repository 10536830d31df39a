using System.Threading.Channels;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>
/// Publishes this node's ServiceBGPStatus, BGPSessionState and ConfigurationState objects,
/// level-triggered: a pass reads what the node runs now, plans the objects it should have
/// (<see cref="NodeStatusPlanner"/>) and writes the difference against what it last listed or
/// wrote, one write at a time, re-reading before each so the latest state always wins. Writes are
/// bounded by a <see cref="WriteRateLimit"/>: a flapping peer coalesces into a handful of writes,
/// and the pass that ends the burst writes the final state. The first pass reads the Node's uid
/// (owner references) and lists the node's existing objects, so a restart updates them rather
/// than duplicating them; a failed write lists again before the retry. A kind whose LIST answers
/// 404 (its CRD is not installed: FRR-K8s's BGPSessionState beside MetalLB's native BGP) is left
/// out until a later list finds it, so the other kinds are still published.
/// </summary>
internal sealed partial class NodeStatusPublisher
{
    private readonly string _namespace;
    private readonly string _node;
    private readonly Func<NodeObservation> _observe;
    private readonly INodeStatusWriter _writer;
    private readonly WriteRateLimit _limit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private NodeOwner? _owner;
    private List<ExistingNodeStatus>? _known;
    private SetConfigurationState? _stateWritten;
    private TimeSpan _retryDelay;
    private volatile bool _relist;
    private readonly HashSet<NodeStatusKind> _absent = [];

    public NodeStatusPublisher(string @namespace, string node, Func<NodeObservation> observe, INodeStatusWriter writer, WriteRateLimit limit, TimeProvider time, ILogger logger)
    {
        _namespace = @namespace;
        _node = node;
        _observe = observe;
        _writer = writer;
        _limit = limit;
        _time = time;
        _logger = logger;
        _retryDelay = InitialRetryDelay;
    }

    /// <summary>The first delay after a failed call, doubling up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the node's objects are listed again, to repair what someone else changed.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Writes that succeeded (creates, status updates, deletes, ConfigurationStates).</summary>
    public long WriteCount { get; private set; }

    /// <summary>Something the node runs changed: a pass is due.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>The next pass lists this node's objects again (every <see cref="ResyncInterval"/>).</summary>
    internal void Resync()
    {
        _relist = true;
        Wake();
    }

    /// <summary>Runs passes on every <see cref="Wake"/>, after throttling and failures, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var resync = _time.CreateTimer(_ => Resync(), null, ResyncInterval, ResyncInterval);
        Wake();
        try
        {
            while (true)
            {
                await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (await PassAsync(cancellationToken).ConfigureAwait(false) is { } again)
                {
                    _ = Task.Delay(again, _time, cancellationToken).ContinueWith(_ => Wake(), TaskScheduler.Default);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled, or an API error that arrived just as it was (a pass lets errors pass while cancelled):
            // either way the host asked to stop.
        }
    }

    /// <summary>
    /// One pass: writes until the cluster matches what the node runs, or the rate bound or a failure
    /// stops it. Returns null when done, else when the next pass is due.
    /// </summary>
    internal async Task<TimeSpan?> PassAsync(CancellationToken cancellationToken)
    {
        try
        {
            _owner ??= await _writer.ReadNodeAsync(_node, cancellationToken).ConfigureAwait(false);
            if (_known is null || _relist)
            {
                _relist = false;
                var listed = new List<ExistingNodeStatus>();
                foreach (var kind in NodeStatusKind.All)
                {
                    try
                    {
                        listed.AddRange(await _writer.ListAsync(kind, _node, cancellationToken).ConfigureAwait(false));
                        _absent.Remove(kind);
                    }
                    catch (KubernetesApiException e) when (e.StatusCode == 404)
                    {
                        if (_absent.Add(kind))
                        {
                            LogKindAbsent(_logger, kind.Kind, kind.ApiVersion);
                        }
                    }
                }
                _known = listed;
            }
            while (true)
            {
                var observation = _observe();
                var state = NodeStatusPlanner.ConfigurationState(_namespace, _node, observation.Configuration, _owner);
                var stateDue = state is not null && (_stateWritten is null || _stateWritten.Valid != state.Valid || _stateWritten.ErrorSummary != state.ErrorSummary);
                var desired = NodeStatusPlanner.Desired(_node, observation).Where(d => !_absent.Contains(d.Kind)).ToArray();
                var write = NodeStatusPlanner.Writes(desired, _known!).FirstOrDefault();
                if (write is null && !stateDue)
                {
                    _retryDelay = InitialRetryDelay;
                    return null;
                }
                if (!_limit.TryTake(out var wait))
                {
                    LogThrottled(_logger, (long)wait.TotalMilliseconds);
                    return wait;
                }
                if (write is null)
                {
                    await _writer.WriteAsync(state!, cancellationToken).ConfigureAwait(false);
                    _stateWritten = state;
                }
                else
                {
                    await ApplyAsync(write, cancellationToken).ConfigureAwait(false);
                }
                WriteCount++;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A refusal (KubernetesApiException: our view may be old, a 404 or a 409), the network, a
            // client timeout, an answer we cannot read: list again before the retry. Publishing status
            // must never stop the speaker, whose sessions matter more than their reports.
            var delay = _retryDelay;
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            _known = null;
            LogFailed(_logger, e.Message, (long)delay.TotalMilliseconds);
            return delay;
        }
    }

    private async Task ApplyAsync(NodeStatusWrite write, CancellationToken cancellationToken)
    {
        var known = _known!;
        switch (write)
        {
            case CreateNodeStatus c:
                var name = await _writer.CreateAsync(c.Desired, _owner!, cancellationToken).ConfigureAwait(false);
                // Created without status: the next write of this pass gives it one.
                known.Add(new ExistingNodeStatus(c.Desired.Kind, name, c.Desired.Key, null));
                LogCreated(_logger, c.Desired.Kind.Kind, name, c.Desired.Key);
                break;
            case SetNodeStatus s:
                await _writer.SetStatusAsync(s.Name, s.Desired, cancellationToken).ConfigureAwait(false);
                known.RemoveAll(e => e.Kind == s.Desired.Kind && e.Name == s.Name);
                known.Add(new ExistingNodeStatus(s.Desired.Kind, s.Name, s.Desired.Key, s.Desired));
                break;
            case DeleteNodeStatus d:
                await _writer.DeleteAsync(d.Kind, d.Name, cancellationToken).ConfigureAwait(false);
                known.RemoveAll(e => e.Kind == d.Kind && e.Name == d.Name);
                LogDeleted(_logger, d.Kind.Kind, d.Name);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} ({ApiVersion}) is not served (404: its CRD is not installed); not publishing it until a later list finds it")]
    private static partial void LogKindAbsent(ILogger logger, string kind, string apiVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Created {Kind} {Name} for {Key}")]
    private static partial void LogCreated(ILogger logger, string kind, string name, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Kind} {Name}")]
    private static partial void LogDeleted(ILogger logger, string kind, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status writes throttled; the latest state is written in {DelayMs} ms")]
    private static partial void LogThrottled(ILogger logger, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing this node's status failed: {Reason}; listing again in {DelayMs} ms")]
    private static partial void LogFailed(ILogger logger, string reason, long delayMs);
}
