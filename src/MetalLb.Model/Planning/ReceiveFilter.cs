using System.Net;

namespace BgpKit.MetalLb.Model;

/// <summary>
/// Which routes a session accepts from its peer: FRR-K8s's <c>toReceive.allowed</c>. <see cref="None"/> (the
/// default, and what MetalLB's own BGPPeers get) refuses everything, as FRR-K8s's inbound route-map does;
/// <see cref="All"/> accepts everything; otherwise a route is accepted when one entry of
/// <see cref="Prefixes"/> matches it, with FRR prefix-list semantics (exact length unless ge/le).
/// </summary>
public sealed class ReceiveFilter : IEquatable<ReceiveFilter>
{
    private ReceiveFilter(bool acceptsAll, IReadOnlyList<ReceivePrefix> prefixes)
    {
        AcceptsAll = acceptsAll;
        Prefixes = prefixes;
    }

    /// <summary>Accepts nothing (FRR-K8s's default: deny all inbound).</summary>
    public static ReceiveFilter None { get; } = new(false, []);

    /// <summary>Accepts every route (<c>mode: all</c>).</summary>
    public static ReceiveFilter All { get; } = new(true, []);

    /// <summary>Accepts the routes one of <paramref name="prefixes"/> matches (<c>mode: filtered</c>); duplicates are dropped, order is canonical.</summary>
    public static ReceiveFilter Of(IEnumerable<ReceivePrefix> prefixes) =>
        new(false, prefixes.Distinct().OrderBy(p => p.Prefix.BaseAddress.AddressFamily).ThenBy(p => p.Prefix.ToString(), StringComparer.Ordinal)
            .ThenBy(p => p.GreaterOrEqual ?? -1).ThenBy(p => p.LessOrEqual ?? -1).ToList());

    /// <summary>True for <c>mode: all</c>.</summary>
    public bool AcceptsAll { get; }

    /// <summary>The accepted prefixes with <c>mode: filtered</c>; empty with <see cref="AcceptsAll"/>.</summary>
    public IReadOnlyList<ReceivePrefix> Prefixes { get; }

    /// <summary>Whether a route for <paramref name="prefix"/> is accepted.</summary>
    public bool Accepts(IPNetwork prefix) => AcceptsAll || Prefixes.Any(p => p.Matches(prefix));

    /// <inheritdoc/>
    public bool Equals(ReceiveFilter? other) =>
        other is not null && AcceptsAll == other.AcceptsAll && Prefixes.SequenceEqual(other.Prefixes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ReceiveFilter);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(AcceptsAll);
        foreach (var p in Prefixes)
        {
            hash.Add(p);
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => AcceptsAll ? "all" : Prefixes.Count == 0 ? "none" : string.Join(",", Prefixes);
}

/// <summary>One <c>toReceive.allowed.prefixes</c> entry: a prefix with optional ge/le bounds on the accepted length.</summary>
/// <param name="Prefix">The covering prefix.</param>
/// <param name="GreaterOrEqual">Minimum accepted length (null: the prefix's length, or exactly it when le is null too).</param>
/// <param name="LessOrEqual">Maximum accepted length (null: the family's maximum with ge, else the prefix's length).</param>
public readonly record struct ReceivePrefix(IPNetwork Prefix, int? GreaterOrEqual = null, int? LessOrEqual = null)
{
    /// <summary>Whether <paramref name="candidate"/> lies inside <see cref="Prefix"/> with a length in ge..le (FRR prefix-list semantics).</summary>
    public bool Matches(IPNetwork candidate)
    {
        if (candidate.BaseAddress.AddressFamily != Prefix.BaseAddress.AddressFamily || candidate.PrefixLength < Prefix.PrefixLength || !Prefix.Contains(candidate.BaseAddress))
        {
            return false;
        }
        int max = candidate.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (GreaterOrEqual is null && LessOrEqual is null)
        {
            return candidate.PrefixLength == Prefix.PrefixLength;
        }
        int low = GreaterOrEqual ?? Prefix.PrefixLength;
        int high = LessOrEqual ?? max;
        return candidate.PrefixLength >= low && candidate.PrefixLength <= high;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Prefix + (GreaterOrEqual is { } ge ? $" ge {ge}" : "") + (LessOrEqual is { } le ? $" le {le}" : "");
}
