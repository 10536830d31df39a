using BgpKit.MetalLb.Kubernetes.Controller;

namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>The controller's state: who leads, whether the configuration is valid, and each Service's allocation.</summary>
/// <param name="Identity">This replica's identity.</param>
/// <param name="Leader">The leader last observed (this replica's identity while it leads).</param>
/// <param name="Leading">True while this replica may write.</param>
/// <param name="ConfigValid">Whether the latest configuration read is valid (null before the first read).</param>
/// <param name="Errors">The latest configuration's errors.</param>
/// <param name="Services">Each LoadBalancer Service's allocation in force.</param>
/// <param name="Writes">Writes that succeeded since start.</param>
public sealed record ControllerView(string Identity, string? Leader, bool Leading, bool? ConfigValid, IReadOnlyList<string> Errors,
    IReadOnlyList<ControllerServiceView> Services, long Writes)
{
    internal static ControllerView From(ILeadership leadership, ClusterController controller)
    {
        var allocation = controller.Allocation;
        var services = (allocation?.Services ?? []).Where(s => s.Outcome != Model.AllocationOutcome.NotManaged)
            .Select(s => new ControllerServiceView(s.Namespace, s.Name, s.Addresses.Select(a => a.ToString()).ToArray(), s.Pool,
                s.Outcome == Model.AllocationOutcome.Failed ? s.Reason : null)).ToArray();
        return new ControllerView(leadership.Identity, leadership.Leader, leadership.MayWrite, allocation?.ConfigurationValid,
            allocation?.Errors.Select(e => e.ToString()).ToArray() ?? [], services, controller.WriteCount);
    }
}

/// <summary>One LoadBalancer Service's allocation.</summary>
/// <param name="Namespace">Namespace.</param>
/// <param name="Name">Name.</param>
/// <param name="Addresses">The addresses allocated (empty when allocation failed).</param>
/// <param name="Pool">The pool they come from.</param>
/// <param name="Error">Why allocation failed, in MetalLB's words (null when it did not).</param>
public sealed record ControllerServiceView(string Namespace, string Name, IReadOnlyList<string> Addresses, string? Pool, string? Error);
