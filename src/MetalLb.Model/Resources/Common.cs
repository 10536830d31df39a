namespace BgpKit.MetalLb.Model.Resources;

/// <summary>Where a resource or field came from, for problem reports.</summary>
internal readonly record struct SourceRef(string File, int Line);

/// <summary>The metadata every resource has.</summary>
internal sealed record ObjectMeta(string Name, string Namespace, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>
    /// namespace/name, formatted once: planning looks services up by it several times each. (Derived from
    /// the constructor's values; nothing copies an ObjectMeta with <c>with</c>, which would keep it.)
    /// </summary>
    public string Key { get; } = $"{Namespace}/{Name}";
}

/// <summary>A resource as read: its kind, metadata and where it was.</summary>
internal abstract record Resource
{
    public required string Kind { get; init; }
    public required ObjectMeta Meta { get; init; }
    public required SourceRef Source { get; init; }

    /// <summary>Lines of individual fields, by path (spec.holdTime), for precise reports.</summary>
    public IReadOnlyDictionary<string, int> FieldLines { get; init; } = new Dictionary<string, int>();

    public string Name => Meta.Name;

    public int LineOf(string field) => FieldLines.TryGetValue(field, out int line) ? line : Source.Line;
}

/// <summary>One requirement of a label selector (matchExpressions).</summary>
internal sealed record LabelRequirement(string Key, string Operator, IReadOnlyList<string> Values);

/// <summary>A Kubernetes label selector: matchLabels AND matchExpressions.</summary>
internal sealed record LabelSelector(IReadOnlyDictionary<string, string> MatchLabels, IReadOnlyList<LabelRequirement> MatchExpressions)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in MatchLabels)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }
        foreach (var requirement in MatchExpressions)
        {
            bool has = labels.TryGetValue(requirement.Key, out var actual);
            bool ok = requirement.Operator switch
            {
                "In" => has && requirement.Values.Contains(actual!),
                "NotIn" => !has || !requirement.Values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A canonical text, to find duplicate selectors.</summary>
    public string Canonical() =>
        string.Join(",", MatchLabels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))
        + "|" + string.Join(",", MatchExpressions.Select(e => $"{e.Key} {e.Operator} [{string.Join(",", e.Values.Order(StringComparer.Ordinal))}]").Order(StringComparer.Ordinal));

    /// <summary>Several selectors are ORed; none selects everything.</summary>
    public static bool AnyMatches(IReadOnlyList<LabelSelector> selectors, IReadOnlyDictionary<string, string> labels)
    {
        // A loop, not Any(): asked per service and advertisement, and a lambda would allocate each time.
        if (selectors.Count == 0)
        {
            return true;
        }
        for (int i = 0; i < selectors.Count; i++)
        {
            if (selectors[i].Matches(labels))
            {
                return true;
            }
        }
        return false;
    }
}
