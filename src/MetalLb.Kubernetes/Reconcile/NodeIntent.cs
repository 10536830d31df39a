using System.Net;

namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>
/// What one node must run, in the host's own terms: the BGP sessions, their BFD sessions and the
/// routes per session. Built from MetalLb.Model's plan; compared by value so that the reconcile
/// loop can apply only the difference between two of them.
/// </summary>
internal sealed class NodeIntent
{
    public static readonly NodeIntent Empty = new([], []);

    public NodeIntent(IEnumerable<PeerIntent> peers, IEnumerable<RouteIntent> routes)
    {
        Peers = peers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        Routes = routes.GroupBy(r => r.Key).Select(g => g.First()).ToDictionary(r => r.Key);
        foreach (var route in Routes.Values)
        {
            if (!Peers.ContainsKey(route.Peer))
            {
                throw new ArgumentException($"route {route.Prefix} names peer {route.Peer}, which the intent does not hold", nameof(routes));
            }
        }
    }

    public IReadOnlyDictionary<string, PeerIntent> Peers { get; }

    /// <summary>The cluster's layer 2 Services (any node may own them; the layer 2 speaker elects). Not part of the BGP difference.</summary>
    public IReadOnlyList<BgpKit.MetalLb.Model.Layer2ServicePlan> Layer2 { get; init; } = [];

    public IReadOnlyDictionary<RouteKey, RouteIntent> Routes { get; }

    public IEnumerable<RouteIntent> RoutesOf(string peer) =>
        Routes.Values.Where(r => r.Peer == peer).OrderBy(r => r.Prefix.ToString(), StringComparer.Ordinal);
}

/// <summary>A route's identity within a node: the session it goes to and its prefix.</summary>
internal readonly record struct RouteKey(string Peer, IPNetwork Prefix);
