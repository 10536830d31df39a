using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Interop;

/// <summary>
/// A cluster made of processes, started once for <see cref="ClusterEndToEndTests"/>: the fake API server in the
/// test process (listening on all addresses), two <c>bgpkit controller</c> replicas in the test's namespace
/// (each with its own bearer token, so the fake attributes every write), two <c>bgpkit speaker</c>s each in its
/// own "node" namespace, and FRR bgpd in a "router" namespace, all on one bridge (10.253.N.0/24).
/// Every process runs as its role's service account under the RBAC of deploy/bgpkit.yaml, which the
/// fake enforces: a request outside the rendered rules is answered 403 and kept in <see cref="Denials"/>.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string MetalLbNamespace = "metallb-system";
    public const long RouterAsn = 64512;
    public const long NodeAsn = 64513;
    public const int SpeakerStatusPort = 7473;

    /// <summary>Short Lease timings (client-go's rules: lease duration > renew deadline > retry period).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    public static readonly string[] Identities = ["controller-a", "controller-b"];

    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-cluster-e2e-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly int[] _metricsPorts = new int[2];
    private readonly BgpKitProcess?[] _controllers = new BgpKitProcess?[2];
    private readonly BgpKitProcess?[] _speakers = new BgpKitProcess?[2];
    private readonly StringBuilder _stoppedLogs = new();
    private NetBridge _lan = null!;

    public FakeApiServer Api { get; private set; } = null!;

    /// <summary>Requests the rendered RBAC refused (none, when the manifests grant what each role uses).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<AuthorizationRequest> Denials { get; } = new();

    public FrrBgpdProcess Frr { get; private set; } = null!;

    public IPAddress RouterAddress { get; private set; } = null!;

    /// <summary>node-1 and node-2: namespace and address.</summary>
    public (string Namespace, IPAddress Address)[] Nodes { get; } = new (string, IPAddress)[2];

    public async Task InitializeAsync()
    {
        _lan = NetBridge.Create("bgpkit-e2e");
        (var routerNs, RouterAddress) = _lan.AddNamespace("router", 2);
        Nodes[0] = _lan.AddNamespace("node1", 11);
        Nodes[1] = _lan.AddNamespace("node2", 12);

        // The router: both nodes as passive eBGP neighbors (the speakers run with --bgp-listen none and connect out).
        var neighbors = string.Concat(Nodes.Select(n => $" neighbor {n.Address} remote-as {NodeAsn}\n neighbor {n.Address} passive\n"));
        var config = $"""
            frr defaults traditional
            router bgp {RouterAsn}
             bgp router-id {RouterAddress}
             no bgp ebgp-requires-policy
             no bgp network import-check
            {neighbors}
             address-family ipv4 unicast
              maximum-paths 8
             exit-address-family

            """;
        Frr = await FrrBgpdProcess.StartAsync(config, 179, RouterAddress.ToString(), routerNs);

        Api = new FakeApiServer(TimeProvider.System, anyHost: true);
        for (var i = 0; i < 2; i++)
        {
            var token = $"token-{Identities[i]}-{Guid.NewGuid():N}";
            File.WriteAllText(TokenFile(i), token);
            Api.TokenUsers[token] = Identities[i];
            var speakerToken = $"token-node-{i + 1}-{Guid.NewGuid():N}";
            File.WriteAllText(SpeakerTokenFile(i), speakerToken);
            Api.TokenUsers[speakerToken] = $"node-{i + 1}";
            _metricsPorts[i] = FreePort.Tcp();
        }
        // Each replica keeps its own name in the audit log; RBAC sees the service account its pod would run as.
        var rbac = new RbacAuthorizer(Deploy.Tests.YamlJson.Objects(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "deploy", "bgpkit.yaml"))));
        Api.RequestAuthorizer = request =>
        {
            if (request.User == "system:anonymous")
            {
                return true; // The test itself, looking (every bgpkit process sends its token).
            }
            var account = request.User.StartsWith("controller-", StringComparison.Ordinal) ? "bgpkit-controller"
                : request.User.StartsWith("node-", StringComparison.Ordinal) ? "bgpkit-speaker" : null;
            var allowed = account is not null && rbac.Allows(request with { User = $"system:serviceaccount:{MetalLbNamespace}:{account}" });
            if (!allowed)
            {
                Denials.Enqueue(request);
            }
            return allowed;
        };
        Seed();
        for (var i = 0; i < 2; i++)
        {
            StartController(i);
            StartSpeaker(i);
        }
    }

    public async Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("BGPKIT_KEEP_DAEMON_DIRS") == "1" && Frr is not null)
        {
            // Kept like the daemons' directories: every bgpkit process's output, for reading after a run.
            File.WriteAllText(Path.Combine(Path.GetTempPath(), $"bgpkit-cluster-e2e-{Environment.ProcessId}.log"), Logs());
        }
        foreach (var p in _controllers.Concat(_speakers))
        {
            p?.Dispose();
        }
        Api?.Dispose();
        if (Frr is not null)
        {
            await Frr.DisposeAsync();
        }
        _lan?.Dispose();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string TokenFile(int i) => Path.Combine(_dir, Identities[i] + ".token");

    private string SpeakerTokenFile(int i) => Path.Combine(_dir, $"node-{i + 1}.token");

    private void Seed()
    {
        Api.Put("""
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool","namespace":"metallb-system","generation":1},
             "spec":{"addresses":["198.51.100.0/28"],"avoidBuggyIPs":true,"autoAssign":true}}
            """);
        Api.Put($$$"""
            {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"router","namespace":"metallb-system"},
             "spec":{"myASN":{{{NodeAsn}}},"peerASN":{{{RouterAsn}}},"peerAddress":"{{{RouterAddress}}}","holdTime":"9s","keepaliveTime":"3s"}}
            """);
        Api.Put("""
            {"apiVersion":"metallb.io/v1beta1","kind":"BGPAdvertisement","metadata":{"name":"adv","namespace":"metallb-system"},
             "spec":{"ipAddressPools":["pool"]}}
            """);
        for (var i = 0; i < 2; i++)
        {
            Api.Put($$$"""
                {"apiVersion":"v1","kind":"Node",
                 "metadata":{"name":"node-{{{i + 1}}}","labels":{"kubernetes.io/hostname":"node-{{{i + 1}}}"}},
                 "spec":{"podCIDR":"10.244.{{{i}}}.0/24"},
                 "status":{"addresses":[{"type":"InternalIP","address":"{{{Nodes[i].Address}}}"}],
                           "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2026-11-21T18:00:00Z"}]}}
                """);
        }
        PutService("web");
    }

    /// <summary>A LoadBalancer Service as a user creates it (no status), optionally requesting an address.</summary>
    public void PutService(string name, string? requested = null)
    {
        var annotations = requested is null ? new JsonObject() : new JsonObject { ["metallb.io/loadBalancerIPs"] = requested };
        var service = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["annotations"] = annotations },
            ["spec"] = JsonNode.Parse("""{"type":"LoadBalancer","ports":[{"name":"http","port":80,"protocol":"TCP"}]}"""),
            ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() },
        };
        Api.Put(service.ToJsonString());
    }

    internal BgpKitProcess Controller(int i) => _controllers[i] ?? throw new InvalidOperationException($"{Identities[i]} is not running");

    public int IndexOf(string identity) => Array.IndexOf(Identities, identity);

    public void StartController(int i)
    {
        Stopped(_controllers[i]);
        _controllers[i] = BgpKitProcess.Start(Identities[i], null, "controller",
            "--api-server", Api.Url.ToString(), "--token-file", TokenFile(i), "--identity", Identities[i],
            "--metrics-listen", $"127.0.0.1:{_metricsPorts[i]}",
            "--lease-duration", $"{LeaseDuration.TotalSeconds}s", "--renew-deadline", $"{RenewDeadline.TotalSeconds}s", "--retry-period", $"{RetryPeriod.TotalSeconds}s",
            "--log-level", "debug");
    }

    public void StartSpeaker(int i)
    {
        Stopped(_speakers[i]);
        var api = new UriBuilder(Api.Url) { Host = _lan.Address.ToString() }.Uri;
        _speakers[i] = BgpKitProcess.Start($"node-{i + 1}", Nodes[i].Namespace, "speaker",
            "--api-server", api.ToString(), "--token-file", SpeakerTokenFile(i), "--node", $"node-{i + 1}", "--bgp-listen", "none",
            "--status", $"{Nodes[i].Address}:{SpeakerStatusPort}", "--log-level", "debug");
    }

    /// <summary>SIGTERM to every bgpkit process, then waits for each to exit (0).</summary>
    public void TerminateAll()
    {
        var all = _controllers.Concat(_speakers).OfType<BgpKitProcess>().Where(p => !p.HasExited).ToArray();
        foreach (var p in all)
        {
            p.Terminate();
        }
        foreach (var p in all)
        {
            if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"{p.Name} did not stop within 30 s of SIGTERM\n{Logs()}");
            }
        }
    }

    /// <summary>Thaws and restarts whatever an earlier test left stopped, frozen or dead.</summary>
    public void EnsureRunning()
    {
        for (var i = 0; i < 2; i++)
        {
            if (_controllers[i] is not { HasExited: false } c)
            {
                StartController(i);
            }
            else
            {
                c.Thaw();
            }
            if (_speakers[i] is not { HasExited: false })
            {
                StartSpeaker(i);
            }
        }
    }

    private void Stopped(BgpKitProcess? old)
    {
        if (old is null)
        {
            return;
        }
        old.Dispose();
        lock (_stoppedLogs)
        {
            _stoppedLogs.Append("=== ").Append(old.Name).Append(" (stopped) ===\n").Append(old.Log);
        }
    }

    /// <summary>The Lease's holderIdentity ("" once released, null before it exists).</summary>
    public string? LeaseHolder() =>
        Api.Get("coordination.k8s.io/v1", "leases", MetalLbNamespace, "bgpkit-controller")?["spec"]?["holderIdentity"]?.GetValue<string>();

    /// <summary>A controller's <c>/v1/controller</c> view.</summary>
    public JsonNode ControllerView(int i) => GetJson($"http://127.0.0.1:{_metricsPorts[i]}/v1/controller");

    /// <summary>A speaker's <c>/v1/config</c> view (from the test's namespace, over the bridge).</summary>
    public JsonNode SpeakerConfig(int i) => GetJson($"http://{Nodes[i].Address}:{SpeakerStatusPort}/v1/config");

    /// <summary>The addresses a view's service holds (controller view or speaker config), or null when it is not listed.</summary>
    public static string[]? ServiceAddresses(JsonNode? services, string name) =>
        services?.AsArray().FirstOrDefault(s => s!["name"]!.GetValue<string>() == name)?["addresses"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();

    /// <summary>The BGP neighbors FRR holds a path from for <paramref name="prefix"/> (stale paths, kept for a restarting peer, left out).</summary>
    public string[] PathsAtRouter(string prefix) =>
        (Frr.ShowJson($"show bgp ipv4 unicast {prefix} json")["paths"] as JsonArray ?? [])
            .Where(p => p!["stale"]?.GetValue<bool>() != true)
            .Select(p => p!["peer"]?["peerId"]?.GetValue<string>() ?? "?").Order(StringComparer.Ordinal).ToArray();

    /// <summary>How many times FRR's session with node <paramref name="i"/> reached Established (0 before the first), if Established now.</summary>
    public int? EstablishedCount(int i)
    {
        var neighbor = Frr.ShowJson($"show bgp neighbors {Nodes[i].Address} json")[Nodes[i].Address.ToString()];
        return neighbor?["bgpState"]?.GetValue<string>() == "Established" ? neighbor["connectionsEstablished"]?.GetValue<int>() ?? 0 : null;
    }

    /// <summary>Both node addresses, the paths FRR should hold for an announced address.</summary>
    public string[] BothNodes => Nodes.Select(n => n.Address.ToString()).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Events in a namespace, listed from the fake over HTTP as kubectl would.</summary>
    public JsonArray Events(string ns = "default") =>
        GetJson(new Uri(Api.Url, $"api/v1/namespaces/{ns}/events").ToString())["items"]!.AsArray();

    /// <summary>The BGPSessionState objects (frrk8s.metallb.io) the speakers published, as kubectl lists them.</summary>
    public JsonArray SessionStates() =>
        GetJson(new Uri(Api.Url, $"apis/frrk8s.metallb.io/v1beta1/namespaces/{MetalLbNamespace}/bgpsessionstates").ToString())["items"]!.AsArray();

    /// <summary>Each node's BGP state toward the router, from its BGPSessionState (null while it has none).</summary>
    public string?[] SessionStatesByNode() => Enumerable.Range(1, 2).Select(n => SessionStates()
        .Where(o => o!["status"]?["node"]?.GetValue<string>() == $"node-{n}")
        .Select(o => o!["status"]?["bgpStatus"]?.GetValue<string>()).FirstOrDefault()).ToArray();

    /// <summary>Every process's output, and FRR's log, for a failure message.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        lock (_stoppedLogs)
        {
            text.Append(_stoppedLogs);
        }
        foreach (var p in _controllers.Concat(_speakers).OfType<BgpKitProcess>())
        {
            text.Append("=== ").Append(p.Name).Append(" ===\n").Append(p.Log);
        }
        text.Append("=== frr ===\n").Append(Frr.ReadLog());
        return text.ToString();
    }

    private JsonNode GetJson(string url)
    {
        using var response = _http.Send(new HttpRequestMessage(HttpMethod.Get, url));
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(response.Content.ReadAsStream());
        return JsonNode.Parse(reader.ReadToEnd())!;
    }

    /// <summary>Elapsed time since a <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static TimeSpan Since(long timestamp) => Stopwatch.GetElapsedTime(timestamp);
}
