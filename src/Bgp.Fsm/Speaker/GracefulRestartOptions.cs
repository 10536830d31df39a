using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The restarting side of Graceful Restart (RFC 4724 section 4.1) towards one peer: the capability carries a
/// restart time and, per family, the F bit (forwarding state preserved), so that the peer keeps our routes as
/// stale while we are gone. After a restart (<see cref="Restarting"/>) the OPEN carries the R bit, and End-of-RIB
/// waits until the initial announcements are out: the embedder says so with
/// <see cref="BgpSpeaker.CompleteInitialRoutesAsync"/>, or <see cref="EndOfRibDeferral"/> runs out.
/// </summary>
public sealed record GracefulRestartOptions
{
    /// <summary>The most the RFC 4724 capability can carry: a 12-bit number of seconds.</summary>
    public static readonly TimeSpan MaxRestartTime = TimeSpan.FromSeconds(4095);

    /// <summary>
    /// How long the peer keeps our routes while no session is up (whole seconds, 1 to 4095; default 120 s,
    /// FRR's <c>bgp graceful-restart restart-time</c> default, which MetalLB does not change).
    /// </summary>
    public TimeSpan RestartTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Families whose forwarding state survives a restart of this process (F bit set); null means every family of
    /// the session, as FRR's <c>bgp graceful-restart preserve-fw-state</c>. A family of the session missing here is
    /// listed with the F bit clear: the peer drops its stale routes of that family at once (RFC 4724 section 4.2).
    /// </summary>
    public IReadOnlyList<AfiSafi>? ForwardingStateFamilies { get; init; }

    /// <summary>
    /// This process restarted: the R bit (Restart State) is set in every OPEN until the session is first
    /// Established (RFC 4724 section 3).
    /// </summary>
    public bool Restarting { get; init; }

    /// <summary>
    /// Upper bound on how long End-of-RIB waits after the session is Established when
    /// <see cref="BgpSpeaker.CompleteInitialRoutesAsync"/> is never called (default 120 s). The peer purges what is
    /// still stale at our End-of-RIB, so it must not come before the re-announcements.
    /// </summary>
    public TimeSpan EndOfRibDeferral { get; init; } = TimeSpan.FromSeconds(120);

    internal void Validate()
    {
        if (RestartTime < TimeSpan.FromSeconds(1) || RestartTime > MaxRestartTime || RestartTime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException($"graceful restart time is whole seconds from 1 to 4095 (RFC 4724 section 3), not {RestartTime}", "peer");
        }
        if (EndOfRibDeferral <= TimeSpan.Zero)
        {
            throw new ArgumentException("the End-of-RIB deferral is positive", "peer");
        }
    }
}
