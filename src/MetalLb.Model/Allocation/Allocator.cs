using BgpKit.MetalLb.Model.Resources;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model.Allocation;

/// <summary>The addresses a service holds and the pool they come from.</summary>
internal sealed record ServiceAllocationResult(ServiceRequest Request, PoolConfig? Pool, IReadOnlyList<IpValue> Addresses, string? Error)
{
    public bool Allocated => Error is null && Pool is not null;
}

/// <summary>
/// The controller's address allocation (METALLB.md "Allocation"). Stateful and incremental:
/// <see cref="Assign"/> and <see cref="Release"/> touch one service. Pools are tried in a
/// deterministic order (priority, then name) where upstream picks at random.
/// </summary>
internal sealed class Allocator(ValidatedConfig config)
{
    // Arrays, replaced on change: nearly every address has one user, and a list would be two objects each.
    private readonly Dictionary<IpValue, ServiceAllocationResult[]> _byAddress = [];
    private readonly Dictionary<string, ServiceAllocationResult> _byService = new(StringComparer.Ordinal);

    // Per pool and family, a lower bound below which every address is taken: a service without a
    // sharing key starts its search there, so filling a pool is linear rather than quadratic. Indexed by
    // PoolConfig.Index * 2 + family: every allocation checks it for each full pool it passes.
    private readonly UInt128[] _takenBelow = new UInt128[config.Pools.Count * 2];

    // The general pools' order never changes for a configuration; compute it once.
    private readonly List<PoolConfig> _general = config.Pools
        .Where(p => p.Resource.AutoAssign && p.Resource.ServiceAllocation is null)
        .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    private readonly bool _anyServiceAllocation = config.Pools.Any(p => p.Resource.ServiceAllocation is not null);

    public ValidatedConfig Config => config;

    public IReadOnlyDictionary<string, ServiceAllocationResult> Services => _byService;

    /// <summary>
    /// Allocates every LoadBalancer service: first those that already hold addresses (kept when a
    /// pool still contains them), then the others, each group in namespace/name order.
    /// </summary>
    public static Allocator AllocateAll(ValidatedConfig config, IEnumerable<ServiceResource> services, IReadOnlySet<string>? sharingChanged = null)
    {
        var allocator = new Allocator(config);
        var eligible = services.Where(IsMetalLbService).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        allocator.EnsureCapacity(eligible.Count);
        // Upstream reconciles the Service that changed on its own, so when its sharing key, ports or traffic policy no
        // longer fit a shared address, it is the one that moves. Here every Service keeps in one pass: those whose
        // sharing did not change keep first, or the unchanged partner earlier by name would lose the address instead.
        var keepOrder = sharingChanged is { Count: > 0 } ? eligible.OrderBy(s => sharingChanged.Contains(s.Key)).ToList() : eligible;
        var rest = keepOrder.Where(s => s.IngressIps.Count == 0 || allocator.TryKeep(s) is null)
            .OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        foreach (var service in rest)
        {
            allocator.Assign(service);
        }
        return allocator;
    }

    /// <summary>Sizes the tables for <paramref name="services"/> services at once, rather than growing them one by one.</summary>
    public void EnsureCapacity(int services)
    {
        _byService.EnsureCapacity(services);
        _byAddress.EnsureCapacity(services);
    }

    public static bool IsMetalLbService(ServiceResource service) =>
        service.Type == "LoadBalancer" && (service.LoadBalancerClass is null or "metallb.io/metallb");

    public void Release(string serviceKey)
    {
        if (!_byService.Remove(serviceKey, out var previous))
        {
            return;
        }
        var addresses = previous.Addresses;
        for (int i = 0; i < addresses.Count; i++)
        {
            var address = addresses[i];
            if (_byAddress.TryGetValue(address, out var users))
            {
                users = Without(users, serviceKey);
                _byAddress[address] = users;
                if (users.Length == 0)
                {
                    _byAddress.Remove(address);
                    if (previous.Pool is { } pool && address.Value < _takenBelow[Hint(pool, address.IsV6)])
                    {
                        _takenBelow[Hint(pool, address.IsV6)] = address.Value;
                    }
                }
            }
        }
    }

    // A loop, not Array.FindAll: a lambda capturing the key would be allocated on every Release.
    private static ServiceAllocationResult[] Without(ServiceAllocationResult[] users, string serviceKey)
    {
        var kept = new List<ServiceAllocationResult>(users.Length);
        foreach (var user in users)
        {
            if (user.Request.Key != serviceKey)
            {
                kept.Add(user);
            }
        }
        return [.. kept];
    }

    /// <summary>
    /// Keeps the addresses a service already holds (its status) when the configuration still allows
    /// them; returns null, holding nothing, when they must be released. Run for every such service
    /// before allocating new ones, so that no new service takes an address that is held.
    /// </summary>
    public ServiceAllocationResult? TryKeep(ServiceResource service)
    {
        Release(service.Key);
        var request = new ServiceRequest(service);
        var (requested, error) = request.RequestedAddresses();
        if (error is not null || requested.Count > 0 && !requested.Select(IpValue.From).ToHashSet().SetEquals(service.IngressIps.Select(IpValue.From)))
        {
            return null;
        }
        var pool = request.RequestedPool is { } name ? config.Pool(name) : null;
        if (request.RequestedPool is not null && pool is null)
        {
            return null;
        }
        var kept = Keep(request, pool, request.Families().V6Families);
        if (kept is not null)
        {
            Record(kept);
        }
        return kept;
    }

    /// <summary>Allocates (or re-allocates) one service; the result carries upstream's event text on failure.</summary>
    public ServiceAllocationResult Assign(ServiceResource service)
    {
        Release(service.Key);
        var request = new ServiceRequest(service);
        var result = Allocate(request);
        if (result.Error is not null)
        {
            result = result with { Error = $"Failed to allocate IP for \"{service.Key}\": {result.Error}" };
        }
        Record(result);
        return result;
    }

    /// <summary>
    /// The speaker's side (<see cref="AddressSource.ServiceStatus"/>): the addresses the controller wrote in
    /// the service's status, nothing allocated. Their pool is the one <c>metallb.io/ip-allocated-from-pool</c>
    /// names when it contains them all, else the pool that does (upstream's speaker looks only for the latter).
    /// </summary>
    public ServiceAllocationResult FromStatus(ServiceResource service)
    {
        Release(service.Key);
        var request = new ServiceRequest(service);
        var result = StatusAddresses(request);
        Record(result);
        return result;
    }

    private ServiceAllocationResult StatusAddresses(ServiceRequest request)
    {
        var ingress = request.Service.IngressIps;
        if (ingress.Count == 0)
        {
            return Fail(request, "no address in status.loadBalancer.ingress (the controller has not assigned one)");
        }
        var values = ingress.Select(IpValue.From).Distinct().ToList();
        var named = ServiceRequest.Annotation(request.Service, ServiceRequest.AllocatedFromPoolAnnotation) is { } name ? config.Pool(name) : null;
        var pool = named is not null && values.All(named.Contains) ? named : config.Pools.FirstOrDefault(p => values.All(p.Contains));
        if (pool is not null)
        {
            return new ServiceAllocationResult(request, pool, values, null);
        }
        var outside = values.Where(v => config.PoolContaining(v) is null).ToList();
        return Fail(request, outside.Count > 0
            ? $"{string.Join(", ", outside.Select(v => $"\"{v}\""))} in status.loadBalancer.ingress is not in any IPAddressPool (assigned IP not allowed by config)"
            : $"the addresses in status.loadBalancer.ingress ({string.Join(", ", values)}) are not all in one IPAddressPool");
    }

    private void Record(ServiceAllocationResult result)
    {
        _byService[result.Request.Key] = result;
        var addresses = result.Addresses;
        for (int i = 0; i < addresses.Count; i++)
        {
            var address = addresses[i];
            _byAddress[address] = _byAddress.TryGetValue(address, out var users) ? [.. users, result] : [result];
        }
    }

    private ServiceAllocationResult Allocate(ServiceRequest request)
    {
        var (requested, requestError) = request.RequestedAddresses();
        if (requestError is not null)
        {
            return Fail(request, requestError);
        }
        string? poolName = request.RequestedPool;
        PoolConfig? requestedPool = null;
        if (poolName is not null)
        {
            requestedPool = config.Pool(poolName);
            if (requestedPool is null)
            {
                return Fail(request, $"unknown pool \"{poolName}\"");
            }
        }
        var (families, requireAll) = request.Families();

        if (requested.Count > 0)
        {
            var values = requested.Select(IpValue.From).ToList();
            PoolConfig? pool = null;
            foreach (var value in values)
            {
                var containing = config.PoolContaining(value);
                if (containing is null)
                {
                    return Fail(request, $"\"{value}\" is not allowed in config");
                }
                if (containing.Resource.AvoidBuggyIps && value.IsBuggy)
                {
                    // Upstream's poolFor passes over such a pool, so its words are "not allowed in config"; say why.
                    return Fail(request, $"\"{value}\" is not allowed in config: IPAddressPool {containing.Name} has avoidBuggyIPs, which never assigns an IPv4 address ending in .0 or .255");
                }
                if (requestedPool is not null && containing != requestedPool)
                {
                    return Fail(request, $"\"{value}\" is not in pool \"{requestedPool.Name}\"");
                }
                if (pool is not null && containing != pool)
                {
                    return Fail(request, "requested addresses belong to different pools");
                }
                pool = containing;
                if (SharingConflict(request, value) is { } conflict)
                {
                    return Fail(request, conflict);
                }
            }
            if (!PoolAllows(pool!, request))
            {
                return Fail(request, $"pool \"{pool!.Name}\" does not allow service \"{request.Key}\" (serviceAllocation)");
            }
            if (requireAll && families.Length == 2 && values.Count < 2)
            {
                return Fail(request, "RequireDualStack needs one requested address of each family");
            }
            return new ServiceAllocationResult(request, pool, values, null);
        }

        // Addresses already held (service status) stay when a pool still contains them.
        if (request.Service.IngressIps.Count > 0 && Keep(request, requestedPool, families) is { } kept)
        {
            return kept;
        }

        if (requestedPool is not null)
        {
            if (!PoolAllows(requestedPool, request))
            {
                return Fail(request, $"pool \"{requestedPool.Name}\" does not allow service \"{request.Key}\" (serviceAllocation)");
            }
            return TryPool(requestedPool, request, families, requireAll) is { } fromRequested
                ? fromRequested
                : Fail(request, $"no available IPs in pool \"{requestedPool.Name}\"");
        }
        var candidates = CandidatePools(request);
        for (int i = 0; i < candidates.Count; i++)
        {
            if (TryPool(candidates[i], request, families, requireAll) is { } result)
            {
                return result;
            }
        }
        return Fail(request, "no available IPs");
    }

    /// <summary>Pools with a matching serviceAllocation by (priority, name), then autoAssign pools without one, by name.</summary>
    internal IReadOnlyList<PoolConfig> CandidatePools(ServiceRequest request)
    {
        if (!_anyServiceAllocation)
        {
            return _general;
        }
        var pinned = config.Pools
            .Where(p => p.Resource.AutoAssign && p.Resource.ServiceAllocation is not null && PoolAllows(p, request))
            .OrderBy(p => p.Resource.ServiceAllocation!.Priority ?? int.MaxValue)
            .ThenBy(p => p.Name, StringComparer.Ordinal);
        return pinned.Concat(_general).ToList();
    }

    private ServiceAllocationResult? Keep(ServiceRequest request, PoolConfig? requestedPool, bool[] families)
    {
        var values = request.Service.IngressIps.Select(IpValue.From).ToList();
        var pool = config.PoolContaining(values[0]);
        if (pool is null || values.Any(v => config.PoolContaining(v) != pool) || (requestedPool is not null && pool != requestedPool)
            || !PoolAllows(pool, request) || values.Any(v => SharingConflict(request, v) is not null)
            || values.Any(v => !families.Contains(v.IsV6)) || (pool.Resource.AvoidBuggyIps && values.Any(v => v.IsBuggy)))
        {
            return null;
        }
        return new ServiceAllocationResult(request, pool, values, null);
    }

    private ServiceAllocationResult? TryPool(PoolConfig pool, ServiceRequest request, bool[] families, bool requireAll)
    {
        Span<IpValue> found = stackalloc IpValue[2];
        int count = 0;
        foreach (bool v6 in families)
        {
            if (FirstFree(pool, request, v6) is { } address)
            {
                found[count++] = address;
            }
            else if (requireAll)
            {
                return null;
            }
        }
        return count == 0 ? null : new ServiceAllocationResult(request, pool, found[..count].ToArray(), null);
    }

    private static int Hint(PoolConfig pool, bool v6) => pool.Index * 2 + (v6 ? 1 : 0);

    /// <summary>The lowest address of the family that is free, or shared compatibly.</summary>
    private IpValue? FirstFree(PoolConfig pool, ServiceRequest request, bool v6)
    {
        bool fromHint = request.SharingKey is null;
        UInt128 below = fromHint ? _takenBelow[Hint(pool, v6)] : 0;
        if (below != 0 && below > pool.LastOf(v6))
        {
            return null; // full
        }
        bool allTaken = true;
        IpBlock? lastOfFamily = null;
        var blocks = pool.Blocks;
        for (int i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            if (block.IsV6 != v6)
            {
                continue;
            }
            lastOfFamily = block;
            if (block.Last < below)
            {
                continue;
            }
            for (UInt128 value = UInt128.Max(block.First, below); ; value++)
            {
                var address = new IpValue(v6, value);
                bool skipped = pool.Resource.AvoidBuggyIps && address.IsBuggy;
                if (!skipped && Conflict(request, address, explain: false) is null)
                {
                    if (fromHint && allTaken)
                    {
                        _takenBelow[Hint(pool, v6)] = value;
                    }
                    return address;
                }
                allTaken &= skipped || _byAddress.ContainsKey(address);
                if (value == block.Last)
                {
                    break;
                }
            }
        }
        if (fromHint && allTaken && lastOfFamily is { Length: > 0 } last && last.Last < (v6 ? UInt128.MaxValue : uint.MaxValue))
        {
            _takenBelow[Hint(pool, v6)] = last.Last + 1;
        }
        return null;
    }

    /// <summary>Why <paramref name="address"/> cannot go to this service, or null when it can (free or shareable).</summary>
    private string? SharingConflict(ServiceRequest request, IpValue address) => Conflict(request, address, explain: true);

    // FirstFree asks about every address it tries, most of them taken: it needs no reason text.
    private const string Unexplained = "address in use";

    private string? Conflict(ServiceRequest request, IpValue address, bool explain)
    {
        if (!_byAddress.TryGetValue(address, out var users))
        {
            return null;
        }
        string? key = request.SharingKey;
        foreach (var user in users)
        {
            if (user.Request.Key == request.Key)
            {
                continue;
            }
            if (key is null || user.Request.SharingKey != key)
            {
                return explain ? $"can't change sharing key for \"{request.Key}\", address also in use by {user.Request.Key}" : Unexplained;
            }
            if ((request.IsLocal || user.Request.IsLocal) && request.BackendKey != user.Request.BackendKey)
            {
                return explain ? $"can't share address {address} with {user.Request.Key}: with externalTrafficPolicy Local the selectors must match" : Unexplained;
            }
            foreach (var port in request.Service.Ports)
            {
                if (user.Request.Service.Ports.Any(p => p.Port == port.Port && p.Protocol == port.Protocol))
                {
                    return explain ? $"port {port.Protocol}/{port.Port} is already in use on {address} by {user.Request.Key}" : Unexplained;
                }
            }
        }
        return null;
    }

    /// <summary>serviceAllocation's namespace and service selectors (a pool without one allows every service).</summary>
    internal bool PoolAllows(PoolConfig pool, ServiceRequest request)
    {
        if (pool.Resource.ServiceAllocation is not { } allocation)
        {
            return true;
        }
        string ns = request.Service.Meta.Namespace;
        if (allocation.Namespaces.Count > 0 || allocation.NamespaceSelectors.Count > 0)
        {
            var labels = config.NamespaceLabels.GetValueOrDefault(ns) ?? ObjectMeta.NoLabels;
            bool inList = allocation.Namespaces.Contains(ns);
            bool selected = allocation.NamespaceSelectors.Any(s => s.Matches(labels));
            if (!inList && !selected)
            {
                return false;
            }
        }
        return allocation.ServiceSelectors.Count == 0 || allocation.ServiceSelectors.Any(s => s.Matches(request.Service.Meta.Labels));
    }

    private static ServiceAllocationResult Fail(ServiceRequest request, string error) => new(request, null, [], error);
}
