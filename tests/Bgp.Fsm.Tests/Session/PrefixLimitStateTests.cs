using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>Where a count stands against a limit: each line crossed upwards is reported once, re-armed below it.</summary>
public class PrefixLimitStateTests
{
    private static PrefixLimitState State(uint limit, int percent = 75) =>
        new(new PrefixLimit { Family = AfiSafi.IPv4Unicast, MaximumPrefixes = limit, WarningThresholdPercent = percent });

    [Fact]
    public void Lines_are_more_than_as_in_FRR()
    {
        var s = State(100); // threshold 75
        Assert.Equal(PrefixLimitCrossing.None, s.Observe(75));
        Assert.Equal(PrefixLimitCrossing.Threshold, s.Observe(76));
        Assert.Equal(PrefixLimitCrossing.None, s.Observe(100));
        Assert.Equal(PrefixLimitCrossing.Limit, s.Observe(101));
        Assert.True(s.Exceeded);
    }

    [Fact]
    public void Each_crossing_is_reported_once_until_the_count_drops_back_under()
    {
        var s = State(10); // threshold 7
        Assert.Equal(PrefixLimitCrossing.Threshold, s.Observe(8));
        Assert.Equal(PrefixLimitCrossing.None, s.Observe(9));
        Assert.Equal(PrefixLimitCrossing.Limit, s.Observe(11));
        Assert.Equal(PrefixLimitCrossing.None, s.Observe(12));
        // Back between the lines: the limit re-arms, the threshold (never left) does not warn again.
        Assert.Equal(PrefixLimitCrossing.None, s.Observe(9));
        Assert.Equal(PrefixLimitCrossing.Limit, s.Observe(11));
        Assert.Equal(PrefixLimitCrossing.None, s.Observe(7));
        Assert.False(s.ThresholdReached);
        Assert.Equal(PrefixLimitCrossing.Threshold, s.Observe(8));
    }

    [Fact]
    public void Jumping_over_both_lines_reports_the_limit_only()
    {
        var s = State(10);
        Assert.Equal(PrefixLimitCrossing.Limit, s.Observe(50));
        Assert.True(s.ThresholdReached);
    }

    [Fact]
    public void The_threshold_is_computed_without_overflow_at_the_largest_limit()
    {
        var s = State(uint.MaxValue, 100);
        Assert.Equal(PrefixLimitCrossing.None, s.Observe(int.MaxValue));
        Assert.Equal((long)uint.MaxValue, s.Limit.ThresholdCount);
    }
}
