using System.Net;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model;

/// <summary>What became of one Service in a <see cref="ClusterAllocation"/>.</summary>
public enum AllocationOutcome
{
    /// <summary>The Service holds <see cref="ServiceAllocationStatus.Addresses"/> from <see cref="ServiceAllocationStatus.Pool"/>.</summary>
    Allocated,

    /// <summary>No address could be given; <see cref="ServiceAllocationStatus.Reason"/> is MetalLB's event text.</summary>
    Failed,

    /// <summary>Not MetalLB's: not a LoadBalancer, or another loadBalancerClass. The controller leaves it alone.</summary>
    NotManaged,
}

/// <summary>One Service's allocation: what a controller writes to its status and annotations.</summary>
public sealed record ServiceAllocationStatus
{
    /// <summary>The Service's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The Service's name.</summary>
    public required string Name { get; init; }

    /// <summary>Allocated, failed, or not MetalLB's.</summary>
    public required AllocationOutcome Outcome { get; init; }

    /// <summary>The addresses for <c>status.loadBalancer.ingress</c>, in family order; empty unless allocated.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    /// <summary>The pool, for the <c>metallb.io/ip-allocated-from-pool</c> annotation; null unless allocated.</summary>
    public string? Pool { get; init; }

    /// <summary>
    /// For <see cref="AllocationOutcome.Failed"/>, the event MetalLB posts (<c>Failed to allocate IP for "ns/name": "4.3.2.1"
    /// is not allowed in config</c>, <c>... no available IPs</c>); for <see cref="AllocationOutcome.NotManaged"/>, why; else null.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Whether <see cref="Addresses"/> differ (as a set) from the service's <c>status.loadBalancer.ingress</c>: the
    /// controller writes the status only then. A failed service whose status still holds addresses has changed
    /// (upstream clears them); a service that is not MetalLB's never has.
    /// </summary>
    public bool AddressesChanged { get; init; }

    /// <summary>Whether an allocated service's <c>metallb.io/ip-allocated-from-pool</c> annotation differs from <see cref="Pool"/>.</summary>
    public bool PoolAnnotationChanged { get; init; }
}

/// <summary>
/// One IPAddressPool's <c>status</c> as MetalLB's controller writes it (int64 fields): addresses in use by
/// services (an address shared by several services counts once) and addresses still free for allocation.
/// The usable size leaves out the IPv4 addresses ending in .0 and .255 when the pool has <c>avoidBuggyIPs</c>.
/// Counts saturate at <see cref="long.MaxValue"/>: an IPv6 pool of 2^63 addresses or more reports
/// <c>long.MaxValue - assigned</c> available (upstream does the same for any block of 2^62 or more).
/// </summary>
/// <param name="Name">The pool's name.</param>
/// <param name="AssignedIPv4">IPv4 addresses of the pool held by services (status.assignedIPv4).</param>
/// <param name="AssignedIPv6">IPv6 addresses of the pool held by services (status.assignedIPv6).</param>
/// <param name="AvailableIPv4">Usable IPv4 addresses not held (status.availableIPv4).</param>
/// <param name="AvailableIPv6">Usable IPv6 addresses not held (status.availableIPv6).</param>
public sealed record PoolAllocationStatus(string Name, long AssignedIPv4, long AssignedIPv6, long AvailableIPv4, long AvailableIPv6);

/// <summary>
/// The result of allocating addresses for every Service of a cluster at once (<see cref="ClusterAllocator.Allocate"/>):
/// per Service what to write, per pool its status, and whether the configuration given was valid. Pure data;
/// pass it back as <c>previous</c> to the next call, which keeps what it allocated and the configuration in force.
/// </summary>
public sealed class ClusterAllocation
{
    internal ClusterAllocation(bool valid, IReadOnlyList<Problem> errors, ValidatedConfig? inForce,
        IReadOnlyList<ServiceAllocationStatus> services, IReadOnlyList<PoolAllocationStatus> pools)
    {
        ConfigurationValid = valid;
        Errors = errors;
        InForce = inForce;
        Services = services;
        Pools = pools;
    }

    /// <summary>Whether the configuration given to this call is valid (and is therefore now the one in force).</summary>
    public bool ConfigurationValid { get; }

    /// <summary>A ConfigurationState's <c>status.result</c>: <c>Valid</c> or <c>Invalid</c>.</summary>
    public string Result => ConfigurationValid ? "Valid" : "Invalid";

    /// <summary>The configuration's errors (empty when valid), each naming file, resource and field.</summary>
    public IReadOnlyList<Problem> Errors { get; }

    /// <summary>A ConfigurationState's <c>status.errorSummary</c>: the errors on one line each; empty when valid.</summary>
    public string ErrorSummary => string.Join("\n", Errors);

    /// <summary>
    /// Whether some valid configuration is in force: this call's, or the last valid one when this one is
    /// invalid (MetalLB keeps it). False only before any valid configuration; then <see cref="Services"/> and
    /// <see cref="Pools"/> are empty, and the controller should leave every Service as it is.
    /// </summary>
    public bool HasConfiguration => InForce is not null;

    /// <summary>Every Service given, by namespace/name: allocated, failed or not MetalLB's.</summary>
    public IReadOnlyList<ServiceAllocationStatus> Services { get; }

    /// <summary>Every pool of the configuration in force, by name, with its status counts.</summary>
    public IReadOnlyList<PoolAllocationStatus> Pools { get; }

    /// <summary>The configuration the allocation was made under (null before any valid one).</summary>
    internal ValidatedConfig? InForce { get; }

    /// <summary>
    /// Each MetalLB Service's <see cref="Allocation.ServiceRequest.SharingSignature"/> as of the last call whose allocation its
    /// status already showed (the one from before while a move is pending), so the next call knows whose sharing changed.
    /// </summary>
    internal IReadOnlyDictionary<string, string> SharingSignatures { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>One service's entry by namespace and name, or null.</summary>
    public ServiceAllocationStatus? Service(string @namespace, string name) =>
        Services.FirstOrDefault(s => s.Namespace == @namespace && s.Name == name);

    /// <summary>One pool's status by name, or null.</summary>
    public PoolAllocationStatus? Pool(string name) => Pools.FirstOrDefault(p => p.Name == name);
}
