namespace BgpKit.MetalLb.Model;

/// <summary>
/// What changes on a node between two plans: sessions to open, close or reconfigure, and routes to
/// announce (new, or with changed attributes) or withdraw. A speaker applies exactly this.
/// </summary>
public sealed record PlanDiff
{
    /// <summary>Sessions only in the new plan.</summary>
    public required IReadOnlyList<SessionPlan> SessionsAdded { get; init; }

    /// <summary>Sessions only in the old plan.</summary>
    public required IReadOnlyList<SessionPlan> SessionsRemoved { get; init; }

    /// <summary>Sessions in both whose parameters changed (new values).</summary>
    public required IReadOnlyList<SessionPlan> SessionsChanged { get; init; }

    /// <summary>Routes new in the new plan, or whose attributes changed (new values).</summary>
    public required IReadOnlyList<Announcement> Announce { get; init; }

    /// <summary>Routes no longer sent.</summary>
    public required IReadOnlyList<Announcement> Withdraw { get; init; }

    /// <summary>Whether nothing changes.</summary>
    public bool IsEmpty => SessionsAdded.Count + SessionsRemoved.Count + SessionsChanged.Count + Announce.Count + Withdraw.Count == 0;

    /// <summary>Compares two plans of one node; <paramref name="before"/> may be null (nothing yet).</summary>
    public static PlanDiff Between(NodePlan? before, NodePlan after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var oldSessions = (before?.Sessions ?? []).ToDictionary(s => s.Peer, StringComparer.Ordinal);
        var newSessions = after.Sessions.ToDictionary(s => s.Peer, StringComparer.Ordinal);
        var oldRoutes = (before?.Announcements ?? []).ToDictionary(a => (a.Peer, a.Prefix));
        var newRoutes = after.Announcements.ToDictionary(a => (a.Peer, a.Prefix));
        return new PlanDiff
        {
            SessionsAdded = newSessions.Values.Where(s => !oldSessions.ContainsKey(s.Peer)).ToList(),
            SessionsRemoved = oldSessions.Values.Where(s => !newSessions.ContainsKey(s.Peer)).ToList(),
            SessionsChanged = newSessions.Values.Where(s => oldSessions.TryGetValue(s.Peer, out var o) && !SameSession(o, s)).ToList(),
            Announce = newRoutes.Values.Where(a => !oldRoutes.TryGetValue((a.Peer, a.Prefix), out var o) || !SameRoute(o, a)).ToList(),
            Withdraw = oldRoutes.Values.Where(a => !newRoutes.ContainsKey((a.Peer, a.Prefix))).ToList(),
        };
    }

    private static bool SameSession(SessionPlan a, SessionPlan b) => a == b && a.Password == b.Password;

    private static bool SameRoute(Announcement a, Announcement b) =>
        a.LocalPref == b.LocalPref && a.Communities.SequenceEqual(b.Communities) && a.LargeCommunities.SequenceEqual(b.LargeCommunities);
}
