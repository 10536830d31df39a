namespace BgpKit.Bgp.Wire;

/// <summary>The data of a Cease/Maximum Number of Prefixes Reached (RFC 4486 section 4).</summary>
/// <param name="AfiSafi">The address family whose routes exceeded the bound.</param>
/// <param name="UpperBound">The configured upper bound (the number of prefixes allowed).</param>
public readonly record struct MaximumPrefixesData(AfiSafi AfiSafi, uint UpperBound)
{
    /// <summary>The data field's length: AFI (2), SAFI (1), upper bound (4).</summary>
    public const int Length = 7;
}
