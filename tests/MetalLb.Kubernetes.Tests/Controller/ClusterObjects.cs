using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Tests.Controller;

/// <summary>Snapshots as the API-server source yields them to the controller (normalized objects, JSON).</summary>
internal static class ClusterObjects
{
    public static ManifestDocument Pool(string name, params string[] addresses) => Pool(name, null, addresses);

    /// <summary>A pool whose status already holds <paramref name="status"/>.</summary>
    public static ManifestDocument Pool(string name, Kubernetes.Controller.PoolCounts? status, params string[] addresses)
    {
        var list = string.Join(",", addresses.Select(a => "\"" + a + "\""));
        var statusJson = status is null ? "" : $$$""","status":{"assignedIPv4":{{{status.AssignedIPv4}}},"assignedIPv6":{{{status.AssignedIPv6}}},"availableIPv4":{{{status.AvailableIPv4}}},"availableIPv6":{{{status.AvailableIPv6}}}}""";
        return new($"IPAddressPool/metallb-system/{name}", $$$"""
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"{{{name}}}","namespace":"metallb-system"},
             "spec":{"addresses":[{{{list}}}]}{{{statusJson}}}}
            """);
    }

    public static ManifestDocument Service(string name, string? ingress = null, string? pool = null, string type = "LoadBalancer",
        string? loadBalancerClass = null, string? requested = null, string ns = "default", string? resourceVersion = null)
    {
        var annotations = new List<string>();
        if (pool is not null)
        {
            annotations.Add($"\"metallb.io/ip-allocated-from-pool\":\"{pool}\"");
        }
        if (requested is not null)
        {
            annotations.Add($"\"metallb.io/loadBalancerIPs\":\"{requested}\"");
        }
        var status = ingress is null ? "" : $",\"status\":{{\"loadBalancer\":{{\"ingress\":[{string.Join(",", ingress.Split(',').Select(i => $"{{\"ip\":\"{i}\"}}"))}]}}}}";
        var cls = loadBalancerClass is null ? "" : $",\"loadBalancerClass\":\"{loadBalancerClass}\"";
        var annotationList = string.Join(",", annotations);
        var version = resourceVersion is null ? "" : $",\"resourceVersion\":\"{resourceVersion}\"";
        return new ManifestDocument($"Service/{ns}/{name}", $$$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"{{{version}}},"annotations":{{{{annotationList}}}}},
             "spec":{"type":"{{{type}}}","clusterIP":"10.96.0.10","ports":[{"port":80,"protocol":"TCP"}]{{{cls}}}}{{{status}}}}
            """);
    }

    public static ResourceSnapshot Snapshot(params ManifestDocument[] documents) => new("test", documents, []);
}
