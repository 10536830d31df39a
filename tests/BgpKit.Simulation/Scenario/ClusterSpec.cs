using System.Globalization;
using System.Text.Json.Nodes;

namespace BgpKit.Simulation.Scenario;

/// <summary>
/// What the users of the simulated cluster hold in their YAML: nodes, peers, pools, advertisements, Services and
/// their endpoints. Edits change this model; <see cref="Render"/> turns an object into what <c>kubectl apply</c>
/// sends. At most one object is broken at a time (an invalid edit), and the model remembers its valid form.
/// </summary>
internal sealed class ClusterSpec
{
    public const string Ns = Cluster.MetalLbNamespace;

    public SortedDictionary<string, NodeSpec> Nodes { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, PeerSpec> Peers { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, PoolSpec> Pools { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, AdvertisementSpec> Advertisements { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, ServiceSpec> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>The store key of the object an invalid edit broke, or null.</summary>
    public string? Broken { get; set; }

    public static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name } },
    };

    public static JsonObject Render(NodeSpec n) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = n.Name, ["labels"] = Labels(n.Labels) },
    };

    public static JsonObject Render(PeerSpec p)
    {
        var spec = new JsonObject
        {
            ["myASN"] = p.BrokenAsn ? 0 : 64513,
            ["peerASN"] = p.PeerAsn,
            ["peerAddress"] = p.Address,
            ["holdTime"] = p.HoldTime,
        };
        if (p.GracefulRestart)
        {
            spec["enableGracefulRestart"] = true;
        }
        if (p.Zone is not null)
        {
            spec["nodeSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { ["zone"] = p.Zone } });
        }
        return Crd("metallb.io/v1beta2", "BGPPeer", p.Name, spec);
    }

    public static JsonObject Render(PoolSpec p) =>
        Crd("metallb.io/v1beta1", "IPAddressPool", p.Name, new JsonObject
        {
            ["addresses"] = new JsonArray(p.Addresses.Select(a => (JsonNode)a).ToArray()),
            ["autoAssign"] = p.AutoAssign,
            ["avoidBuggyIPs"] = false,
        });

    public static JsonObject Render(AdvertisementSpec a)
    {
        var spec = new JsonObject { ["ipAddressPools"] = new JsonArray(a.Pools.Select(p => (JsonNode)p).ToArray()) };
        if (a.Zone is not null)
        {
            spec["nodeSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { ["zone"] = a.Zone } });
        }
        if (a.Peers.Count > 0)
        {
            spec["peers"] = new JsonArray(a.Peers.Select(p => (JsonNode)p).ToArray());
        }
        if (a.Communities.Count > 0)
        {
            spec["communities"] = new JsonArray(a.Communities.Select(c => (JsonNode)c).ToArray());
        }
        return Crd("metallb.io/v1beta1", "BGPAdvertisement", a.Name, spec);
    }

    public static JsonObject Render(ServiceSpec s)
    {
        var annotations = new JsonObject();
        if (s.SharingKey is not null)
        {
            annotations["metallb.io/allow-shared-ip"] = s.SharingKey;
        }
        if (s.Requested is not null)
        {
            annotations["metallb.io/loadBalancerIPs"] = s.Requested;
        }
        var spec = new JsonObject
        {
            ["type"] = s.Type,
            ["clusterIP"] = "10.96.0." + s.ClusterIpOctet.ToString(CultureInfo.InvariantCulture),
            ["ports"] = new JsonArray(s.Ports.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Protocol.ToLowerInvariant() + p.Port.ToString(CultureInfo.InvariantCulture),
                ["port"] = p.Port,
                ["protocol"] = p.Protocol,
            }).ToArray()),
            ["selector"] = new JsonObject { ["app"] = s.App },
        };
        if (s.Type == "LoadBalancer")
        {
            spec["externalTrafficPolicy"] = s.Local ? "Local" : "Cluster";
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = s.Name, ["namespace"] = "default", ["annotations"] = annotations },
            ["spec"] = spec,
        };
    }

    public static JsonObject RenderEndpoints(ServiceSpec s) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = new JsonObject
        {
            ["name"] = s.Name + "-eps",
            ["namespace"] = "default",
            ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = s.Name },
        },
        ["addressType"] = "IPv4",
        ["endpoints"] = new JsonArray(s.Endpoints.Select((e, i) => (JsonNode)new JsonObject
        {
            ["addresses"] = new JsonArray((JsonNode)("10.244." + i.ToString(CultureInfo.InvariantCulture) + "." + s.ClusterIpOctet.ToString(CultureInfo.InvariantCulture))),
            ["conditions"] = new JsonObject { ["ready"] = e.Ready },
            ["nodeName"] = e.Node,
        }).ToArray()),
    };

    private static JsonObject Crd(string apiVersion, string kind, string name, JsonObject spec) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
        ["spec"] = spec,
    };

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels)
    {
        var result = new JsonObject();
        foreach (var (k, v) in labels.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            result[k] = v;
        }
        return result;
    }
}

internal sealed record NodeSpec(string Name, SortedDictionary<string, string> Labels);

internal sealed record PeerSpec(string Name, string Address, uint PeerAsn, string HoldTime, bool GracefulRestart, string? Zone)
{
    /// <summary>An invalid edit: myASN 0 (required, non-zero).</summary>
    public bool BrokenAsn { get; init; }
}

internal sealed record PoolSpec(string Name, IReadOnlyList<string> Addresses, bool AutoAssign);

internal sealed record AdvertisementSpec(string Name, IReadOnlyList<string> Pools, string? Zone, IReadOnlyList<string> Peers, IReadOnlyList<string> Communities);

internal sealed record PortSpec(int Port, string Protocol);

internal sealed record EndpointSpec(string Node, bool Ready);

internal sealed record ServiceSpec(string Name, int ClusterIpOctet, string Type, bool Local, string? SharingKey, string? Requested, IReadOnlyList<PortSpec> Ports, string App, IReadOnlyList<EndpointSpec> Endpoints);
