namespace BgpKit.Bgp.Fsm;

/// <summary>Placeholder until the UPDATE codec lands: the routes received from one peer.</summary>
internal sealed class AdjRibIn
{
}

/// <summary>A route received from (or withdrawn by) a peer.</summary>
internal readonly record struct RouteChange(BgpKit.Bgp.Wire.Prefix Prefix, bool Withdrawn);
