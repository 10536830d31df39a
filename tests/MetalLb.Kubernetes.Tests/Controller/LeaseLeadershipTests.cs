using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.TestSupport;
using k8s.LeaderElection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Controller;

/// <summary>
/// The write guard on top of KubernetesClient's LeaderElector: exact boundaries on a manual clock
/// for the guard, and the library's elector (which runs on real time) over an in-memory Lease for
/// acquisition, renewal stalls and release.
/// </summary>
public class LeaseLeadershipTests
{
    private static readonly LeaderElectionTiming Timing = new()
    {
        LeaseDuration = TimeSpan.FromSeconds(15),
        RenewDeadline = TimeSpan.FromSeconds(10),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task The_guard_counts_from_when_the_renewal_was_sent_and_closes_at_the_deadline()
    {
        var time = new ManualTimeProvider();
        var store = new LeaseStore();
        var slow = new MemoryLeaseLock(store, "a") { OnUpdate = () => time.Advance(TimeSpan.FromSeconds(3)) };
        var timed = new RenewalTimedLock(slow, time);
        Assert.Null(timed.SinceRenewal);
        Assert.True(await timed.CreateAsync(Record("a")));
        Assert.Equal(TimeSpan.Zero, timed.SinceRenewal);
        // The renewal takes 3 s to be answered: it counts from when it was sent.
        Assert.True(await timed.UpdateAsync(Record("a")));
        Assert.Equal(TimeSpan.FromSeconds(3), timed.SinceRenewal);
        // Writing someone else's name (a release) closes the guard at once.
        await timed.UpdateAsync(Record(""));
        Assert.Null(timed.SinceRenewal);
    }

    [Fact]
    public async Task A_leader_whose_renewals_stall_stops_writing_at_the_renew_deadline_while_the_elector_still_believes_it_leads()
    {
        var time = new ManualTimeProvider();
        var store = new LeaseStore();
        var frozen = new TaskCompletionSource();
        var @lock = new MemoryLeaseLock(store, "a");
        using var leadership = new LeaseLeadership(@lock, Timing, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = leadership.RunAsync(stop.Token);
        await Poll.UntilAsync(() => leadership.MayWrite, "a leads", TimeSpan.FromSeconds(10));
        @lock.Stall = frozen.Task; // From now on no renewal is answered: as if the process were frozen.
        time.Advance(Timing.RenewDeadline - TimeSpan.FromTicks(1));
        Assert.True(leadership.MayWrite);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.False(leadership.MayWrite);
        Assert.Equal("a", store.Record?.HolderIdentity); // The Lease still names us: only the guard stops the writes.
        frozen.SetResult();
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Release_writes_an_empty_holder_and_the_other_replica_takes_over_at_its_next_retry()
    {
        var store = new LeaseStore();
        using var a = new LeaseLeadership(new MemoryLeaseLock(store, "a"), Timing, TimeProvider.System, NullLogger.Instance);
        using var b = new LeaseLeadership(new MemoryLeaseLock(store, "b"), Timing, TimeProvider.System, NullLogger.Instance);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunAsync(stopA.Token);
        await Poll.UntilAsync(() => a.MayWrite, "a leads", TimeSpan.FromSeconds(10));
        var runB = b.RunAsync(stopB.Token);
        await Poll.UntilAsync(() => b.Leader == "a", "b sees a lead", TimeSpan.FromSeconds(10));
        Assert.False(b.MayWrite);
        await stopA.CancelAsync();
        await runA;
        await a.ReleaseAsync(CancellationToken.None);
        Assert.False(a.MayWrite);
        // Not null: the client's elector would then try to create the Lease, get 409 and never take it.
        Assert.NotNull(store.Record!.HolderIdentity);

        // The lease still had 15 s to run; the release hands it over within a few retry periods.
        await Poll.UntilAsync(() => b.MayWrite, $"b takes over (calls: {string.Join(", ", store.Calls)})", TimeSpan.FromSeconds(5));
        Assert.Equal("b", store.Record!.HolderIdentity);
        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task A_failure_the_elector_lets_escape_starts_the_campaign_again_instead_of_ending_it()
    {
        var store = new LeaseStore();
        var @lock = new MemoryLeaseLock(store, "a") { Throw = new System.Text.Json.JsonException("'<' is an invalid start of a value") };
        using var leadership = new LeaseLeadership(@lock, Timing, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = leadership.RunAsync(stop.Token);
        await Poll.UntilAsync(() => @lock.Failures >= 2, "two campaigns", TimeSpan.FromSeconds(10));
        Assert.False(run.IsCompleted);
        @lock.Throw = null;
        await Poll.UntilAsync(() => leadership.MayWrite, "the lease once the server answers again", TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public void Timing_follows_client_go_rules()
    {
        Assert.Throws<ArgumentException>(() => new LeaderElectionTiming { RenewDeadline = TimeSpan.FromSeconds(15) }.Validate());
        Assert.Throws<ArgumentException>(() => new LeaderElectionTiming { RetryPeriod = TimeSpan.FromSeconds(9) }.Validate());
        Assert.Throws<ArgumentException>(() => new LeaderElectionTiming { LeaseDuration = TimeSpan.FromMilliseconds(15500) }.Validate());
        new LeaderElectionTiming().Validate();
    }

    private static LeaderElectionRecord Record(string holder) => new()
    {
        HolderIdentity = holder,
        LeaseDurationSeconds = 15,
        AcquireTime = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc),
        RenewTime = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc),
    };

    /// <summary>One Lease shared by the replicas of a test, with the API server's optimistic concurrency.</summary>
    private sealed class LeaseStore
    {
        public object Gate { get; } = new();

        public LeaderElectionRecord? Record { get; set; }

        public int Version { get; set; }

        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();
    }

    private sealed class MemoryLeaseLock(LeaseStore store, string identity) : ILock
    {
        private int _seen = -1;

        public Action? OnUpdate { get; init; }

        public Task? Stall { get; set; }

        public string Identity => identity;

        public string Describe() => "test/lease";

        public Exception? Throw { get; set; }

        public int Failures { get; private set; }

        public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default)
        {
            if (Throw is { } failure)
            {
                Failures++;
                throw failure;
            }
            lock (store.Gate)
            {
                store.Calls.Enqueue($"{identity} get v{store.Version} {store.Record?.HolderIdentity}");
                _seen = store.Version;
                return Task.FromResult(Copy(store.Record)!);
            }
        }

        public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
        {
            lock (store.Gate)
            {
                if (store.Record is not null)
                {
                    return Task.FromResult(false); // 409 AlreadyExists
                }
                store.Record = Copy(record);
                _seen = ++store.Version;
                return Task.FromResult(true);
            }
        }

        public async Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
        {
            store.Calls.Enqueue($"{identity} update {record.HolderIdentity}");
            if (Stall is { } stall)
            {
                await stall.WaitAsync(cancellationToken);
            }
            OnUpdate?.Invoke();
            lock (store.Gate)
            {
                if (_seen != store.Version)
                {
                    return false; // 409 Conflict: the Lease changed since we read it.
                }
                store.Record = Copy(record);
                _seen = ++store.Version;
                return true;
            }
        }

        private static LeaderElectionRecord? Copy(LeaderElectionRecord? r) => r is null ? null : new LeaderElectionRecord
        {
            HolderIdentity = r.HolderIdentity,
            LeaseDurationSeconds = r.LeaseDurationSeconds,
            AcquireTime = r.AcquireTime,
            RenewTime = r.RenewTime,
            LeaderTransitions = r.LeaderTransitions,
        };
    }
}
