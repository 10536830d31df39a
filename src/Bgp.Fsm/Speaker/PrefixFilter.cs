using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>One prefix-list entry: a prefix with optional ge/le bounds on the matched length (as FRR-K8s toReceive has).</summary>
/// <param name="Prefix">The covering prefix.</param>
/// <param name="GreaterOrEqual">Minimum matched length (null: the prefix's own length).</param>
/// <param name="LessOrEqual">Maximum matched length (null: the prefix's own length unless ge is set, then the family maximum).</param>
public readonly record struct PrefixFilterEntry(Prefix Prefix, int? GreaterOrEqual = null, int? LessOrEqual = null)
{
    /// <summary>True when <paramref name="candidate"/> is inside the prefix and its length is within ge..le.</summary>
    public bool Matches(Prefix candidate)
    {
        if (candidate.IsIPv6 != Prefix.IsIPv6 || !Prefix.Contains(candidate))
        {
            return false;
        }
        var min = GreaterOrEqual ?? Prefix.Length;
        var max = LessOrEqual ?? (GreaterOrEqual is null ? Prefix.Length : Prefix.MaxLength);
        return candidate.Length >= min && candidate.Length <= max;
    }
}

/// <summary>An import filter: accept all, or only prefixes matching one of the entries.</summary>
public sealed class PrefixFilter
{
    private readonly PrefixFilterEntry[] _entries;

    private PrefixFilter(bool all, PrefixFilterEntry[] entries)
    {
        AcceptsAll = all;
        _entries = entries;
    }

    /// <summary>Accepts every prefix.</summary>
    public static PrefixFilter All { get; } = new(true, []);

    /// <summary>Accepts the prefixes matching any of <paramref name="entries"/>.</summary>
    public static PrefixFilter Of(params PrefixFilterEntry[] entries) => new(false, [.. entries]);

    /// <summary>True for the "accept all" filter.</summary>
    public bool AcceptsAll { get; }

    /// <summary>Whether the filter lets <paramref name="prefix"/> in.</summary>
    public bool Accepts(Prefix prefix)
    {
        if (AcceptsAll)
        {
            return true;
        }
        foreach (var e in _entries)
        {
            if (e.Matches(prefix))
            {
                return true;
            }
        }
        return false;
    }
}
