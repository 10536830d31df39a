using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Model;

namespace BgpKit.Simulation.Checks;

/// <summary>
/// What the model says a snapshot means, computed afresh (no state carried between snapshots) and cached by
/// fingerprint: whether the configuration is valid, and every node's routes (sessions that can run only), in the
/// speaker's terms. The speakers' own compilers are stateful; comparing them with this catches state that leaks
/// from one configuration into the next.
/// </summary>
internal sealed class ReferencePlans
{
    private readonly Dictionary<string, ReferencePlan> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _controllerValid = new(StringComparer.Ordinal);

    public ReferencePlan Of(ResourceSnapshot snapshot)
    {
        if (_plans.TryGetValue(snapshot.Fingerprint, out var plan))
        {
            return plan;
        }
        var manifests = Manifests(snapshot);
        var result = new ConfigurationState(new PlanOptions { Addresses = AddressSource.ServiceStatus }).Apply(manifests);
        var routes = new Dictionary<string, IReadOnlyDictionary<RouteKey, RouteIntent>>(StringComparer.Ordinal);
        if (result.Applied)
        {
            foreach (var node in result.Candidate.Nodes)
            {
                var running = node.Sessions.Where(s => s.Pending is null).Select(s => s.Peer).ToHashSet(StringComparer.Ordinal);
                routes[node.Name] = node.Announcements.Where(a => running.Contains(a.Peer)).Select(ModelPlanCompiler.Route).ToDictionary(r => r.Key);
            }
        }
        plan = new ReferencePlan(result.Applied, routes, result.Applied ? [] : result.Candidate.Errors.Select(e => e.ToString()).ToArray());
        _plans[snapshot.Fingerprint] = plan;
        return plan;
    }

    /// <summary>Whether the controller's allocation takes this snapshot as a valid configuration.</summary>
    public bool ControllerValid(ResourceSnapshot snapshot)
    {
        if (!_controllerValid.TryGetValue(snapshot.Fingerprint, out var valid))
        {
            valid = ClusterAllocator.Allocate(Manifests(snapshot)).ConfigurationValid;
            _controllerValid[snapshot.Fingerprint] = valid;
        }
        return valid;
    }

    private readonly Dictionary<string, ClusterAllocation> _allocations = new(StringComparer.Ordinal);

    /// <summary>A fresh allocation of the whole cluster (for convergence: the controller has nothing left to write).</summary>
    public ClusterAllocation Allocate(ResourceSnapshot snapshot)
    {
        if (!_allocations.TryGetValue(snapshot.Fingerprint, out var allocation))
        {
            allocation = ClusterAllocator.Allocate(Manifests(snapshot));
            _allocations[snapshot.Fingerprint] = allocation;
        }
        return allocation;
    }

    private static ManifestSet Manifests(ResourceSnapshot snapshot)
    {
        var manifests = new ManifestSet();
        foreach (var document in snapshot.Documents)
        {
            manifests.Add(ManifestSet.Parse(document.Text, document.Origin, ReadMode.ApiServer));
        }
        return manifests;
    }
}

/// <summary>A snapshot's meaning: valid or not, and each node's routes.</summary>
internal sealed record ReferencePlan(bool Valid, IReadOnlyDictionary<string, IReadOnlyDictionary<RouteKey, RouteIntent>> Routes, IReadOnlyList<string> Errors)
{
    public IReadOnlyDictionary<RouteKey, RouteIntent> RoutesOf(string node) =>
        Routes.TryGetValue(node, out var routes) ? routes : new Dictionary<RouteKey, RouteIntent>();
}
