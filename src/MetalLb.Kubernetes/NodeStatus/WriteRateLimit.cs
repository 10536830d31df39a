namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>
/// At most <c>perSecond</c> writes a second after a burst of <c>burst</c>, as client-go's token
/// bucket allows, kept as one theoretical arrival time in whole ticks (GCRA) so that tests see
/// exact boundaries: with an empty bucket the next write is allowed exactly one interval after the
/// last, not a tick before. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class WriteRateLimit
{
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly long _interval;
    private readonly long _tolerance;
    private long _arrival;

    public WriteRateLimit(int perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _time = time;
        _start = time.GetTimestamp();
        _interval = TimeSpan.TicksPerSecond / perSecond;
        _tolerance = _interval * (burst - 1);
    }

    /// <summary>Takes one write's token; false, with how long until the next one, when none is left.</summary>
    public bool TryTake(out TimeSpan wait)
    {
        var now = _time.GetElapsedTime(_start).Ticks;
        var allowedFrom = _arrival - _tolerance;
        if (now < allowedFrom)
        {
            wait = TimeSpan.FromTicks(allowedFrom - now);
            return false;
        }
        _arrival = Math.Max(_arrival, now) + _interval;
        wait = TimeSpan.Zero;
        return true;
    }
}
