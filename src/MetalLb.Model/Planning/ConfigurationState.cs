using System.Net;
using BgpKit.MetalLb.Model.Planning;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model;

/// <summary>The outcome of <see cref="ConfigurationState.Apply"/>.</summary>
/// <param name="Applied">Whether the new manifests became the configuration in force.</param>
/// <param name="Candidate">The plan of the new manifests, valid or not (its errors say why it was refused).</param>
/// <param name="InForce">The plan in force after the call: the candidate when applied, otherwise the last valid one (null if none yet).</param>
public sealed record ApplyResult(bool Applied, ClusterPlan Candidate, ClusterPlan? InForce);

/// <summary>
/// The stateful API for a speaker host: given the previous valid configuration and new manifests,
/// produce the new valid configuration or the errors, while the last valid one stays in force.
/// Allocations survive configuration changes (re-homed to the pool that now contains them).
/// Services can then be added, changed or removed one at a time without recomputing the others.
/// Not thread-safe: one owner applies changes.
/// </summary>
public sealed class ConfigurationState
{
    private readonly PlanOptions? _options;
    private PlanState? _state;
    private ClusterPlan? _inForce;

    /// <summary>Creates an empty state; <paramref name="options"/> (e.g. the node a speaker runs on) apply to every call.</summary>
    public ConfigurationState(PlanOptions? options = null) => _options = options;

    /// <summary>The plan in force, or null before the first valid configuration.</summary>
    public ClusterPlan? InForce => _inForce;

    /// <summary>Validates and plans <paramref name="manifests"/>; applies them only when valid.</summary>
    public ApplyResult Apply(ManifestSet manifests)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var previous = _state?.Allocator.Services.Values
            .Where(a => a.Allocated)
            .ToDictionary(a => a.Request.Key, a => (IReadOnlyList<IPAddress>)a.Addresses.Select(x => x.ToAddress()).ToList(), StringComparer.Ordinal);
        var config = ConfigValidator.Validate(manifests);
        var state = PlanState.Build(config, _options, previous);
        var candidate = state.ToPlan();
        if (!candidate.Valid || manifests.HasReadFailure)
        {
            return new ApplyResult(false, candidate, _inForce);
        }
        _state = state;
        _inForce = candidate;
        return new ApplyResult(true, candidate, candidate);
    }

    /// <summary>
    /// Adds or changes the services in <paramref name="services"/> (manifests holding Service objects)
    /// against the configuration in force, touching only those services. Returns their plans.
    /// </summary>
    public IReadOnlyList<ServicePlan> UpsertServices(ManifestSet services)
    {
        var state = _state ?? throw new InvalidOperationException("no valid configuration has been applied yet");
        foreach (var service in services.Services.Where(Allocation.Allocator.IsMetalLbService))
        {
            state.Upsert(service);
        }
        _inForce = state.ToPlan();
        // Looked up by key rather than by scanning the 10,000 plans; in the plan's order (by key).
        return services.Services.Select(s => s.Key).Distinct().Order(StringComparer.Ordinal)
            .Select(state.PlanOf).OfType<ServicePlan>().ToList();
    }

    /// <summary>Removes one service, releasing its addresses and withdrawing its routes.</summary>
    public void RemoveService(string @namespace, string name)
    {
        var state = _state ?? throw new InvalidOperationException("no valid configuration has been applied yet");
        state.Remove($"{@namespace}/{name}");
        _inForce = state.ToPlan();
    }

    /// <summary>The plan of one node under the configuration in force.</summary>
    public NodePlan? Node(string name) => _state is { } state && state.NodeNames.Contains(name) ? state.NodePlan(name) : null;
}
