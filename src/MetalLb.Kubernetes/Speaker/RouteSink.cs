using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.MetalLb.Kubernetes.Speaker;

/// <summary>
/// The one place that turns route intents into Bgp.Fsm announce/withdraw calls and reads the
/// Adj-RIB-In back, so the rest of the host does not depend on the shape of that API.
/// </summary>
internal static class RouteSink
{
    public static void Announce(BgpSpeaker? speaker, PeerIntent peer, RouteIntent route)
    {
        // Bgp.Fsm does not expose announce/withdraw on BgpSpeaker yet; routes are kept in the
        // backend's Adj-RIB-Out mirror (shown by `show bgp routes`) until it does.
    }

    public static void Withdraw(BgpSpeaker? speaker, PeerIntent peer, IPNetwork prefix)
    {
    }

    public static IEnumerable<BgpRouteView> Received(BgpSpeaker? speaker, PeerIntent peer) => [];
}
