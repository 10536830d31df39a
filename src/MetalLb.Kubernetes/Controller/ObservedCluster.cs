using System.Text.Json;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>What the API server holds now of what the controller writes: each Service's type, class, ingress and pool annotation, and each pool's status.</summary>
internal sealed class ObservedCluster
{
    public const string AllocatedFromPool = "metallb.io/ip-allocated-from-pool";
    public const string MetalLbClass = "metallb.io/metallb";

    private ObservedCluster(IReadOnlyDictionary<string, ObservedService> services, IReadOnlyDictionary<string, ObservedPool> pools)
    {
        Services = services;
        Pools = pools;
    }

    /// <summary>Every Service, by namespace/name.</summary>
    public IReadOnlyDictionary<string, ObservedService> Services { get; }

    /// <summary>Every IPAddressPool, by namespace/name.</summary>
    public IReadOnlyDictionary<string, ObservedPool> Pools { get; }

    public static ObservedCluster From(ResourceSnapshot snapshot)
    {
        var services = new Dictionary<string, ObservedService>(StringComparer.Ordinal);
        var pools = new Dictionary<string, ObservedPool>(StringComparer.Ordinal);
        foreach (var document in snapshot.Documents)
        {
            var slash = document.Origin.IndexOf('/', StringComparison.Ordinal);
            var kind = slash < 0 ? "" : document.Origin[..slash];
            if (kind is not ("Service" or "IPAddressPool") || Parse(document.Text) is not { } obj)
            {
                continue;
            }
            var meta = obj["metadata"] as JsonObject;
            var ns = String(meta?["namespace"]) ?? "";
            var name = String(meta?["name"]) ?? "";
            if (kind == "Service")
            {
                var service = new ObservedService(
                    new ServiceRef(ns, name, String(meta?["uid"])),
                    String(obj["spec"]?["type"]) ?? "ClusterIP",
                    String(obj["spec"]?["loadBalancerClass"]),
                    (obj["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).Select(e => String(e?["ip"])).OfType<string>().ToArray(),
                    String(meta?["annotations"]?[AllocatedFromPool]))
                {
                    ResourceVersion = String(meta?["resourceVersion"]),
                };
                services[service.Ref.Key] = service;
            }
            else
            {
                var status = obj["status"] as JsonObject;
                PoolCounts? counts = status is null ? null : new PoolCounts(
                    Long(status["assignedIPv4"]), Long(status["assignedIPv6"]), Long(status["availableIPv4"]), Long(status["availableIPv6"]));
                pools[ns + "/" + name] = new ObservedPool(ns, name, counts);
            }
        }
        return new ObservedCluster(services, pools);
    }

    private static JsonObject? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    private static long Long(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var l) ? l : 0;
}

/// <summary>A Service as the controller sees it.</summary>
internal sealed record ObservedService(ServiceRef Ref, string Type, string? LoadBalancerClass, IReadOnlyList<string> Ingress, string? AllocatedFromPool)
{
    /// <summary>The version observed, which the controller's writes to this Service are conditional on (null when the source has none).</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>A LoadBalancer Service of MetalLB's class (no class, or <c>metallb.io/metallb</c>).</summary>
    public bool IsOurs => Type == "LoadBalancer" && LoadBalancerClass is null or ObservedCluster.MetalLbClass;

    /// <summary>A LoadBalancer Service that another load-balancer implementation owns: never touched.</summary>
    public bool IsForeign => Type == "LoadBalancer" && !IsOurs;
}

/// <summary>An IPAddressPool and the status it holds (null when none was written yet).</summary>
internal sealed record ObservedPool(string Namespace, string Name, PoolCounts? Status);
