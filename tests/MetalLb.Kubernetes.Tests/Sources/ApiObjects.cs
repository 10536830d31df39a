using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

/// <summary>MetalLB and core objects as the API server holds them (JSON), for the fake server.</summary>
internal static class ApiObjects
{
    public static string Pool(string cidr, string name = "pool") => $$$"""
        {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool",
         "metadata":{"name":"{{{name}}}","namespace":"metallb-system","generation":1,
                     "managedFields":[{"manager":"kubectl"}],
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
         "spec":{"addresses":["{{{cidr}}}"],"avoidBuggyIPs":true,"autoAssign":true}}
        """;

    public const string Peer = """
        {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer",
         "metadata":{"name":"router","namespace":"metallb-system"},
         "spec":{"myASN":64513,"peerASN":64512,"peerAddress":"127.0.0.2","peerPort":1790,"holdTime":"9s"}}
        """;

    public const string Advertisement = """
        {"apiVersion":"metallb.io/v1beta1","kind":"BGPAdvertisement",
         "metadata":{"name":"adv","namespace":"metallb-system"},
         "spec":{"ipAddressPools":["pool"],"communities":["64512:100"]}}
        """;

    public static string Service(string name, string ns = "default", string? loadBalancerIp = null, string? ingress = null) => $$$"""
        {"apiVersion":"v1","kind":"Service",
         "metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"u-{{{name}}}"},
         "spec":{"type":"LoadBalancer",{{{(loadBalancerIp is null ? "" : $"\"loadBalancerIP\":\"{loadBalancerIp}\",")}}}"clusterIP":"10.96.0.10","ports":[{"name":"http","port":80,"protocol":"TCP"}]},
         "status":{"loadBalancer":{{{(ingress is null ? "{}" : $"{{\"ingress\":[{{\"ip\":\"{ingress}\"}}]}}")}}},"conditions":[]}}
        """;

    public static string Node(string name, string zone = "a") => $$$"""
        {"apiVersion":"v1","kind":"Node",
         "metadata":{"name":"{{{name}}}","labels":{"kubernetes.io/hostname":"{{{name}}}","zone":"{{{zone}}}"}},
         "spec":{"podCIDR":"10.244.0.0/24"},
         "status":{"conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2026-11-21T18:00:00Z"}]}}
        """;

    /// <summary>A pool, a peer, an advertisement, a node and one service: a plan with one route.</summary>
    public static void Seed(FakeApiServer server)
    {
        server.Put(Pool("198.51.100.0/28"));
        server.Put(Peer);
        server.Put(Advertisement);
        server.Put(Node("node-1"));
        server.Put(Service("web"));
        // Outside MetalLB's namespace: a MetalLB object there is not this speaker's configuration.
        server.Put(Pool("192.0.2.0/24", "elsewhere").Replace("metallb-system", "other", StringComparison.Ordinal));
    }
}
