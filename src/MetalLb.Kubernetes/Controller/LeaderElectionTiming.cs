namespace BgpKit.MetalLb.Kubernetes;

/// <summary>
/// The Lease timing of the controller's leader election, with client-go's meaning and defaults
/// (15 s, 10 s, 2 s): a leader that cannot renew within <see cref="RenewDeadline"/> stops acting,
/// and another replica takes the Lease once it has seen it unrenewed for <see cref="LeaseDuration"/>.
/// </summary>
public sealed record LeaderElectionTiming
{
    /// <summary>How long a Lease holds without renewal (the Lease's <c>leaseDurationSeconds</c>).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps acting without a successful renewal; shorter than <see cref="LeaseDuration"/>.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the Lease is renewed, and how often a follower tries to take it.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks client-go's rules: lease duration &gt; renew deadline &gt; 1.2 × retry period, whole seconds for the lease.</summary>
    /// <exception cref="ArgumentException">The timing breaks one of them.</exception>
    public void Validate()
    {
        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException($"the lease duration must be a whole number of seconds, at least 1s (got {LeaseDuration.TotalSeconds}s)");
        }
        if (RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("the retry period must be positive");
        }
        if (RenewDeadline >= LeaseDuration)
        {
            throw new ArgumentException($"the renew deadline ({RenewDeadline.TotalSeconds}s) must be shorter than the lease duration ({LeaseDuration.TotalSeconds}s)");
        }
        if (RenewDeadline <= RetryPeriod * 1.2)
        {
            throw new ArgumentException($"the renew deadline ({RenewDeadline.TotalSeconds}s) must be longer than 1.2 × the retry period ({RetryPeriod.TotalSeconds}s)");
        }
    }
}
