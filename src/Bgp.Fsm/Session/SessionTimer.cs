namespace BgpKit.Bgp.Fsm;

/// <summary>
/// One RFC 4271 timer of a session (ConnectRetryTimer, HoldTimer, KeepaliveTimer, DelayOpenTimer,
/// IdleHoldTimer, SendHoldTimer) on the injected <see cref="TimeProvider"/>. Expiry only posts to
/// the owner loop; a restart bumps the generation so that a firing already queued is ignored.
/// </summary>
internal sealed class SessionTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action<SessionTimer, long> _post;
    private ITimer? _timer;
    private long _generation;

    public SessionTimer(string name, TimeProvider time, Action<SessionTimer, long> post)
    {
        Name = name;
        _time = time;
        _post = post;
    }

    public string Name { get; }

    public bool Running { get; private set; }

    /// <summary>When it fires (TimeProvider timestamp), for status and tests.</summary>
    public long DueTimestamp { get; private set; }

    public long Generation => Interlocked.Read(ref _generation);

    public void Start(TimeSpan after)
    {
        var generation = Interlocked.Increment(ref _generation);
        Running = true;
        DueTimestamp = _time.GetTimestamp() + (long)(after.TotalSeconds * _time.TimestampFrequency);
        _timer?.Dispose();
        _timer = _time.CreateTimer(static s =>
        {
            var (self, g) = ((SessionTimer, long))s!;
            self._post(self, g);
        }, (this, generation), after, Timeout.InfiniteTimeSpan);
    }

    public void Stop()
    {
        Interlocked.Increment(ref _generation);
        Running = false;
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>Called by the owner loop when a firing arrives: true if it is the live one.</summary>
    public bool Expire(long generation)
    {
        if (generation != Generation || !Running)
        {
            return false;
        }
        Running = false;
        return true;
    }

    public void Dispose() => Stop();
}
