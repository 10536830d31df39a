namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>
/// The least work that turns the node from one intent into another. A session whose parameters
/// are unchanged is left alone (no flap); on it, only routes that left the plan are withdrawn and
/// only new or re-attributed routes are announced (an UPDATE for a known prefix replaces it, so a
/// changed community never withdraws first). A session whose parameters changed (local AS, router ID,
/// timers, password, ...) is reset alone, as FRR-K8s does: Cease, then a new session with the new values
/// and all its routes; a changed BFD profile or toReceive filter alone is applied to the running session.
/// </summary>
internal sealed record IntentDiff(
    IReadOnlyList<PeerIntent> PeersRemoved,
    IReadOnlyList<PeerIntent> PeersAdded,
    IReadOnlyList<PeerReset> PeersReset,
    IReadOnlyList<PeerIntent> BfdChanged,
    IReadOnlyList<RouteKey> RoutesWithdrawn,
    IReadOnlyList<RouteIntent> RoutesAnnounced)
{
    /// <summary>Running sessions whose toReceive filter changed (and nothing that needs a reset).</summary>
    public IReadOnlyList<PeerIntent> ReceiveChanged { get; init; } = [];

    public bool IsEmpty =>
        PeersRemoved.Count == 0 && PeersAdded.Count == 0 && PeersReset.Count == 0 && BfdChanged.Count == 0 && ReceiveChanged.Count == 0
        && RoutesWithdrawn.Count == 0 && RoutesAnnounced.Count == 0;

    public static IntentDiff Between(NodeIntent current, NodeIntent next)
    {
        var removed = new List<PeerIntent>();
        var added = new List<PeerIntent>();
        var reset = new List<PeerReset>();
        var bfdChanged = new List<PeerIntent>();
        var receiveChanged = new List<PeerIntent>();
        var restarted = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (name, old) in current.Peers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!next.Peers.TryGetValue(name, out var now))
            {
                removed.Add(old);
            }
            else if (old.SessionDiffers(now))
            {
                reset.Add(new PeerReset(old, now));
                restarted.Add(name);
            }
            else
            {
                if (old.Bfd != now.Bfd || old.InstallReceived != now.InstallReceived)
                {
                    bfdChanged.Add(now);
                }
                if (!old.ToReceive.Equals(now.ToReceive))
                {
                    receiveChanged.Add(now);
                }
            }
        }
        foreach (var (name, now) in next.Peers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!current.Peers.ContainsKey(name))
            {
                added.Add(now);
                restarted.Add(name);
            }
        }

        var withdrawn = new List<RouteKey>();
        var announced = new List<RouteIntent>();
        foreach (var (key, _) in current.Routes)
        {
            // Routes of a removed or restarted session go with the session.
            if (next.Peers.ContainsKey(key.Peer) && !restarted.Contains(key.Peer) && !next.Routes.ContainsKey(key))
            {
                withdrawn.Add(key);
            }
        }
        foreach (var (key, route) in next.Routes)
        {
            if (restarted.Contains(key.Peer) || !current.Routes.TryGetValue(key, out var old) || !old.Equals(route))
            {
                announced.Add(route);
            }
        }
        withdrawn.Sort((a, b) => Compare(a, b));
        announced.Sort((a, b) => Compare(a.Key, b.Key));
        return new IntentDiff(removed, added, reset, bfdChanged, withdrawn, announced) { ReceiveChanged = receiveChanged };
    }

    private static int Compare(RouteKey a, RouteKey b)
    {
        var byPeer = string.CompareOrdinal(a.Peer, b.Peer);
        return byPeer != 0 ? byPeer : string.CompareOrdinal(a.Prefix.ToString(), b.Prefix.ToString());
    }
}

/// <summary>A session whose parameters changed: it is reset from <paramref name="Previous"/> to <paramref name="Next"/>.</summary>
internal sealed record PeerReset(PeerIntent Previous, PeerIntent Next);
