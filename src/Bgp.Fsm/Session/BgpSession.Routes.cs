using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

internal sealed partial class BgpSession
{
    private void OnEstablished()
    {
        _establishedAt = _time.GetTimestamp();
        Interlocked.Increment(ref Counters.EstablishedTransitions);
        SessionLog.Established(_log, Address, _negotiated!.PeerAs, _negotiated.HoldTime);
        _lastError = null;
        _sendHoldTimer.Start(SendHoldTime());
        AdjRibOut.ResetForNewSession();
        FlushAdjRibOut();
    }

    private void OnSessionDown(BgpEvent ev)
    {
        AdjRibOut.ResetForNewSession();
    }

    /// <summary>Sends what changed in the Adj-RIB-Out, as much as the send queue bound allows.</summary>
    private void FlushAdjRibOut()
    {
    }

    private void SendRouteRefresh()
    {
        if (_fsm.State == SessionState.Established && _negotiated is { RouteRefresh: true } n && _connection is { } c)
        {
            foreach (var family in n.Families)
            {
                c.Send(new RouteRefreshMessage(family));
                Interlocked.Increment(ref Counters.RouteRefreshSent);
            }
        }
    }

    private void OnRouteRefresh(RouteRefreshMessage message)
    {
        RestartHoldTimer();
    }

    private void ProcessUpdate(byte[] body)
    {
    }
}
