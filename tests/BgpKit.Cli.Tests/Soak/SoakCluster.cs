using System.Net;
using System.Text.Json.Nodes;
using BgpKit.BgpKit.Cli.Tests.Interop;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Soak;

/// <summary>
/// What the churn soak runs against: the fake API server in the test process, one <c>bgpkit controller</c> in the
/// test's namespace, one <c>bgpkit speaker</c> (node-1) in a "node" namespace and FRR (zebra, bfdd, bgpd) in a
/// "router" namespace, joined by a bridge. FRR's neighbor is passive with BFD (the speaker connects out);
/// node-2 exists only as a Node object, so endpoints can live on another node. The objects the test writes
/// (<see cref="Pools"/>, <see cref="Advertisements"/>, <see cref="Services"/>) are kept here so the plan can be
/// computed from them at the end.
/// </summary>
internal sealed class SoakCluster : IAsyncDisposable
{
    public const string MetalLbNamespace = "metallb-system";
    public const long RouterAsn = 64512;
    public const long NodeAsn = 64513;
    public const int StatusPort = 7473;

    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-soak-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly int _controllerPort = FreePort.Tcp();
    private NetBridge _lan = null!;

    public FakeApiServer Api { get; private set; } = null!;

    public FrrRouter Frr { get; private set; } = null!;

    public string RouterNamespace { get; private set; } = null!;

    public IPAddress RouterAddress { get; private set; } = null!;

    public (string Namespace, IPAddress Address) Node { get; private set; }

    public BgpKitProcess Controller { get; private set; } = null!;

    public BgpKitProcess Speaker { get; private set; } = null!;

    /// <summary>Pool name -> its CIDRs now.</summary>
    public Dictionary<string, string[]> Pools { get; } = new(StringComparer.Ordinal);

    /// <summary>Advertisement name -> (pool, node it is limited to or null for all nodes), for those that exist now.</summary>
    public Dictionary<string, (string Pool, string? Node, int Community)> Advertisements { get; } = new(StringComparer.Ordinal);

    /// <summary>Service name -> what the test made it.</summary>
    public Dictionary<string, SoakService> Services { get; } = new(StringComparer.Ordinal);

    public Uri SpeakerMetrics => new($"http://{Node.Address}:{StatusPort}/metrics");

    public Uri ControllerMetrics => new($"http://127.0.0.1:{_controllerPort}/metrics");

    public static async Task<SoakCluster> StartAsync()
    {
        var cluster = new SoakCluster();
        try
        {
            await cluster.InitializeAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private Task InitializeAsync()
    {
        _lan = NetBridge.Create("bgpkit-soak");
        (RouterNamespace, RouterAddress) = _lan.AddNamespace("router", 2);
        Node = _lan.AddNamespace("node1", 11);

        // connect 2: FRR is passive, but after a bgpd restart it must not sit in Idle; the BFD profile
        // matches the speaker's so either side's detection time is 3 x 300 ms.
        Frr = FrrRouter.StartIn(RouterNamespace, $"""
            router bgp {RouterAsn}
             bgp router-id {RouterAddress}
             no bgp ebgp-requires-policy
             no bgp network import-check
             neighbor {Node.Address} remote-as {NodeAsn}
             neighbor {Node.Address} passive
             neighbor {Node.Address} timers connect 2
             neighbor {Node.Address} bfd
             neighbor {Node.Address} bfd profile soak
            """, """
            bfd
             profile soak
              receive-interval 300
              transmit-interval 300
              detect-multiplier 3
            """);

        Api = new FakeApiServer(TimeProvider.System, anyHost: true);
        Api.Put($$$"""
            {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"router","namespace":"{{{MetalLbNamespace}}}"},
             "spec":{"myASN":{{{NodeAsn}}},"peerASN":{{{RouterAsn}}},"peerAddress":"{{{RouterAddress}}}","holdTime":"9s","keepaliveTime":"3s",
                     "connectTime":"2s","bfdProfile":"soak"}}
            """);
        Api.Put($$$"""
            {"apiVersion":"metallb.io/v1beta1","kind":"BFDProfile","metadata":{"name":"soak","namespace":"{{{MetalLbNamespace}}}"},
             "spec":{"receiveInterval":300,"transmitInterval":300,"detectMultiplier":3}}
            """);
        for (var n = 1; n <= 2; n++)
        {
            var address = n == 1 ? Node.Address.ToString() : "10.253.254.12";
            Api.Put($$$"""
                {"apiVersion":"v1","kind":"Node",
                 "metadata":{"name":"node-{{{n}}}","labels":{"kubernetes.io/hostname":"node-{{{n}}}"}},
                 "status":{"addresses":[{"type":"InternalIP","address":"{{{address}}}"}],
                           "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2026-11-21T18:00:00Z"}]}}
                """);
        }
        PutPool("pool-a", ["198.51.100.0/28"]);
        PutPool("pool-b", ["203.0.113.0/29"]);
        PutAdvertisement("adv-a", "pool-a", null, 0);

        Controller = BgpKitProcess.Start("controller", null, "controller",
            "--api-server", Api.Url.ToString(), "--identity", "controller-soak",
            "--metrics-listen", $"127.0.0.1:{_controllerPort}", "--log-level", "info");
        var api = new UriBuilder(Api.Url) { Host = _lan.Address.ToString() }.Uri;
        Speaker = BgpKitProcess.Start("node-1", Node.Namespace, "speaker",
            "--api-server", api.ToString(), "--node", "node-1", "--bgp-listen", "none",
            "--status", $"{Node.Address}:{StatusPort}", "--log-level", "info");
        return Task.CompletedTask;
    }

    public void PutPool(string name, string[] cidrs)
    {
        Pools[name] = cidrs;
        var addresses = new JsonArray([.. cidrs.Select(cidr => (JsonNode?)JsonValue.Create(cidr))]);
        Api.Put(new JsonObject
        {
            ["apiVersion"] = "metallb.io/v1beta1",
            ["kind"] = "IPAddressPool",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = MetalLbNamespace },
            ["spec"] = new JsonObject { ["addresses"] = addresses, ["autoAssign"] = true },
        }.ToJsonString());
    }

    /// <summary>A BGPAdvertisement of <paramref name="pool"/>, for every node or only <paramref name="node"/>, with a community when nonzero.</summary>
    public void PutAdvertisement(string name, string pool, string? node, int community)
    {
        Advertisements[name] = (pool, node, community);
        var spec = new JsonObject { ["ipAddressPools"] = new JsonArray(pool) };
        if (node is not null)
        {
            spec["nodeSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { ["kubernetes.io/hostname"] = node } });
        }
        if (community != 0)
        {
            spec["communities"] = new JsonArray($"64512:{community}");
        }
        Api.Put(new JsonObject
        {
            ["apiVersion"] = "metallb.io/v1beta1",
            ["kind"] = "BGPAdvertisement",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = MetalLbNamespace },
            ["spec"] = spec,
        }.ToJsonString());
    }

    public void DeleteAdvertisement(string name)
    {
        Advertisements.Remove(name);
        Api.Delete("metallb.io/v1beta1", "BGPAdvertisement", MetalLbNamespace, name);
    }

    /// <summary>A LoadBalancer Service as a user creates it (no status), with its EndpointSlice.</summary>
    public void PutService(SoakService service)
    {
        Services[service.Name] = service;
        var annotations = new JsonObject();
        if (service.Pool is not null)
        {
            annotations["metallb.io/address-pool"] = service.Pool;
        }
        Api.Put(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = service.Name, ["namespace"] = "default", ["annotations"] = annotations },
            ["spec"] = new JsonObject
            {
                ["type"] = "LoadBalancer",
                ["externalTrafficPolicy"] = service.Local ? "Local" : "Cluster",
                ["ports"] = JsonNode.Parse("""[{"name":"http","port":80,"protocol":"TCP"}]"""),
            },
            ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() },
        }.ToJsonString());
        PutEndpoints(service);
    }

    /// <summary>The Service's one EndpointSlice: a ready endpoint on each node in <see cref="SoakService.EndpointNodes"/>.</summary>
    public void PutEndpoints(SoakService service)
    {
        Services[service.Name] = service;
        var endpoints = new JsonArray(service.EndpointNodes.Select(n => (JsonNode)new JsonObject
        {
            ["addresses"] = new JsonArray($"10.244.{n}.{10 + service.Number % 200}"),
            ["nodeName"] = $"node-{n}",
            ["conditions"] = new JsonObject { ["ready"] = true, ["serving"] = true },
        }).ToArray());
        Api.Put(new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["addressType"] = "IPv4",
            ["metadata"] = new JsonObject
            {
                ["name"] = service.Name + "-abcde",
                ["namespace"] = "default",
                ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = service.Name },
            },
            ["endpoints"] = endpoints,
            ["ports"] = JsonNode.Parse("""[{"name":"http","port":8080,"protocol":"TCP"}]"""),
        }.ToJsonString());
    }

    public void DeleteService(string name)
    {
        Services.Remove(name);
        Api.Delete("v1", "Service", "default", name);
        Api.Delete("discovery.k8s.io/v1", "EndpointSlice", "default", name + "-abcde");
    }

    /// <summary>The pool whose CIDRs hold <paramref name="address"/> now, or null.</summary>
    public string? PoolOf(IPAddress address) =>
        Pools.FirstOrDefault(p => p.Value.Any(c => IPNetwork.Parse(c).Contains(address))).Key;

    /// <summary>How many addresses a pool holds now.</summary>
    public int Capacity(string pool) => Pools[pool].Sum(c => 1 << (32 - IPNetwork.Parse(c).PrefixLength));

    /// <summary>
    /// The /32 prefixes node-1 should announce to FRR, from the Services' addresses as the controller wrote them
    /// (METALLB.md "Announcement"): a pool that some advertisement selects node-1 for, a serving endpoint, and
    /// with externalTrafficPolicy Local a serving endpoint on node-1.
    /// </summary>
    public SortedSet<string> Plan()
    {
        var plan = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in Services.Values)
        {
            foreach (var ip in Api.Ingress("default", service.Name))
            {
                var address = IPAddress.Parse(ip);
                var pool = PoolOf(address);
                var advertised = pool is not null && Advertisements.Values.Any(a => a.Pool == pool && (a.Node is null || a.Node == "node-1"));
                var endpoint = service.Local ? service.EndpointNodes.Contains(1) : service.EndpointNodes.Length > 0;
                if (advertised && endpoint)
                {
                    plan.Add(ip + "/32");
                }
            }
        }
        return plan;
    }

    /// <summary>The prefixes FRR holds from node-1 in an address family (<c>ipv4</c>, <c>ipv6</c>), stale paths left out.</summary>
    public SortedSet<string> RoutesAtFrr(string family = "ipv4")
    {
        var routes = Frr.BgpdJson($"show bgp {family} unicast json")["routes"] as JsonObject ?? [];
        return new SortedSet<string>(
            routes.Where(r => (r.Value as JsonArray ?? []).Any(p => p?["stale"]?.GetValue<bool>() != true
                && (p?["peerId"]?.GetValue<string>() ?? p?["nexthops"]?[0]?["ip"]?.GetValue<string>()) == Node.Address.ToString()))
                .Select(r => r.Key),
            StringComparer.Ordinal);
    }

    /// <summary>FRR's BGP state for node-1 ("Established", "Active", ...).</summary>
    public string SessionState() => Frr.NeighborState(Node.Address.ToString());

    /// <summary>bfdd's status for node-1 ("up", "down", ...), or null before it knows the peer.</summary>
    public string? BfdState() => Frr.BfdPeer(Node.Address.ToString())?["status"]?.GetValue<string>();

    /// <summary>A scrape of <paramref name="url"/> as name -> value (samples without labels only, the ones the soak reads).</summary>
    public async Task<Dictionary<string, double>> ScrapeAsync(Uri url)
    {
        var text = await _http.GetStringAsync(url);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || line.Contains('{', StringComparison.Ordinal))
            {
                continue;
            }
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && double.TryParse(line[(space + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                values[line[..space]] = value;
            }
        }
        return values;
    }

    /// <summary>Every process's output and FRR's logs, for a failure message.</summary>
    public string Logs(int tail = 12000)
    {
        var text = "=== controller ===\n" + Controller?.Log + "=== speaker ===\n" + Speaker?.Log + "=== frr ===\n" + Frr?.Logs();
        return text.Length > tail ? text[^tail..] : text;
    }

    public async ValueTask DisposeAsync()
    {
        Speaker?.Dispose();
        Controller?.Dispose();
        Api?.Dispose();
        Frr?.Dispose();
        _lan?.Dispose();
        _http.Dispose();
        await Task.CompletedTask;
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>A Service the soak made: its number, pool annotation (null: any autoAssign pool), policy and endpoint nodes.</summary>
internal sealed record SoakService(int Number, string? Pool, bool Local, int[] EndpointNodes)
{
    public string Name => $"svc-{Number}";
}
