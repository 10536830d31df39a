namespace BgpKit.Bgp.Fsm;

/// <summary>What a new prefix count crossed, upwards, since the last one.</summary>
internal enum PrefixLimitCrossing
{
    None,
    Threshold,
    Limit,
}

/// <summary>
/// One family's limit and where its count stands. Each crossing is reported once and re-armed only when the count
/// drops back to or under the line, so a peer hovering above the threshold logs one warning, not one per UPDATE.
/// Like FRR, the lines are "more than": the threshold is passed at limit x percent / 100 + 1 routes, the limit at
/// limit + 1.
/// </summary>
internal sealed class PrefixLimitState(PrefixLimit limit)
{
    public PrefixLimit Limit { get; } = limit;

    public int Received { get; private set; }

    public bool ThresholdReached { get; private set; }

    public bool Exceeded { get; private set; }

    public PrefixLimitCrossing Observe(int count)
    {
        Received = count;
        if (count > Limit.MaximumPrefixes)
        {
            // Above the limit is above the threshold too: dropping back between them warns no second time.
            ThresholdReached = true;
            if (Exceeded)
            {
                return PrefixLimitCrossing.None;
            }
            Exceeded = true;
            return PrefixLimitCrossing.Limit;
        }
        Exceeded = false;
        if (count > Limit.ThresholdCount)
        {
            if (ThresholdReached)
            {
                return PrefixLimitCrossing.None;
            }
            ThresholdReached = true;
            return PrefixLimitCrossing.Threshold;
        }
        ThresholdReached = false;
        return PrefixLimitCrossing.None;
    }

    public PrefixLimitStatus Status() => new(Limit.Family, Limit.MaximumPrefixes, Limit.WarningThresholdPercent, Limit.WarningOnly, Received, ThresholdReached, Exceeded);
}
