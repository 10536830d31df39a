using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// A maximum-prefix limit for one address family of a peer: FRR's
/// <c>neighbor X maximum-prefix N [THRESHOLD] [warning-only] [restart MINUTES]</c>, GoBGP's
/// <c>prefix-limit</c> (<c>max-prefixes</c>, <c>shutdown-threshold-pct</c>). The count is of routes accepted into
/// the Adj-RIB-In for the family (after the import filter; with ADD-PATH each (prefix, path id) counts; routes
/// treated as withdrawn do not). Above <see cref="WarningThresholdPercent"/> a warning is logged once; above
/// <see cref="MaximumPrefixes"/> the session ends with Cease "Maximum Number of Prefixes Reached" (RFC 4486
/// section 4) and stays down until <see cref="BgpSpeaker.StartPeerAsync"/> or <see cref="RestartInterval"/>.
/// </summary>
public sealed record PrefixLimit
{
    /// <summary>FRR's longest restart interval (<c>restart 1-65535</c> minutes).</summary>
    public static readonly TimeSpan MaxRestartInterval = TimeSpan.FromMinutes(65535);

    /// <summary>The family counted: <see cref="AfiSafi.IPv4Unicast"/> or <see cref="AfiSafi.IPv6Unicast"/>.</summary>
    public required AfiSafi Family { get; init; }

    /// <summary>The upper bound: more routes than this in the family end the session (at least 1).</summary>
    public required uint MaximumPrefixes { get; init; }

    /// <summary>A warning is logged once the count passes this percentage of the limit (1-100, default 75 as in FRR).</summary>
    public int WarningThresholdPercent { get; init; } = 75;

    /// <summary>Only log when the limit is exceeded: the session and its routes stay (FRR's <c>warning-only</c>).</summary>
    public bool WarningOnly { get; init; }

    /// <summary>
    /// After the limit ended the session, start it again this long afterwards (FRR's <c>restart</c>, up to
    /// <see cref="MaxRestartInterval"/>); null keeps the peer down until <see cref="BgpSpeaker.StartPeerAsync"/>.
    /// </summary>
    public TimeSpan? RestartInterval { get; init; }

    /// <summary>The number of routes above which the threshold warning is logged (FRR: limit x percent / 100).</summary>
    internal long ThresholdCount => (long)MaximumPrefixes * WarningThresholdPercent / 100;

    /// <summary>Checks a peer's limits; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    internal static void Validate(BgpPeerOptions peer)
    {
        if (peer.PrefixLimits is not { } limits)
        {
            throw new ArgumentException($"peer {peer.Address}: PrefixLimits is null (use an empty list for no limit)", nameof(peer));
        }
        if (limits.Count == 0)
        {
            return;
        }
        if (!peer.KeepAdjRibIn)
        {
            throw new ArgumentException($"peer {peer.Address}: PrefixLimits count the Adj-RIB-In; set KeepAdjRibIn", nameof(peer));
        }
        var seen = new HashSet<AfiSafi>();
        foreach (var limit in limits)
        {
            if (limit is null)
            {
                throw new ArgumentException($"peer {peer.Address}: a PrefixLimits entry is null", nameof(peer));
            }
            var what = $"peer {peer.Address}: prefix limit for {limit.Family}";
            if (limit.Family != AfiSafi.IPv4Unicast && limit.Family != AfiSafi.IPv6Unicast)
            {
                throw new ArgumentException($"{what}: only IPv4/Unicast and IPv6/Unicast routes are kept in the Adj-RIB-In", nameof(peer));
            }
            if (!peer.Families.Contains(limit.Family))
            {
                throw new ArgumentException($"{what}: the family is not in the peer's Families", nameof(peer));
            }
            if (!seen.Add(limit.Family))
            {
                throw new ArgumentException($"{what}: the family has more than one limit", nameof(peer));
            }
            if (limit.MaximumPrefixes == 0)
            {
                throw new ArgumentException($"{what}: MaximumPrefixes is at least 1 (got 0)", nameof(peer));
            }
            if (limit.WarningThresholdPercent is < 1 or > 100)
            {
                throw new ArgumentException($"{what}: WarningThresholdPercent is 1-100 (got {limit.WarningThresholdPercent})", nameof(peer));
            }
            if (limit.RestartInterval is { } restart && (restart <= TimeSpan.Zero || restart > MaxRestartInterval))
            {
                throw new ArgumentException($"{what}: RestartInterval is above 0 and at most 65535 minutes (got {restart})", nameof(peer));
            }
        }
    }
}

/// <summary>One family's maximum-prefix limit as a peer's status shows it.</summary>
/// <param name="Family">The family counted.</param>
/// <param name="MaximumPrefixes">The configured upper bound.</param>
/// <param name="WarningThresholdPercent">The configured warning threshold.</param>
/// <param name="WarningOnly">Whether exceeding the limit only logs.</param>
/// <param name="Received">Routes of the family in the Adj-RIB-In now (with ADD-PATH, paths).</param>
/// <param name="ThresholdReached">The count is above the warning threshold (the warning was logged).</param>
/// <param name="Exceeded">The count is above the limit (warning-only mode keeps the session).</param>
public sealed record PrefixLimitStatus(
    AfiSafi Family,
    uint MaximumPrefixes,
    int WarningThresholdPercent,
    bool WarningOnly,
    int Received,
    bool ThresholdReached,
    bool Exceeded);
