namespace BgpKit.MetalLb.Model;

/// <summary>What a validating admission webhook answers: allowed or not, why, and warnings to show the client.</summary>
/// <param name="Allowed">True when the change may go in.</param>
/// <param name="Message">Why it is refused, in <c>bgpkit plan</c>'s words (null when allowed).</param>
/// <param name="Warnings">Warnings the client prints (an unimplemented field at a non-default value, ...).</param>
public sealed record AdmissionVerdict(bool Allowed, string? Message, IReadOnlyList<string> Warnings);

/// <summary>
/// MetalLB's admission rules over BgpKit's validation: a create, update or delete of one MetalLB
/// object is judged against the whole configuration it would leave behind, with the same rules and
/// messages as <c>bgpkit plan</c>. A change is refused only for problems it brings in: a configuration
/// that is already broken elsewhere does not lock out an unrelated change (or the fix).
/// </summary>
public static class AdmissionCheck
{
    /// <summary>Judges a change.</summary>
    /// <param name="current">Every MetalLB object the cluster holds now, read with <see cref="ReadMode.ApiServer"/>, the changed object included when it exists.</param>
    /// <param name="others">The same without the changed object (what stays when it is removed or replaced).</param>
    /// <param name="incoming">The object as it would be stored (create, update), read with <see cref="ReadMode.Admission"/>; null for a delete.</param>
    /// <param name="kind">The changed object's kind.</param>
    /// <param name="name">The changed object's name.</param>
    public static AdmissionVerdict Judge(ManifestSet current, ManifestSet others, ManifestSet? incoming, string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(others);
        if (incoming is null)
        {
            // MetalLB refuses to delete a BFD profile a peer names; BgpKit would hold the peer pending, but the intent is clear.
            if (kind == "BFDProfile" && others.Peers.FirstOrDefault(p => p.BfdProfile == name) is { } peer)
            {
                return new AdmissionVerdict(false, $"failed to delete BFDProfile {name}, used by BGPPeer {peer.Meta.Name}", []);
            }
            return new AdmissionVerdict(true, null, []);
        }
        var candidate = new ManifestSet().Add(others).Add(incoming);
        var before = Errors(current).Select(Key).ToHashSet(StringComparer.Ordinal);
        var after = Errors(candidate);
        var introduced = after.Where(e => !before.Contains(Key(e))).ToList();
        var warnings = incoming.Problems.Where(p => p.Severity == ProblemSeverity.Warning).Select(Describe).ToList();
        if (introduced.Count == 0)
        {
            return new AdmissionVerdict(true, null, warnings);
        }
        return new AdmissionVerdict(false, string.Join("; ", introduced.Select(Describe)), warnings);
    }

    private static List<Problem> Errors(ManifestSet set)
    {
        var allocation = ClusterAllocator.Allocate(set);
        return allocation.Errors.Concat(set.Problems.Where(p => p.Severity == ProblemSeverity.Error))
            .DistinctBy(Key).ToList();
    }

    /// <summary>A problem as <c>bgpkit plan</c> words it, without the file and line an API object does not have.</summary>
    private static string Describe(Problem p) => $"{p.Kind} {p.Name}{(p.Field.Length > 0 ? " " + p.Field : "")}: {p.Message}";

    // Line numbers differ between the stored objects and the incoming one; the rest says what is wrong.
    private static string Key(Problem p) => $"{p.Kind}|{p.Name}|{p.Field}|{p.Message}";
}
