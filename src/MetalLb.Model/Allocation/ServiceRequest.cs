using System.Net;
using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Allocation;

/// <summary>What a LoadBalancer service asks of the controller, read from its spec and annotations.</summary>
internal sealed record ServiceRequest(ServiceResource Service)
{
    public const string LoadBalancerIpsAnnotation = "metallb.io/loadBalancerIPs";
    public const string AddressPoolAnnotation = "metallb.io/address-pool";
    public const string AllowSharedIpAnnotation = "metallb.io/allow-shared-ip";
    public const string AllocatedFromPoolAnnotation = "metallb.io/ip-allocated-from-pool";
    private const string LegacyPrefix = "metallb.universe.tf/";

    // Read once: the allocator asks for these per pool and per address it tries.
    public string Key { get; } = Service.Key;

    public string? SharingKey { get; } = Annotation(Service, AllowSharedIpAnnotation);

    public string? RequestedPool { get; } = Annotation(Service, AddressPoolAnnotation);

    public static string? Annotation(ServiceResource service, string name, List<string>? warnings = null)
    {
        if (service.Meta.Annotations.Count == 0)
        {
            return null;
        }
        if (service.Meta.Annotations.TryGetValue(name, out var value))
        {
            return value;
        }
        string legacy = name switch
        {
            LoadBalancerIpsAnnotation => LegacyPrefix + "loadBalancerIPs",
            AddressPoolAnnotation => LegacyPrefix + "address-pool",
            AllowSharedIpAnnotation => LegacyPrefix + "allow-shared-ip",
            _ => LegacyPrefix + name["metallb.io/".Length..],
        };
        if (service.Meta.Annotations.TryGetValue(legacy, out value))
        {
            warnings?.Add($"annotation {legacy} is deprecated; use {name}");
            return value;
        }
        return null;
    }

    /// <summary>The selector, as the key that services sharing an address with ETP Local must agree on.</summary>
    public string BackendKey => string.Join(",", Service.Selector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public bool IsLocal => Service.ExternalTrafficPolicy == "Local";

    /// <summary>What decides whether this Service may share an address: key, traffic policy, selector, ports.</summary>
    public string SharingSignature => $"{SharingKey}|{IsLocal}|{BackendKey}|{string.Join(",", Service.Ports.Select(p => $"{p.Protocol}/{p.Port}").Order(StringComparer.Ordinal))}";

    /// <summary>Requested addresses, or an error in upstream's words.</summary>
    public (IReadOnlyList<IPAddress> Addresses, string? Error) RequestedAddresses()
    {
        string? annotation = Annotation(Service, LoadBalancerIpsAnnotation);
        string? spec = Service.LoadBalancerIp is { Length: > 0 } s ? s : null;
        if (annotation is null && spec is null)
        {
            return ([], null);
        }
        if (annotation is not null && spec is not null)
        {
            return ([], "service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP");
        }
        var list = new List<IPAddress>();
        foreach (var text in (annotation ?? spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!StrictIp.TryParse(text, out var address))
            {
                return ([], $"invalid IP \"{text}\" in {(annotation is null ? "spec.loadBalancerIP" : LoadBalancerIpsAnnotation)}");
            }
            list.Add(address);
        }
        if (list.Count > 2 || list.GroupBy(a => a.AddressFamily).Any(g => g.Count() > 1))
        {
            return ([], "at most one address per IP family may be requested");
        }
        return (list, null);
    }

    /// <summary>The families wanted: (families in order, whether all are required).</summary>
    public (bool[] V6Families, bool RequireAll) Families()
    {
        bool firstV6 = Service.IpFamilies.Count > 0 && Service.IpFamilies[0] == "IPv6";
        return Service.IpFamilyPolicy switch
        {
            "RequireDualStack" => (firstV6 ? V6ThenV4 : V4ThenV6, true),
            "PreferDualStack" => (firstV6 ? V6ThenV4 : V4ThenV6, false),
            _ => (firstV6 ? V6Only : V4Only, true),
        };
    }

    // Shared, never written: Families() is asked once per allocation.
    private static readonly bool[] V4Only = [false];
    private static readonly bool[] V6Only = [true];
    private static readonly bool[] V4ThenV6 = [false, true];
    private static readonly bool[] V6ThenV4 = [true, false];
}
