using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>Manifests in, this node's intent out: reading, validation, allocation and planning (MetalLb.Model).</summary>
internal interface IPlanCompiler
{
    PlanOutcome Compile(ResourceSnapshot snapshot);
}

/// <summary>
/// What one snapshot means for this node. <see cref="Intent"/> is null when the configuration is
/// invalid; the reconcile loop then keeps the last valid one in force.
/// </summary>
internal sealed record PlanOutcome(
    NodeIntent? Intent,
    IReadOnlyList<ConfigProblemView> Errors,
    IReadOnlyList<ConfigProblemView> Pending,
    IReadOnlyList<ConfigProblemView> Warnings,
    IReadOnlyList<ServiceView> Services)
{
    public bool Valid => Intent is not null;

    public static PlanOutcome Invalid(IReadOnlyList<ConfigProblemView> errors, IReadOnlyList<ConfigProblemView>? warnings = null) =>
        new(null, errors, [], warnings ?? [], []);
}
