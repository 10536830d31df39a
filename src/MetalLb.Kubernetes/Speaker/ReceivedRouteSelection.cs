using System.Net;
using System.Net.Sockets;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Fsm.Kernel;

namespace BgpKit.MetalLb.Kubernetes.Speaker;

/// <summary>
/// Which received routes go into the kernel, as FRR-K8s' zebra would install them: from every peer whose
/// <see cref="Reconcile.PeerIntent.InstallReceived"/> is set, each accepted route (withdrawn ones are not in the
/// Adj-RIB-In) toward its NEXT_HOP, or the peer's address when it has none, in the main table or the peer's VRF's
/// table; several peers giving the same prefix make one multipath (ECMP) route. Pure: the same inputs give the
/// same table.
/// </summary>
internal static class ReceivedRouteSelection
{
    /// <summary>One peer's accepted routes.</summary>
    public sealed record PeerRoutes(IPAddress Peer, string? Vrf, IReadOnlyList<ReceivedRoute> Routes);

    /// <param name="peers">The peers whose routes are installed.</param>
    /// <param name="vrfTable">The table of a VRF, or null when it cannot be found (its routes are left out).</param>
    public static Dictionary<KernelRouteKey, IReadOnlyCollection<IPAddress>> Select(IEnumerable<PeerRoutes> peers, Func<string, uint?> vrfTable)
    {
        var table = new Dictionary<KernelRouteKey, HashSet<IPAddress>>();
        foreach (var peer in peers)
        {
            uint id = KernelRouteTable.MainTable;
            if (peer.Vrf is { } vrf)
            {
                if (vrfTable(vrf) is not { } found)
                {
                    continue;
                }
                id = found;
            }
            foreach (var route in peer.Routes)
            {
                if (route.Attributes is null || NextHop(route, peer.Peer) is not { } hop)
                {
                    continue;
                }
                var key = new KernelRouteKey(id, new IPNetwork(route.Prefix.Address, route.Prefix.Length));
                if (!table.TryGetValue(key, out var hops))
                {
                    table[key] = hops = [];
                }
                hops.Add(hop);
            }
        }
        return table.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<IPAddress>)kv.Value);
    }

    /// <summary>
    /// The route's next hop in a form the kernel takes, or null: an IPv4-mapped next hop is IPv4 (an IPv4 session's
    /// next hop in MP_REACH_NLRI); an IPv6 prefix cannot go via IPv4 (the kernel has no RTA_VIA that way); an
    /// unspecified or link-local next hop (which would need the interface) is replaced by the peer's address; a route
    /// from an interface peer (BGP unnumbered), which has no other, is not installed.
    /// </summary>
    internal static IPAddress? NextHop(ReceivedRoute route, IPAddress peer)
    {
        var hop = route.NextHop ?? peer;
        if (hop.IsIPv4MappedToIPv6)
        {
            hop = hop.MapToIPv4();
        }
        if (hop.Equals(IPAddress.Any) || hop.Equals(IPAddress.IPv6Any) || hop.IsIPv6LinkLocal)
        {
            hop = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        }
        if (hop.Equals(IPAddress.IPv6Any) || hop.IsIPv6LinkLocal || (hop.AddressFamily == AddressFamily.InterNetworkV6 && hop.ScopeId != 0))
        {
            return null; // An interface peer (BGP unnumbered): a link-local next hop needs the device, not installed yet.
        }
        var v6Prefix = route.Prefix.Address.AddressFamily == AddressFamily.InterNetworkV6;
        return v6Prefix && hop.AddressFamily == AddressFamily.InterNetwork ? null : hop;
    }
}
