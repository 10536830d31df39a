namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>What the status endpoint serves: consistent snapshots of the running speaker.</summary>
public interface ISpeakerStatus
{
    /// <summary>The summary of every BGP session.</summary>
    BgpSummaryView BgpSummary();

    /// <summary>Details of every BGP session, or of the one named <paramref name="name"/> (empty if unknown).</summary>
    IReadOnlyList<BgpNeighborView> BgpNeighbors(string? name);

    /// <summary>Routes sent to (or, with <paramref name="received"/>, received from) every peer or the named one.</summary>
    IReadOnlyList<BgpRouteView> BgpRoutes(string? peer, bool received);

    /// <summary>Every BFD session.</summary>
    BfdPeersView BfdPeers();

    /// <summary>The configuration in force and the outcome of the latest change.</summary>
    ConfigView Config();

    /// <summary>Layer 2 mode: each address, its owner and why (empty where layer 2 does not run).</summary>
    Layer2View Layer2() => Layer2View.Empty;
}
