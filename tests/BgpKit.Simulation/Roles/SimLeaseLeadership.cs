using System.Globalization;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.Simulation.Api;

namespace BgpKit.Simulation.Roles;

/// <summary>
/// Leader election on a coordination.k8s.io Lease in the simulated store, with client-go's rules and
/// LeaseLeadership's guard, stepped by the simulation instead of sleeping: a follower takes the Lease once it has
/// seen the record unchanged for the lease duration (on its own clock, counted from when it saw the change);
/// the leader renews every retry period with the Lease's resourceVersion (a stale one gets 409), stops
/// leading when it could not renew within the renew deadline, and may write only while its last accepted renewal
/// was sent less than the renew deadline ago. KubernetesClient's LeaderElector sleeps on the real clock, so it
/// cannot run here; LeaseLeadershipTests cover it against the HTTP fake.
/// </summary>
internal sealed class SimLeaseLeadership : ILeadership
{
    public const string LeaseKey = "Lease/" + Cluster.MetalLbNamespace + "/bgpkit-controller";

    private readonly SimApiServer _server;
    private readonly TimeProvider _time;
    private readonly LeaderElectionTiming _timing;
    private string? _observedRecord;
    private long _observedAt;
    private long? _renewedAt;
    private long _nextTry;
    private bool _leading;
    private bool _retired;

    public SimLeaseLeadership(SimApiServer server, TimeProvider time, string identity, LeaderElectionTiming timing)
    {
        _server = server;
        _time = time;
        Identity = identity;
        _timing = timing;
    }

    public event Action? Changed;

    public string Identity { get; }

    public string? Leader { get; private set; }

    public bool MayWrite => _leading && _renewedAt is { } at && Elapsed(at) < _timing.RenewDeadline;

    public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One round of the elector, when its retry period is due.</summary>
    public void Tick(Action<string> trace)
    {
        var now = _time.GetTimestamp();
        if (_leading && (_renewedAt is not { } renewed || Elapsed(renewed) >= _timing.RenewDeadline))
        {
            trace($"{Identity} could not renew within {_timing.RenewDeadline.TotalSeconds}s: stops leading");
            SetLeading(false);
        }
        if (now < _nextTry || _retired)
        {
            return;
        }
        _nextTry = now + Ticks(_timing.RetryPeriod);
        try
        {
            TryAcquireOrRenew(now, trace);
        }
        catch (KubernetesApiException e)
        {
            trace($"{Identity} lease: {e.StatusCode}");
        }
    }

    private void TryAcquireOrRenew(long now, Action<string> trace)
    {
        var lease = _server.Get(LeaseKey);
        if (lease is null)
        {
            _server.Create(Record(transitions: 0, acquire: true));
            Renewed(now, trace, "created the Lease");
            return;
        }
        var spec = (JsonObject)lease["spec"]!;
        var holder = (string?)spec["holderIdentity"] ?? "";
        var record = spec.ToJsonString();
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = now;
        }
        Leader = holder.Length == 0 ? null : holder;
        var version = long.Parse((string)lease["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);
        var transitions = (int?)spec["leaseTransitions"] ?? 0;
        if (holder != Identity && holder.Length > 0 && Elapsed(_observedAt) < _timing.LeaseDuration)
        {
            if (_leading)
            {
                SetLeading(false);
            }
            return; // Someone else holds it and renewed recently (as far as we have seen).
        }
        var next = Record(holder == Identity ? transitions : transitions + 1, acquire: holder != Identity);
        if (holder == Identity)
        {
            next["spec"]!["acquireTime"] = spec["acquireTime"]?.DeepClone();
        }
        _server.Update(next, version);
        Renewed(now, trace, holder == Identity ? null : $"took the Lease from '{holder}'");
    }

    private void Renewed(long sentAt, Action<string> trace, string? what)
    {
        _renewedAt = sentAt;
        _observedRecord = _server.Get(LeaseKey)!["spec"]!.ToJsonString();
        _observedAt = sentAt;
        Leader = Identity;
        if (what is not null)
        {
            trace($"{Identity} {what}");
        }
        if (!_leading)
        {
            SetLeading(true);
        }
    }

    /// <summary>Graceful stop: the Lease is given up (holderIdentity "") so that another replica takes it at its next try.</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken)
    {
        _retired = true;
        var was = _leading;
        _leading = false;
        _renewedAt = null;
        if (!was)
        {
            return Task.CompletedTask;
        }
        try
        {
            var lease = _server.Get(LeaseKey);
            if (lease is not null && (string?)lease["spec"]!["holderIdentity"] == Identity)
            {
                var version = long.Parse((string)lease["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);
                var released = Record((int?)lease["spec"]!["leaseTransitions"] ?? 0, acquire: false);
                released["spec"]!["holderIdentity"] = "";
                released["spec"]!["leaseDurationSeconds"] = 1;
                _server.Update(released, version);
            }
        }
        catch (KubernetesApiException)
        {
            // Then it simply expires.
        }
        return Task.CompletedTask;
    }

    private JsonObject Record(int transitions, bool acquire)
    {
        var now = _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
        var spec = new JsonObject
        {
            ["holderIdentity"] = Identity,
            ["leaseDurationSeconds"] = (int)_timing.LeaseDuration.TotalSeconds,
            ["renewTime"] = now,
            ["leaseTransitions"] = transitions,
        };
        if (acquire)
        {
            spec["acquireTime"] = now;
        }
        return new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = "bgpkit-controller", ["namespace"] = Cluster.MetalLbNamespace },
            ["spec"] = spec,
        };
    }

    private void SetLeading(bool leading)
    {
        _leading = leading;
        if (!leading)
        {
            _renewedAt = null;
        }
        Changed?.Invoke();
    }

    private TimeSpan Elapsed(long since) => _time.GetElapsedTime(since);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
