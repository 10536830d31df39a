namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>Layer 2 mode on this node: every address of every layer 2 Service, who owns it and why (<c>show l2</c>).</summary>
/// <param name="Node">This node.</param>
/// <param name="Live">The nodes whose speaker this node sees alive (null: every node counts as alive, without an API server).</param>
/// <param name="Addresses">One line per address, by Service then address.</param>
public sealed record Layer2View(string Node, IReadOnlyList<string>? Live, IReadOnlyList<Layer2AddressView> Addresses)
{
    /// <summary>Nothing in layer 2 mode.</summary>
    public static Layer2View Empty { get; } = new("", [], []);
}

/// <summary>One layer 2 address.</summary>
/// <param name="Address">The Service address.</param>
/// <param name="Service">namespace/name.</param>
/// <param name="Owner">The elected node, or null when no candidate's speaker is alive.</param>
/// <param name="Answering">Whether this node answers ARP/NDP for it now.</param>
/// <param name="Interfaces">The interfaces this node answers on (empty unless <paramref name="Answering"/>).</param>
/// <param name="Reason">Why this node is or is not the owner.</param>
public sealed record Layer2AddressView(string Address, string Service, string? Owner, bool Answering, IReadOnlyList<string> Interfaces, string Reason);
