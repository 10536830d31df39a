namespace BgpKit.Bgp.Fsm;

/// <summary>Placeholder until the UPDATE codec lands: the routes to send to one peer.</summary>
internal sealed class AdjRibOut
{
    public void ResetForNewSession()
    {
    }
}
