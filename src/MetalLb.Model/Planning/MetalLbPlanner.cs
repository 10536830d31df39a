using BgpKit.MetalLb.Model.Planning;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model;

/// <summary>
/// The one-call path from manifests to a plan: validate (METALLB.md rules), allocate addresses
/// (the controller), and work out per node the sessions and the routes sent on each (the speaker).
/// </summary>
public static class MetalLbPlanner
{
    /// <summary>Plans a set of manifests. Never throws for bad input: problems are in the result.</summary>
    public static ClusterPlan Plan(ManifestSet manifests, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var config = ConfigValidator.Validate(manifests);
        return PlanState.Build(config, options).ToPlan();
    }
}
