using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>
/// A restart that moves the deadline later (the HoldTimer on every UPDATE) keeps the armed timer and re-arms it when
/// it fires early; the observable boundary is still exact: not expired at the deadline's previous tick, expired at it.
/// </summary>
public class SessionTimerTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly List<long> _firings = [];

    private SessionTimer NewTimer() => new("HoldTimer", _time, (_, generation) => _firings.Add(generation));

    [Fact]
    public void A_timer_restarted_later_expires_at_the_new_deadline_and_not_at_the_old()
    {
        using var timer = NewTimer();
        timer.Start(TimeSpan.FromSeconds(90));
        _time.Advance(TimeSpan.FromSeconds(10));
        timer.Start(TimeSpan.FromSeconds(90)); // an UPDATE arrived: deadline 100 s
        Assert.Equal(1, _time.ActiveTimers); // the same timer, not a second one

        _time.Advance(TimeSpan.FromSeconds(80)); // 90 s: the armed timer fires
        Assert.Single(_firings);
        Assert.False(timer.Expire(_firings[0])); // the deadline moved: re-armed for 10 s
        Assert.True(timer.Running);

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Single(_firings);
        _time.Advance(TimeSpan.FromTicks(1)); // 100 s exactly
        Assert.Equal(2, _firings.Count);
        Assert.True(timer.Expire(_firings[1]));
        Assert.False(timer.Running);
    }

    [Fact]
    public void A_timer_restarted_sooner_is_armed_again_for_the_sooner_deadline()
    {
        using var timer = NewTimer();
        timer.Start(TimeSpan.FromSeconds(90));
        timer.Start(TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(_firings);
        Assert.True(timer.Expire(_firings[0]));
    }

    [Fact]
    public void A_timer_started_after_it_expired_is_armed_afresh()
    {
        using var timer = NewTimer();
        timer.Start(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(timer.Expire(_firings[0]));
        timer.Start(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _firings.Count);
        Assert.True(timer.Expire(_firings[1]));
    }

    [Fact]
    public void A_firing_queued_before_a_stop_is_ignored()
    {
        using var timer = NewTimer();
        timer.Start(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        timer.Stop();
        Assert.False(timer.Expire(_firings[0]));
    }
}
