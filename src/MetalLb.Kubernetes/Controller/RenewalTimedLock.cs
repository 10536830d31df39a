using k8s.LeaderElection;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// Wraps the Lease lock and notes, on the injected clock, when each successful acquisition or
/// renewal was <em>sent</em>. The client's <c>LeaderElector.IsLeader()</c> only looks at the last
/// Lease record it read, which stays "us" through a SIGSTOP of any length; the time since the last
/// renewal that the server accepted, counted from before the request left, is what bounds how long
/// this replica can still be the only leader.
/// </summary>
internal sealed class RenewalTimedLock : ILock
{
    private readonly ILock _inner;
    private readonly TimeProvider _time;
    private long _renewedAt;   // GetTimestamp() before the last successful create/update of our own record
    private int _valid;        // 1 once a renewal succeeded and until Invalidate
    private int _retired;      // 1 once the Lease is being released: our name is never written again

    public RenewalTimedLock(ILock inner, TimeProvider time)
    {
        _inner = inner;
        _time = time;
    }

    public string Identity => _inner.Identity;

    /// <summary>Time since the last successful renewal was sent; null when there is none.</summary>
    public TimeSpan? SinceRenewal => Volatile.Read(ref _valid) == 1 ? _time.GetElapsedTime(Interlocked.Read(ref _renewedAt)) : null;

    public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => _inner.GetAsync(cancellationToken);

    public async Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
    {
        if (Refuses(record, cancellationToken))
        {
            return false;
        }
        var sent = _time.GetTimestamp();
        var created = await _inner.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        Note(record, created, sent);
        return created;
    }

    public async Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
    {
        if (Refuses(record, cancellationToken))
        {
            return false;
        }
        var sent = _time.GetTimestamp();
        var updated = await _inner.UpdateAsync(record, cancellationToken).ConfigureAwait(false);
        Note(record, updated, sent);
        return updated;
    }

    /// <summary>
    /// From now on, never writes our own name: the elector's renew task is not awaited when its
    /// loop is cancelled, and one renewal already under way would otherwise take back the Lease
    /// we are releasing (seen in tests: released, then re-acquired a millisecond later).
    /// </summary>
    public void Retire()
    {
        Volatile.Write(ref _retired, 1);
        Invalidate();
    }

    private bool Refuses(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return record.HolderIdentity == Identity && Volatile.Read(ref _retired) == 1;
    }

    /// <summary>Forgets the last renewal: nothing may be written until the next one.</summary>
    public void Invalidate() => Volatile.Write(ref _valid, 0);

    public string Describe() => _inner.Describe();

    private void Note(LeaderElectionRecord record, bool succeeded, long sent)
    {
        if (succeeded && record.HolderIdentity == Identity)
        {
            Interlocked.Exchange(ref _renewedAt, sent);
            Volatile.Write(ref _valid, 1);
        }
        else if (record.HolderIdentity != Identity)
        {
            Invalidate(); // We wrote someone else's (or no one's) name: we no longer hold it.
        }
    }
}
