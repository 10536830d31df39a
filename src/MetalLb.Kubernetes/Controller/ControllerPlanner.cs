using System.Globalization;
using BgpKit.MetalLb.Model;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// The controller's decisions as a pure function: from the cluster plan (MetalLb.Model's
/// allocation for every Service) and what the API server holds, the writes that make the second
/// match the first, in MetalLB's words. Nothing is written for a Service whose status already
/// matches, so a resync or a restart writes nothing; a Service of another load-balancer class is
/// never touched.
/// </summary>
internal static class ControllerPlanner
{
    public const string IPAllocated = "IPAllocated";
    public const string AllocationFailed = "AllocationFailed";
    public const string ClearAssignment = "ClearAssignment";

    /// <summary>
    /// The writes for every Service in <paramref name="observed"/>, in namespace/name order, except that a Service
    /// taking an address another Service holds now comes after the others: the holder gives it up first, so that
    /// no watcher sees one address on two Services that may not share it (found by tests/BgpKit.Simulation). Takes
    /// wait for each other in the same way (a chain moves from its far end); in a cycle, Services swapping addresses,
    /// the first by name first gives its addresses up with a status write of its own and takes its new ones after the
    /// others (simulation seed 43143 of the 100,000-seed run). A Service's status write comes before its annotation
    /// write, and both carry the resourceVersion observed; the controller conditions each later write to the same
    /// Service on the version the one before it produced.
    /// </summary>
    public static IReadOnlyList<ClusterWrite> Services(ObservedCluster observed, IReadOnlyList<ServiceAllocationStatus> plans)
    {
        var byKey = new Dictionary<string, ServiceAllocationStatus>(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            byKey[plan.Namespace + "/" + plan.Name] = plan;
        }
        var holders = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, service) in observed.Services.Where(p => p.Value.IsOurs))
        {
            foreach (var address in service.Ingress)
            {
                if (!holders.TryGetValue(address, out var keys))
                {
                    keys = [];
                    holders[address] = keys;
                }
                keys.Add(key);
            }
        }
        var writes = new List<ClusterWrite>();
        var takes = new List<PendingTake>();
        foreach (var (key, service) in observed.Services.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (service.IsForeign)
            {
                continue;
            }
            var group = new List<ClusterWrite>();
            Plan(group, key, service, byKey);
            var taken = group.OfType<SetServiceIngress>().SelectMany(w => w.Addresses)
                .Where(a => holders.TryGetValue(a, out var keys) && keys.Any(k => k != key)).Distinct(StringComparer.Ordinal).ToArray();
            if (taken.Length == 0)
            {
                writes.AddRange(group);
            }
            else
            {
                takes.Add(new PendingTake(key, service, group, taken));
            }
        }
        // A take waits while another pending take's Service still holds one of its addresses. Holders that only give
        // addresses up are written above already; holders that keep an address share it, which allocation allowed.
        var pending = new HashSet<string>(takes.Select(t => t.Key), StringComparer.Ordinal);
        while (takes.Count > 0)
        {
            var ready = takes.FindIndex(t => !t.Taken.Any(a => holders[a].Any(k => k != t.Key && pending.Contains(k))));
            if (ready < 0)
            {
                // A cycle: the first by name that still holds what it had gives it up, and no take waits for it any more.
                var index = takes.FindIndex(t => pending.Contains(t.Key));
                var first = takes[index];
                writes.Add(new SetServiceIngress(first.Service.Ref, []) { Previous = first.Service.Ingress, ResourceVersion = first.Service.ResourceVersion });
                pending.Remove(first.Key);
                takes[index] = first with { Group = [.. first.Group.Select(w => w is SetServiceIngress s ? s with { Previous = [] } : w)] };
                continue;
            }
            writes.AddRange(takes[ready].Group);
            pending.Remove(takes[ready].Key);
            takes.RemoveAt(ready);
        }
        return writes;
    }

    /// <summary>A Service's writes that take <paramref name="Taken"/>, addresses other Services held when observed.</summary>
    private sealed record PendingTake(string Key, ObservedService Service, List<ClusterWrite> Group, string[] Taken);

    private static void Plan(List<ClusterWrite> writes, string key, ObservedService service, Dictionary<string, ServiceAllocationStatus> byKey)
    {
        if (!service.IsOurs || !byKey.TryGetValue(key, out var plan) || plan.Outcome == AllocationOutcome.NotManaged)
        {
            // No longer a LoadBalancer (or no longer MetalLB's): take back what we wrote.
            Clear(writes, service, $"\"{key}\" is no longer a LoadBalancer Service of MetalLB's class; its addresses are released");
            return;
        }
        if (plan.Outcome == AllocationOutcome.Allocated && plan.Addresses.Count > 0 && plan.Pool is { } pool)
        {
            var desired = plan.Addresses.Select(a => a.ToString()).ToArray();
            if (!SameAddresses(service.Ingress, desired))
            {
                if (service.Ingress.Count > 0)
                {
                    writes.Add(new ServiceEvent(service.Ref, ServiceEvent.Normal, ClearAssignment,
                        $"current IP {Quote(service.Ingress)} for \"{key}\" not allowed by config, assigning a new one"));
                }
                writes.Add(new SetServiceIngress(service.Ref, desired) { Previous = service.Ingress, ResourceVersion = service.ResourceVersion });
                writes.Add(new ServiceEvent(service.Ref, ServiceEvent.Normal, IPAllocated, $"Assigned IP {Quote(desired)}"));
            }
            if (service.AllocatedFromPool != pool)
            {
                writes.Add(new SetAllocatedPool(service.Ref, pool) { ResourceVersion = service.ResourceVersion });
            }
            return;
        }
        var reason = plan.Reason ?? $"Failed to allocate IP for \"{key}\": no address was allocated";
        Clear(writes, service, $"current IP {Quote(service.Ingress)} for \"{key}\" not allowed by config: {reason}");
        writes.Add(new ServiceEvent(service.Ref, ServiceEvent.Warning, AllocationFailed, reason));
    }

    /// <summary>The writes that bring each pool's status to the allocation's counts (pools that exist only).</summary>
    public static IReadOnlyList<ClusterWrite> Pools(ObservedCluster observed, IReadOnlyList<PoolAllocationStatus> desired, string @namespace)
    {
        var writes = new List<ClusterWrite>();
        foreach (var status in desired.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var counts = new PoolCounts(status.AssignedIPv4, status.AssignedIPv6, status.AvailableIPv4, status.AvailableIPv6);
            if (observed.Pools.TryGetValue(@namespace + "/" + status.Name, out var pool) && pool.Status != counts)
            {
                writes.Add(new SetPoolStatus(@namespace, status.Name, counts));
            }
        }
        return writes;
    }

    private static void Clear(List<ClusterWrite> writes, ObservedService service, string message)
    {
        if (service.Ingress.Count > 0)
        {
            writes.Add(new ServiceEvent(service.Ref, ServiceEvent.Normal, ClearAssignment, message));
            writes.Add(new SetServiceIngress(service.Ref, []) { Previous = service.Ingress, ResourceVersion = service.ResourceVersion });
        }
        if (service.AllocatedFromPool is not null)
        {
            writes.Add(new SetAllocatedPool(service.Ref, null) { ResourceVersion = service.ResourceVersion });
        }
    }

    private static bool SameAddresses(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal));

    /// <summary>A list of addresses as Go's <c>%q</c> prints a slice of IPs, which MetalLB's Events use: <c>["192.0.2.1"]</c>.</summary>
    internal static string Quote(IReadOnlyList<string> addresses) =>
        "[" + string.Join(" ", addresses.Select(a => string.Create(CultureInfo.InvariantCulture, $"\"{a}\""))) + "]";
}
