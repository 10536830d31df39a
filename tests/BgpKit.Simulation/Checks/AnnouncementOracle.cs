using System.Net;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.Simulation.Api;

namespace BgpKit.Simulation.Checks;

/// <summary>
/// METALLB.md's announcement rule, written again from the objects without MetalLb.Model, for the shapes the
/// simulation generates (CIDR pools, matchLabels selectors, aggregation 32): node N may send prefix P to peer R
/// only when some LoadBalancer Service holds P's address in its status, the pool holding it is advertised to R
/// by an advertisement whose node selectors select N, R's own node selectors select N, N is not excluded, and
/// the Service has a ready endpoint (on N itself with externalTrafficPolicy Local).
/// </summary>
internal sealed class AnnouncementOracle
{
    private const string Exclude = "node.kubernetes.io/exclude-from-external-load-balancers";

    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _nodes = new(StringComparer.Ordinal);
    private readonly List<(string Name, IReadOnlyList<Dictionary<string, string>> Selectors)> _peers = [];
    private readonly List<(string Name, IReadOnlyList<IPNetwork> Cidrs)> _pools = [];
    private readonly List<(IReadOnlyList<string> Pools, IReadOnlyList<Dictionary<string, string>> Selectors, IReadOnlyList<string> Peers)> _advertisements = [];
    private readonly List<(string Key, IReadOnlyList<IPAddress> Ingress, bool Local)> _services = [];
    private readonly Dictionary<string, List<(string? Node, bool Ready)>> _endpoints = new(StringComparer.Ordinal);

    public AnnouncementOracle(ResourceSnapshot snapshot, SharedTexts texts)
    {
        foreach (var document in snapshot.Documents)
        {
            var obj = texts.Parse(document.Text);
            var meta = obj["metadata"]!;
            var name = (string)meta["name"]!;
            var spec = obj["spec"];
            switch ((string)obj["kind"]!)
            {
                case "Node":
                    _nodes[name] = Labels(meta["labels"]);
                    break;
                case "BGPPeer":
                    _peers.Add((name, Selectors(spec?["nodeSelectors"])));
                    break;
                case "IPAddressPool":
                    _pools.Add((name, Strings(spec?["addresses"]).Select(IPNetwork.Parse).ToList()));
                    break;
                case "BGPAdvertisement":
                    _advertisements.Add((Strings(spec?["ipAddressPools"]), Selectors(spec?["nodeSelectors"]), Strings(spec?["peers"])));
                    break;
                case "Service" when IsLoadBalancer(spec):
                    var ingress = (obj["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).Select(i => IPAddress.Parse((string)i!["ip"]!)).ToList();
                    _services.Add(($"{meta["namespace"]}/{name}", ingress, (string?)spec?["externalTrafficPolicy"] == "Local"));
                    break;
                case "EndpointSlice":
                    var service = $"{meta["namespace"]}/{(string?)meta["labels"]?["kubernetes.io/service-name"]}";
                    if (!_endpoints.TryGetValue(service, out var list))
                    {
                        list = [];
                        _endpoints[service] = list;
                    }
                    foreach (var e in obj["endpoints"] as JsonArray ?? [])
                    {
                        list.Add(((string?)e!["nodeName"], (bool?)e["conditions"]?["ready"] ?? true));
                    }
                    break;
            }
        }
    }

    /// <summary>Why <paramref name="node"/> may not send <paramref name="prefix"/> to <paramref name="peer"/>, or null when it may.</summary>
    public string? Refuses(string node, string peer, IPNetwork prefix)
    {
        if (!_nodes.TryGetValue(node, out var labels))
        {
            return "no such Node";
        }
        if (labels.ContainsKey(Exclude))
        {
            return "the node is excluded from load balancers";
        }
        var peerEntry = _peers.FirstOrDefault(p => p.Name == peer);
        if (peerEntry.Name is null)
        {
            return "no such BGPPeer";
        }
        if (!Selected(peerEntry.Selectors, labels))
        {
            return "the BGPPeer's nodeSelectors do not select the node";
        }
        if (prefix.PrefixLength != (prefix.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            return "an aggregate the simulation never configures";
        }
        var address = prefix.BaseAddress;
        var pool = _pools.FirstOrDefault(p => p.Cidrs.Any(c => c.Contains(address)));
        if (pool.Name is null)
        {
            return "no pool holds the address";
        }
        if (!_advertisements.Any(a => (a.Pools.Count == 0 || a.Pools.Contains(pool.Name)) && Selected(a.Selectors, labels) && (a.Peers.Count == 0 || a.Peers.Contains(peer))))
        {
            return $"no advertisement of pool {pool.Name} selects this node and peer";
        }
        var why = "no LoadBalancer Service holds the address";
        foreach (var (key, ingress, local) in _services.Where(s => s.Ingress.Contains(address)))
        {
            var endpoints = _endpoints.GetValueOrDefault(key) ?? [];
            if (endpoints.Any(e => e.Ready && (!local || e.Node == node)))
            {
                return null;
            }
            why = local ? $"{key} (Local) has no ready endpoint on the node" : $"{key} has no ready endpoint";
        }
        return why;
    }

    private static bool IsLoadBalancer(JsonNode? spec) => spec is not null && (string?)spec["type"] == "LoadBalancer";

    private static bool Selected(IReadOnlyList<Dictionary<string, string>> selectors, IReadOnlyDictionary<string, string> labels) =>
        selectors.Count == 0 || selectors.Any(s => s.All(p => labels.TryGetValue(p.Key, out var v) && v == p.Value));

    private static IReadOnlyDictionary<string, string> Labels(JsonNode? node) =>
        (node as JsonObject ?? []).ToDictionary(p => p.Key, p => (string?)p.Value ?? "", StringComparer.Ordinal);

    private static List<Dictionary<string, string>> Selectors(JsonNode? node) =>
        (node as JsonArray ?? []).Select(s => (s!["matchLabels"] as JsonObject ?? []).ToDictionary(p => p.Key, p => (string?)p.Value ?? "", StringComparer.Ordinal)).ToList();

    private static List<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => (string)n!).ToList();
}
