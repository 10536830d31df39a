using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>Which speakers are alive, as this node sees them.</summary>
internal interface ISpeakerLiveness
{
    /// <summary>Renews this node's own liveness and reads the others'; returns the nodes alive now, or null when every node counts as alive.</summary>
    Task<IReadOnlySet<string>?> RefreshAsync(CancellationToken cancellationToken);

    /// <summary>Withdraws this node at once (a graceful stop), so that the others take over without waiting for expiry.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}

/// <summary>Without an API server (manifests), every candidate counts as alive, as MetalLB assumes with memberlist off.</summary>
internal sealed class EveryNodeAlive : ISpeakerLiveness
{
    public Task<IReadOnlySet<string>?> RefreshAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlySet<string>?>(null);

    public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Speaker liveness without memberlist: each speaker renews its own <c>coordination.k8s.io/v1</c> Lease
/// (<c>bgpkit-speaker-NODE</c>, label <see cref="Label"/>) every refresh, and lists them all. Another node
/// is alive while its Lease's <c>renewTime</c> changed, as seen by this node's clock, less than the lease
/// duration ago (clocks of different nodes are never compared, as client-go's leader election does); a Lease
/// seen for the first time counts from then, unless its renewTime is already older than the lease duration. This node counts itself alive only until its renew
/// deadline (lease duration less two refresh periods) after its last accepted renewal, so it stops
/// answering before any other node can consider it dead and take over.
/// </summary>
internal sealed partial class SpeakerLeases : ISpeakerLiveness
{
    public const string Label = "bgpkit.io/speaker-lease";
    public const string NamePrefix = "bgpkit-speaker-";

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _node;
    private readonly Layer2Timing _timing;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, (string Renewed, long SeenAt)> _seen = new(StringComparer.Ordinal);
    private long? _renewedAt;
    private V1Lease? _own;

    public SpeakerLeases(IKubernetes client, string @namespace, string node, Layer2Timing timing, TimeProvider time, ILogger logger)
    {
        _client = client;
        _namespace = @namespace;
        _node = node;
        _timing = timing;
        _time = time;
        _logger = logger;
    }

    public string LeaseName => NamePrefix + _node;

    public async Task<IReadOnlySet<string>?> RefreshAsync(CancellationToken cancellationToken)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        V1LeaseList leases;
        try
        {
            leases = await _client.CoordinationV1.ListNamespacedLeaseAsync(_namespace, labelSelector: Label, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            LogFailed(_logger, "list", e.Message);
            return Alive(live, renewed: false);
        }
        var now = _time.GetTimestamp();
        var wallNow = _time.GetUtcNow();
        V1Lease? own = null;
        foreach (var lease in leases.Items)
        {
            if (lease.Metadata.Name == LeaseName)
            {
                own = lease; // Renewed below, also when this node released it before a restart.
                continue;
            }
            var holder = lease.Spec?.HolderIdentity;
            if (string.IsNullOrEmpty(holder))
            {
                continue; // Released on a graceful stop.
            }
            var renewed = lease.Spec!.RenewTime?.ToString("O", CultureInfo.InvariantCulture) ?? "";
            if (!_seen.TryGetValue(holder, out var seen) || seen.Renewed != renewed)
            {
                // First sight counts from the renewTime itself (a Lease left by a dead speaker is not revived);
                // a change counts from now, on this node's clock.
                var seenAt = now;
                if (!_seen.ContainsKey(holder) && lease.Spec.RenewTime is { } at)
                {
                    var age = wallNow - new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
                    if (age > _timing.LeaseDuration)
                    {
                        seenAt = now - (long)(_timing.LeaseDuration.TotalSeconds * _time.TimestampFrequency) - 1;
                    }
                }
                _seen[holder] = seen = (renewed, seenAt);
            }
            if (_time.GetElapsedTime(seen.SeenAt, now) < _timing.LeaseDuration)
            {
                live.Add(holder);
            }
        }
        var ok = await RenewAsync(own, wallNow, cancellationToken).ConfigureAwait(false);
        return Alive(live, ok);
    }

    private IReadOnlySet<string> Alive(HashSet<string> live, bool renewed)
    {
        var now = _time.GetTimestamp();
        if (renewed)
        {
            _renewedAt = now;
        }
        if (_renewedAt is { } at && _time.GetElapsedTime(at, now) < _timing.RenewDeadline)
        {
            live.Add(_node);
        }
        return live;
    }

    private async Task<bool> RenewAsync(V1Lease? own, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var spec = new V1LeaseSpec
        {
            HolderIdentity = _node,
            LeaseDurationSeconds = (int)Math.Ceiling(_timing.LeaseDuration.TotalSeconds),
            RenewTime = now.UtcDateTime,
            AcquireTime = own?.Spec?.HolderIdentity == _node ? own.Spec.AcquireTime ?? now.UtcDateTime : now.UtcDateTime,
        };
        try
        {
            if (own is null)
            {
                var lease = new V1Lease
                {
                    ApiVersion = "coordination.k8s.io/v1",
                    Kind = "Lease",
                    Metadata = new V1ObjectMeta { Name = LeaseName, NamespaceProperty = _namespace, Labels = new Dictionary<string, string> { [Label] = "true" } },
                    Spec = spec,
                };
                _own = await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                own.Spec = spec;
                _own = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(own, LeaseName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            return true;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            // A conflict (409) means another write got in first: re-read at the next refresh, never overwrite.
            LogFailed(_logger, "renew", e.Message);
            return false;
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        _renewedAt = null;
        if (_own is not { } own)
        {
            return;
        }
        try
        {
            // The last version this node wrote: a conflict means someone else wrote since, and then it expires instead.
            own.Spec ??= new V1LeaseSpec();
            own.Spec.HolderIdentity = "";
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(own, LeaseName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogFailed(_logger, "release", e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Layer 2: speaker Lease {Operation} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string operation, string error);
}

/// <summary>
/// Layer 2 timings: how often a speaker renews its Lease and re-reads the others' (<see cref="RenewInterval"/>),
/// and how long a Lease stays valid (<see cref="LeaseDuration"/>). A dead speaker's addresses move within
/// about LeaseDuration + RenewInterval.
/// </summary>
internal sealed record Layer2Timing(TimeSpan LeaseDuration, TimeSpan RenewInterval)
{
    public static readonly Layer2Timing Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));

    /// <summary>This node stops answering once its last accepted renewal is this old: two refreshes before anyone else may take over.</summary>
    public TimeSpan RenewDeadline => LeaseDuration - (2 * RenewInterval);

    /// <summary>
    /// How long a node waits before answering for an address that a live node owned until now (a
    /// restart, a new node): two refreshes, so the old owner has seen the change and stopped first.
    /// </summary>
    public TimeSpan HandoffDelay => 2 * RenewInterval + TimeSpan.FromMilliseconds(500);

    public void Validate()
    {
        if (RenewInterval <= TimeSpan.Zero || LeaseDuration < 3 * RenewInterval)
        {
            throw new ArgumentException($"the layer 2 lease duration ({LeaseDuration.TotalSeconds} s) must be at least three renew intervals ({RenewInterval.TotalSeconds} s)");
        }
    }
}
