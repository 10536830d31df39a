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
    private long _armedFor;

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
        var due = _time.GetTimestamp() + (long)(after.TotalSeconds * _time.TimestampFrequency);
        if (Running && _timer is not null && _armedFor <= due)
        {
            // A restart that only moves the deadline later (the HoldTimer on every UPDATE and KEEPALIVE) keeps the
            // armed timer: when it fires, Expire sees the deadline has moved and arms it again for the rest. Creating
            // a timer per UPDATE cost an allocation and two trips through the runtime's timer queue lock.
            DueTimestamp = due;
            return;
        }
        Running = true;
        DueTimestamp = due;
        Arm(after);
    }

    private void Arm(TimeSpan after)
    {
        var generation = Interlocked.Increment(ref _generation);
        _armedFor = DueTimestamp;
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
        _armedFor = 0;
    }

    /// <summary>Called by the owner loop when a firing arrives: true if it is the live one.</summary>
    public bool Expire(long generation)
    {
        if (generation != Generation || !Running)
        {
            return false;
        }
        var now = _time.GetTimestamp();
        if (now < DueTimestamp)
        {
            // Restarted after it was armed (see Start): not expired, wait for the rest.
            // Rounded up, so that the next firing is never before the deadline (a fake clock would spin here).
            var ticks = (long)Math.Ceiling((double)(DueTimestamp - now) * TimeSpan.TicksPerSecond / _time.TimestampFrequency);
            Arm(TimeSpan.FromTicks(Math.Max(ticks, 1)));
            return false;
        }
        Running = false;
        _timer?.Dispose();
        _timer = null;
        _armedFor = 0;
        return true;
    }

    public void Dispose() => Stop();
}
