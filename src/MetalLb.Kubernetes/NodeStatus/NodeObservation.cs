using System.Net;
using BgpKit.MetalLb.Kubernetes.Reconcile;

namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>
/// What the speaker runs on its node, read from the reconciler and the backend's session views:
/// the input of <see cref="NodeStatusPlanner"/>.
/// </summary>
/// <param name="Sessions">Every BGP session the backend runs.</param>
/// <param name="Services">Every Service this node announces, with the BGPPeers it is announced to.</param>
/// <param name="Configuration">The outcome of the latest configuration read, or null before the first.</param>
internal sealed record NodeObservation(
    IReadOnlyList<SessionObservation> Sessions,
    IReadOnlyList<AnnouncedService> Services,
    ConfigurationOutcome? Configuration)
{
    public static readonly NodeObservation Empty = new([], [], null);

    /// <summary>The layer 2 Services this node owns, with the interfaces it answers on (sorted by namespace/name).</summary>
    public IReadOnlyList<Layer2OwnedService> Layer2 { get; init; } = [];

    /// <summary>Reads the reconciler's views and the layer 2 speaker's owned Services.</summary>
    public static NodeObservation From(Reconciler reconciler, Layer2.Layer2Speaker? layer2) =>
        From(reconciler) with { Layer2 = layer2?.Owned ?? [] };

    /// <summary>Reads the reconciler's views (each a consistent snapshot; they are read one after the other).</summary>
    public static NodeObservation From(Reconciler reconciler)
    {
        var intent = reconciler.Current;
        var sessions = reconciler.BgpNeighbors(null).Select(n => new SessionObservation(
            n.Summary.Address,
            intent.Peers.TryGetValue(n.Summary.Name, out var peer) ? peer.Vrf ?? "" : "",
            n.Summary.State,
            n.BfdState)).ToArray();
        var config = reconciler.Config();
        var services = new List<AnnouncedService>();
        foreach (var service in config.InForce?.Services ?? [])
        {
            if (!service.Announced)
            {
                continue;
            }
            var addresses = service.Addresses.Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>().ToArray();
            // The routes that carry one of its addresses (a /32, /128 or an aggregate), as MetalLB maps prefixes to Services.
            var peers = intent.Routes.Values.Where(r => addresses.Any(r.Prefix.Contains)).Select(r => r.Peer).Distinct().Order(StringComparer.Ordinal).ToArray();
            services.Add(new AnnouncedService(service.Namespace, service.Name, peers));
        }
        var outcome = config.LastChange is { } change
            ? new ConfigurationOutcome(change.Valid, change.Errors.Select(e => e.Message).ToArray())
            : null;
        return new NodeObservation(sessions, services, outcome);
    }
}

/// <summary>One BGP session: the peer's address, its VRF ("" for the default), RFC 4271 state, and BFD state (null without BFD).</summary>
internal sealed record SessionObservation(string PeerAddress, string Vrf, string BgpState, string? BfdState);

/// <summary>A Service this node announces and the BGPPeer names it goes to (sorted).</summary>
internal sealed record AnnouncedService(string Namespace, string Name, IReadOnlyList<string> Peers);

/// <summary>A layer 2 Service this node owns, and the interfaces its addresses are answered on.</summary>
internal sealed record Layer2OwnedService(string Namespace, string Name, IReadOnlyList<string> Interfaces);

/// <summary>Whether the latest configuration was valid, and what was wrong with it.</summary>
internal sealed record ConfigurationOutcome(bool Valid, IReadOnlyList<string> Errors);
