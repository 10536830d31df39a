using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease with KubernetesClient's
/// <see cref="LeaderElector"/> and <see cref="LeaseLock"/>, plus the guard the client lacks: this
/// replica may write only while it leads <em>and</em> its last accepted renewal was sent less than
/// the renew deadline ago on the injected clock (so a replica frozen past its lease and resumed
/// writes nothing, whatever the elector still believes). On shutdown the Lease is released with
/// <c>holderIdentity: ""</c> (not null: the elector would then try to create the Lease, get 409
/// and never acquire it), so the other replica takes over at its next retry.
/// </summary>
internal sealed partial class LeaseLeadership : ILeadership, IDisposable
{
    private readonly RenewalTimedLock _lock;
    private readonly LeaderElectionTiming _timing;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LeaderElector _elector;
    private volatile bool _leading;
    private volatile string? _leader;

    public LeaseLeadership(IKubernetes client, string @namespace, string name, string identity, LeaderElectionTiming timing, TimeProvider time, ILogger logger)
        : this(new LeaseLock(client, @namespace, name, identity), timing, time, logger)
    {
    }

    // For testing.
    internal LeaseLeadership(ILock @lock, LeaderElectionTiming timing, TimeProvider time, ILogger logger)
    {
        timing.Validate();
        _lock = new RenewalTimedLock(@lock, time);
        _timing = timing;
        _logger = logger;
        _time = time;
        _elector = new LeaderElector(new LeaderElectionConfig(_lock)
        {
            LeaseDuration = timing.LeaseDuration,
            RenewDeadline = timing.RenewDeadline,
            RetryPeriod = timing.RetryPeriod,
        });
        _elector.OnStartedLeading += () =>
        {
            _leading = true;
            LogStarted(_logger, _lock.Identity, _lock.Describe());
            Changed?.Invoke();
        };
        _elector.OnStoppedLeading += () =>
        {
            _leading = false;
            _lock.Invalidate();
            LogStopped(_logger, _lock.Identity);
            Changed?.Invoke();
        };
        _elector.OnNewLeader += leader =>
        {
            // A released Lease names no one ("", not null: see ReleaseAsync); that is no leader, not a leader called "".
            _leader = string.IsNullOrEmpty(leader) ? null : leader;
            if (_leader is null)
            {
                LogNoLeader(_logger);
            }
            else
            {
                LogNewLeader(_logger, leader);
            }
        };
        _elector.OnError += e => LogError(_logger, e.GetType().Name, e.Message);
    }

    public event Action? Changed;

    public string Identity => _lock.Identity;

    public string? Leader => _leading ? _lock.Identity : _leader ?? (_elector.GetLeader() is { Length: > 0 } leader ? leader : null);

    public bool MayWrite => _leading && _lock.SinceRenewal is { } since && since < _timing.RenewDeadline;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _elector.RunAndTryToHoldLeadershipForeverAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The elector lets some failures escape (an answer that is not JSON, from a proxy in front of the
                // API server, say): the campaign starts again after a retry period instead of ending the process.
                _leading = false;
                _lock.Invalidate();
                LogCampaignFailed(_logger, e.GetType().Name, e.Message);
                try
                {
                    await Task.Delay(_timing.RetryPeriod, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        _leading = false;
        _lock.Retire();
        try
        {
            var current = await _lock.GetAsync(cancellationToken).ConfigureAwait(false);
            if (current?.HolderIdentity != _lock.Identity)
            {
                return;
            }
            var now = _time.GetUtcNow().UtcDateTime;
            var released = await _lock.UpdateAsync(new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = current.LeaderTransitions,
            }, cancellationToken).ConfigureAwait(false);
            if (released)
            {
                LogReleased(_logger, _lock.Identity, _lock.Describe());
            }
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            // The Lease then simply expires.
            LogError(_logger, e.GetType().Name, e.Message);
        }
    }

    public void Dispose() => _elector.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} is now the leader (Lease {Lease})")]
    private static partial void LogStarted(ILogger logger, string identity, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} stopped leading; it writes nothing until it leads again")]
    private static partial void LogStopped(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "The leader is {Leader}")]
    private static partial void LogNewLeader(ILogger logger, string leader);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Lease was released; no replica leads until one takes it")]
    private static partial void LogNoLeader(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released the Lease {Lease}")]
    private static partial void LogReleased(ILogger logger, string identity, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election failed ({Type}: {Reason}); campaigning again")]
    private static partial void LogCampaignFailed(ILogger logger, string type, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Leader election: {Type}: {Reason}")]
    private static partial void LogError(ILogger logger, string type, string reason);
}
