namespace BgpKit.MetalLb.Model;

/// <summary>How serious a <see cref="Problem"/> is.</summary>
public enum ProblemSeverity
{
    /// <summary>The configuration is invalid and is not applied; the last valid one stays in force.</summary>
    Error,

    /// <summary>Something the configuration needs is not there yet (a Secret, a BFD profile); the affected peer waits.</summary>
    Pending,

    /// <summary>Valid but probably not what was meant (a dangling name, an advertisement reaching no peer).</summary>
    Warning,
}

/// <summary>
/// One finding about a set of manifests: where it is (file and 1-based line), which resource
/// (kind and namespace/name) and which field, and what is wrong. Never carries a secret value.
/// </summary>
public sealed record Problem
{
    /// <summary>Error, pending item or warning.</summary>
    public required ProblemSeverity Severity { get; init; }

    /// <summary>The file the resource was read from, or empty when not known.</summary>
    public string File { get; init; } = "";

    /// <summary>The 1-based line of the field (or of the resource), 0 when not known.</summary>
    public int Line { get; init; }

    /// <summary>The resource kind, e.g. <c>BGPPeer</c>.</summary>
    public string Kind { get; init; } = "";

    /// <summary>The resource name, <c>namespace/name</c> for namespaced core resources.</summary>
    public string Name { get; init; } = "";

    /// <summary>The field path, e.g. <c>spec.holdTime</c>.</summary>
    public string Field { get; init; } = "";

    /// <summary>What is wrong, in words.</summary>
    public required string Message { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Severity.ToString().ToLowerInvariant()}: {File}:{Line}: {Kind} {Name}{(Field.Length > 0 ? " " + Field : "")}: {Message}";
}
