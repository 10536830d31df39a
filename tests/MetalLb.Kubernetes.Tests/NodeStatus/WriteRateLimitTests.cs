using BgpKit.MetalLb.Kubernetes.NodeStatus;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.NodeStatus;

public sealed class WriteRateLimitTests
{
    [Fact]
    public void A_burst_then_one_write_per_interval_at_its_exact_boundary()
    {
        var time = new ManualTimeProvider();
        var limit = new WriteRateLimit(perSecond: 4, burst: 2, time);

        Assert.True(limit.TryTake(out _));
        Assert.True(limit.TryTake(out _));
        Assert.False(limit.TryTake(out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(250), wait);

        time.Advance(wait - TimeSpan.FromTicks(1));
        Assert.False(limit.TryTake(out wait));
        Assert.Equal(TimeSpan.FromTicks(1), wait);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(limit.TryTake(out _));
        Assert.False(limit.TryTake(out _));
    }

    [Fact]
    public void An_idle_bucket_refills_only_up_to_the_burst()
    {
        var time = new ManualTimeProvider();
        var limit = new WriteRateLimit(perSecond: 10, burst: 3, time);
        time.Advance(TimeSpan.FromMinutes(1));

        var taken = 0;
        while (limit.TryTake(out _))
        {
            taken++;
        }
        Assert.Equal(3, taken);
    }
}
