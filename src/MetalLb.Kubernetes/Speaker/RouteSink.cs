using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.MetalLb.Kubernetes.Speaker;

/// <summary>
/// The one place that turns route intents into Bgp.Fsm announce/withdraw calls and reads the
/// Adj-RIB-In back, so the rest of the host does not depend on the shape of that API.
/// </summary>
internal static class RouteSink
{
    public static Task Announce(BgpSpeaker? speaker, PeerIntent peer, IPAddress key, RouteIntent route)
    {
        if (speaker is null)
        {
            return Task.CompletedTask;
        }
        var attributes = new PathAttributes
        {
            // LOCAL_PREF goes only to iBGP peers (METALLB.md); BgpSpeaker fills ORIGIN, AS_PATH and NEXT_HOP per session.
            LocalPref = peer.IsInternal ? route.LocalPref : null,
            Communities = route.Communities.Select(c => new Community(c)).ToArray(),
            LargeCommunities = route.LargeCommunities.Select(c => new Bgp.Wire.LargeCommunity(c.GlobalAdministrator, c.LocalData1, c.LocalData2)).ToArray(),
        };
        return speaker.AnnounceAsync(ToPrefix(route.Prefix), attributes, key);
    }

    public static Task Withdraw(BgpSpeaker? speaker, IPAddress key, IPNetwork prefix) =>
        speaker is null ? Task.CompletedTask : speaker.WithdrawAsync(ToPrefix(prefix), key);

    public static IEnumerable<BgpRouteView> Received(BgpSpeaker? speaker, PeerIntent peer, IPAddress key)
    {
        if (speaker is null)
        {
            return [];
        }
        IReadOnlyList<ReceivedRoute> routes;
        try
        {
            routes = speaker.GetReceivedRoutes(key);
        }
        catch (InvalidOperationException)
        {
            return [];
        }
        return routes.Where(r => r.Attributes is not null).OrderBy(r => r.Prefix).Select(r => new BgpRouteView(
            peer.Name, r.Prefix.ToString(), "received",
            // An IPv4 route with an IPv6 next hop (RFC 8950, BGP unnumbered) has it in MP_REACH_NLRI, not NEXT_HOP.
            (r.Attributes!.NextHopAddress ?? r.NextHop)?.ToString() ?? string.Empty,
            r.Attributes.LocalPref, r.Attributes.MultiExitDisc,
            r.Attributes.AsPath?.ToString() ?? string.Empty,
            r.Attributes.Communities.Select(c => RouteIntent.FormatCommunity(c.Value)).ToArray(),
            r.Attributes.LargeCommunities.Select(c => c.ToString()).ToArray())).ToArray();
    }

    internal static Prefix ToPrefix(IPNetwork network) => Prefix.Create(network.BaseAddress, network.PrefixLength);
}
