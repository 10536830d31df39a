using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace BgpKit.MetalLb.Model;

/// <summary>
/// A Service announced in layer 2 mode: its addresses, and the nodes that may answer ARP and NDP for
/// them (in MetalLB's election order once the live ones are known, see <see cref="Layer2Election"/>).
/// </summary>
public sealed record Layer2ServicePlan
{
    /// <summary>Namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>Name.</summary>
    public required string Name { get; init; }

    /// <summary>The Service's addresses; one node owns all of them (elected on the first).</summary>
    public required IReadOnlyList<IPAddress> Addresses { get; init; }

    /// <summary>The pool the addresses come from.</summary>
    public required string Pool { get; init; }

    /// <summary>The L2Advertisements of that pool, by name.</summary>
    public required IReadOnlyList<string> Advertisements { get; init; }

    /// <summary>
    /// Nodes that may own the addresses (an L2Advertisement selects them, not excluded from load
    /// balancers, a serving endpoint on the node with externalTrafficPolicy Local), by name.
    /// </summary>
    public required IReadOnlyList<Layer2Candidate> Candidates { get; init; }

    /// <summary>Per node of the cluster, why it is or is not a candidate.</summary>
    public required IReadOnlyDictionary<string, string> Reasons { get; init; }

    /// <summary>
    /// The owner among the candidates whose speaker is alive (<paramref name="live"/>), or null when
    /// none is: every speaker computes the same answer from the same inputs, without talking to the others.
    /// </summary>
    public Layer2Candidate? Owner(IReadOnlySet<string> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var alive = Candidates.Where(c => live.Contains(c.Node)).ToArray();
        if (alive.Length == 0 || Addresses.Count == 0)
        {
            return null;
        }
        var first = Layer2Election.Order(alive.Select(c => c.Node), Addresses[0])[0];
        return alive.First(c => c.Node == first);
    }
}

/// <summary>A node that may announce a layer 2 Service, and where.</summary>
/// <param name="Node">The node name.</param>
/// <param name="Interfaces">
/// The interfaces its L2Advertisements allow (united), sorted; empty means every interface (one of
/// them has no <c>interfaces</c>), except loopback and the virtual ones MetalLB skips.
/// </param>
public sealed record Layer2Candidate(string Node, IReadOnlyList<string> Interfaces)
{
    /// <summary>Whether an announcement may go out on <paramref name="interfaceName"/>.</summary>
    public bool Allows(string interfaceName) => Interfaces.Count == 0 || Interfaces.Contains(interfaceName, StringComparer.Ordinal);

    /// <inheritdoc/>
    public bool Equals(Layer2Candidate? other) => other is not null && Node == other.Node && Interfaces.SequenceEqual(other.Interfaces, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Node, Interfaces.Count);
}

/// <summary>MetalLB's layer 2 owner election: a deterministic order of the nodes for one address.</summary>
public static class Layer2Election
{
    /// <summary>
    /// The nodes ordered as MetalLB's speaker orders them (<c>sortL2Candidates</c>): by the SHA-256 of
    /// <c>node + "#" + address</c>, bytewise ascending; the first one owns the address. Same inputs, same
    /// order, on every node and in MetalLB itself.
    /// </summary>
    public static IReadOnlyList<string> Order(IEnumerable<string> nodes, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(address);
        var text = address.ToString();
        return nodes.Distinct(StringComparer.Ordinal)
            .Select(n => (Node: n, Hash: SHA256.HashData(Encoding.UTF8.GetBytes(n + "#" + text))))
            .OrderBy(x => x.Hash, HashOrder.Instance)
            .ThenBy(x => x.Node, StringComparer.Ordinal)
            .Select(x => x.Node)
            .ToArray();
    }

    private sealed class HashOrder : IComparer<byte[]>
    {
        public static readonly HashOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
