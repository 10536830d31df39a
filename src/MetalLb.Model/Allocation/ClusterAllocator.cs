using System.Net;
using BgpKit.MetalLb.Model.Allocation;
using BgpKit.MetalLb.Model.Resources;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model;

/// <summary>
/// The controller's allocation for a whole cluster in one pure call: validate the configuration, allocate
/// every LoadBalancer Service (METALLB.md "Allocation") and count each pool's status. Level-triggered: give
/// it everything observed and the previous result, write the difference it reports.
/// </summary>
public static class ClusterAllocator
{
    /// <summary>
    /// Allocates for every Service in <paramref name="manifests"/> (configuration resources, Services and
    /// Namespaces, read as <see cref="ReadMode.ApiServer"/> or from files).
    /// <para>
    /// Addresses a Service already holds in <c>status.loadBalancer.ingress</c> are kept whenever the configuration
    /// still allows them, before anything new is allocated, so a controller restart (same inputs, status set)
    /// never moves an address. A Service whose status is still empty keeps what <paramref name="previous"/> gave
    /// it (the status write may not have been observed yet). A configuration change keeps every address some pool
    /// still allows; the others are released and allocated again, or fail with MetalLB's reason.
    /// </para>
    /// <para>
    /// An invalid configuration is reported (<see cref="ClusterAllocation.Errors"/>) and not applied: allocation runs
    /// under the last valid one, taken from <paramref name="previous"/>.
    /// </para>
    /// </summary>
    /// <param name="manifests">Everything observed: pools, advertisements, peers..., Namespaces and Services with their status.</param>
    /// <param name="previous">The result of the previous call, or null on the first call after a start.</param>
    public static ClusterAllocation Allocate(ManifestSet manifests, ClusterAllocation? previous = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var candidate = ConfigValidator.Validate(manifests);
        bool valid = candidate.IsValid && !manifests.HasReadFailure;
        var errors = candidate.Problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();
        var config = valid ? candidate : previous?.InForce;
        if (config is null)
        {
            // Nothing is allocated before a configuration is valid, but the sharing of each Service holding an address
            // is kept as first seen: when one changes before then (a controller started into an invalid configuration),
            // the first allocation still knows which of two sharing Services changed (simulation seeds 54638, 69035 of
            // the 100,000-seed run). A Service without an address shares nothing yet; its first allocation records it
            // (seed 74726: a signature kept from before its first address made the first allocation's sharing look changed).
            var seen = new Dictionary<string, string>(previous?.SharingSignatures ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var service in manifests.Services.Where(s => s.IngressIps.Count > 0 && Allocator.IsMetalLbService(s)))
            {
                seen.TryAdd(service.Key, new ServiceRequest(service).SharingSignature);
            }
            return new ClusterAllocation(valid, errors, null, [], []) { SharingSignatures = seen };
        }

        // A service whose status is empty keeps what the previous call gave it, as ConfigurationState does
        // across configuration changes: the controller's own write may not have come back through the watch yet.
        var held = previous?.Services.Where(s => s.Outcome == AllocationOutcome.Allocated)
            .ToDictionary(s => $"{s.Namespace}/{s.Name}", s => s.Addresses, StringComparer.Ordinal);
        var services = manifests.Services
            .Select(s => s.IngressIps.Count == 0 && Allocator.IsMetalLbService(s) && held is not null && held.TryGetValue(s.Key, out var h) ? (Service: s, Status: s.IngressIps, Assumed: s with { IngressIps = h }) : (Service: s, Status: s.IngressIps, Assumed: s))
            .GroupBy(s => s.Service.Key, StringComparer.Ordinal).Select(g => g.Last())
            .OrderBy(s => s.Service.Key, StringComparer.Ordinal).ToList();
        var signatures = services.Where(s => Allocator.IsMetalLbService(s.Service))
            .ToDictionary(s => s.Service.Key, s => new ServiceRequest(s.Service).SharingSignature, StringComparer.Ordinal);
        var sharingChanged = previous is null ? null : signatures
            .Where(s => previous.SharingSignatures.TryGetValue(s.Key, out var before) && before != s.Value)
            .Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var allocator = Allocator.AllocateAll(config, services.Select(s => s.Assumed), sharingChanged);

        var results = new List<ServiceAllocationStatus>(services.Count);
        foreach (var (service, status, _) in services)
        {
            results.Add(Status(service, status, allocator.Services.GetValueOrDefault(service.Key)));
        }
        // A Service whose move is not in its status yet (a failed write, a replica not leading) keeps the signature it had,
        // so the next call still knows it is the one that changed; otherwise the partner earlier by name would move then.
        foreach (var result in results)
        {
            var key = result.Namespace + "/" + result.Name;
            if (result.AddressesChanged && previous is not null && previous.SharingSignatures.TryGetValue(key, out var before))
            {
                signatures[key] = before;
            }
        }
        return new ClusterAllocation(valid, errors, config, results, PoolCounts(config, allocator)) { SharingSignatures = signatures };
    }

    private static ServiceAllocationStatus Status(ServiceResource service, IReadOnlyList<IPAddress> status, ServiceAllocationResult? allocation)
    {
        if (allocation is null)
        {
            return new ServiceAllocationStatus
            {
                Namespace = service.Meta.Namespace,
                Name = service.Name,
                Outcome = AllocationOutcome.NotManaged,
                Reason = service.Type != "LoadBalancer"
                    ? $"not a LoadBalancer service (type {service.Type})"
                    : $"loadBalancerClass \"{service.LoadBalancerClass}\" is not MetalLB's",
            };
        }
        var addresses = allocation.Addresses.Select(a => a.ToAddress()).ToList();
        bool allocated = allocation.Allocated;
        string? annotation = ServiceRequest.Annotation(service, ServiceRequest.AllocatedFromPoolAnnotation);
        return new ServiceAllocationStatus
        {
            Namespace = service.Meta.Namespace,
            Name = service.Name,
            Outcome = allocated ? AllocationOutcome.Allocated : AllocationOutcome.Failed,
            Addresses = addresses,
            Pool = allocation.Pool?.Name,
            Reason = allocation.Error,
            AddressesChanged = !status.Select(IpValue.From).ToHashSet().SetEquals(allocation.Addresses),
            PoolAnnotationChanged = allocated && annotation != allocation.Pool!.Name,
        };
    }

    /// <summary>IPAddressPool.status per pool, as upstream's allocator counts it (poolCount, updatePoolStats).</summary>
    internal static IReadOnlyList<PoolAllocationStatus> PoolCounts(ValidatedConfig config, Allocator allocator)
    {
        var inUse = config.Pools.ToDictionary(p => p.Name, _ => new HashSet<IpValue>(), StringComparer.Ordinal);
        foreach (var allocation in allocator.Services.Values)
        {
            if (allocation.Allocated)
            {
                inUse[allocation.Pool!.Name].UnionWith(allocation.Addresses);
            }
        }
        return config.Pools.OrderBy(p => p.Name, StringComparer.Ordinal).Select(pool =>
        {
            long assigned4 = inUse[pool.Name].Count(a => !a.IsV6);
            long assigned6 = inUse[pool.Name].Count(a => a.IsV6);
            return new PoolAllocationStatus(pool.Name, assigned4, assigned6,
                Usable(pool, v6: false) - assigned4, Usable(pool, v6: true) - assigned6);
        }).ToList();
    }

    /// <summary>The addresses of one family the pool can hand out, saturating at <see cref="long.MaxValue"/>.</summary>
    internal static long Usable(PoolConfig pool, bool v6)
    {
        UInt128 total = 0;
        foreach (var block in pool.Blocks.Where(b => b.IsV6 == v6))
        {
            UInt128 span = block.Last - block.First; // size - 1: a whole /0 does not fit in UInt128
            if (span >= long.MaxValue || total + span + 1 >= long.MaxValue)
            {
                return long.MaxValue;
            }
            total += span + 1;
            if (pool.Resource.AvoidBuggyIps && !v6)
            {
                // Each .0 and each .255 in the block: one of each per /24 it spans, fewer in a smaller block.
                total -= Multiples256(block.First, block.Last) + Multiples256(block.First + 1, block.Last + 1);
            }
        }
        return (long)total;
    }

    /// <summary>How many multiples of 256 lie in [first, last].</summary>
    private static UInt128 Multiples256(UInt128 first, UInt128 last) => last / 256 - (first == 0 ? 0 : (first - 1) / 256) + (first == 0 ? 1u : 0u);
}
