namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The IdleHoldTime of a session that restarts automatically (RFC 4271 section 8.1.1,
/// DampPeerOscillations): <c>initial * 2^failures</c>, capped at <c>max</c>, with up to 10 %
/// jitter taken off (RFC 4271 section 10) so that many peers do not retry in lock step.
/// The failure count resets once a session has stayed Established for <c>max</c>.
/// </summary>
internal sealed class IdleHoldBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private int _failures;

    public IdleHoldBackoff(TimeSpan initial, TimeSpan max)
    {
        if (initial <= TimeSpan.Zero || max < initial)
        {
            throw new ArgumentOutOfRangeException(nameof(initial), "need 0 < initial <= max");
        }
        _initial = initial;
        _max = max;
    }

    public int Failures => _failures;

    /// <summary>The next IdleHoldTime (before jitter); each call counts one more failure.</summary>
    public TimeSpan Next()
    {
        var shift = Math.Min(_failures, 30);
        _failures++;
        var ticks = _initial.Ticks << shift;
        return ticks <= 0 || ticks > _max.Ticks ? _max : TimeSpan.FromTicks(ticks);
    }

    /// <summary>Reports how long the last session stayed Established; a long enough one forgives past failures.</summary>
    public void Established(TimeSpan duration)
    {
        if (duration >= _max)
        {
            _failures = 0;
        }
    }

    /// <summary>Forgets all failures (ManualStart).</summary>
    public void Reset() => _failures = 0;

    /// <summary>Takes up to 10 % off <paramref name="value"/> (RFC 4271 section 10 jitter), <paramref name="unit"/> in [0, 1).</summary>
    public static TimeSpan Jitter(TimeSpan value, double unit) => TimeSpan.FromTicks(value.Ticks - (long)(value.Ticks * 0.1 * unit));
}
