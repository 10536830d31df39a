using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BgpKit.MetalLb.Model;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Interop;

/// <summary>
/// Layer 2 mode with real processes: the fake API server in the test process, two <c>bgpkit speaker</c>s each in its
/// own "node" namespace and a "client" namespace, all on one bridge the test creates (10.253.N.0/24). Each node holds
/// the Service addresses on lo with <c>arp_ignore=1</c>, as kube-proxy's IPVS mode does, so its kernel
/// accepts traffic to them but never answers ARP or NDP for them: only the speaker does. The client probes with
/// <c>arping</c> and <c>ndisc6</c>; speakers run as their service account under deploy/bgpkit.yaml's RBAC.
/// </summary>
public sealed partial class Layer2Fixture : IAsyncLifetime
{
    public const string MetalLbNamespace = "metallb-system";
    public const int StatusPort = 7473;
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(1);

    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-l2-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly BgpKitProcess?[] _speakers = new BgpKitProcess?[2];
    private readonly StringBuilder _stoppedLogs = new();
    private NetBridge _lan = null!;

    public FakeApiServer Api { get; private set; } = null!;

    public System.Collections.Concurrent.ConcurrentQueue<AuthorizationRequest> Denials { get; } = new();

    /// <summary>node-1 and node-2: namespace, address, the veth inside, and its MAC (lower case).</summary>
    public (string Namespace, IPAddress Address, string Device, string Mac)[] Nodes { get; } = new (string, IPAddress, string, string)[2];

    public string ClientNamespace { get; private set; } = "";

    public string ClientDevice { get; private set; } = "";

    public string BridgeDevice => _lan.Device;

    /// <summary>web's addresses (dual stack) and the address of the externalTrafficPolicy Local Service.</summary>
    public IPAddress Vip4 { get; private set; } = null!;

    public IPAddress Vip6 { get; private set; } = null!;

    public IPAddress LocalVip { get; private set; } = null!;

    public static string NodeName(int i) => $"node-{i + 1}";

    /// <summary>The index of the node MetalLB elects for <paramref name="address"/> among both.</summary>
    public static int Preferred(IPAddress address) => Layer2Election.Order([NodeName(0), NodeName(1)], address)[0] == NodeName(0) ? 0 : 1;

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _lan = NetBridge.Create("bgpkit-l2");
        var subnet = _lan.Address.GetAddressBytes()[2];
        Vip4 = IPAddress.Parse($"10.253.{subnet}.100");
        LocalVip = IPAddress.Parse($"10.253.{subnet}.101");
        Vip6 = IPAddress.Parse($"fd00:253:{subnet}::100");
        for (var i = 0; i < 2; i++)
        {
            var (ns, address) = _lan.AddNamespace($"node{i + 1}", 11 + i);
            var device = InnerDevice(ns);
            Nodes[i] = (ns, address, device, Mac(ns, device));
            // The Service addresses are local (kube-proxy would put them on kube-ipvs0; this kernel has no dummy
            // devices, so lo) but the kernel answers ARP only for addresses on the asking interface (arp_ignore=1), and
            // NDP never for another interface's addresses.
            foreach (var vip in new[] { $"{Vip4}/32", $"{LocalVip}/32", $"{Vip6}/128" })
            {
                Sh.Run("ip", "-n", ns, "addr", "add", vip, "dev", "lo");
            }
            Sh.Run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2");
        }
        (ClientNamespace, _) = _lan.AddNamespace("client", 20);
        ClientDevice = InnerDevice(ClientNamespace);

        Api = new FakeApiServer(TimeProvider.System, anyHost: true);
        var rbac = new RbacAuthorizer(Deploy.Tests.YamlJson.Objects(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "deploy", "bgpkit.yaml"))));
        for (var i = 0; i < 2; i++)
        {
            var token = $"token-{NodeName(i)}-{Guid.NewGuid():N}";
            File.WriteAllText(TokenFile(i), token);
            Api.TokenUsers[token] = NodeName(i);
        }
        Api.RequestAuthorizer = request =>
        {
            if (request.User == "system:anonymous")
            {
                return true; // The test itself.
            }
            var allowed = request.User.StartsWith("node-", StringComparison.Ordinal)
                && rbac.Allows(request with { User = $"system:serviceaccount:{MetalLbNamespace}:bgpkit-speaker" });
            if (!allowed)
            {
                Denials.Enqueue(request);
            }
            return allowed;
        };
        Seed();
        for (var i = 0; i < 2; i++)
        {
            StartSpeaker(i);
        }
        // Link-local addresses finish duplicate address detection before ndisc6 can solicit from one.
        await Poll.UntilAsync(() => !Sh.Run("ip", "-n", ClientNamespace, "-6", "addr", "show", "dev", ClientDevice).Contains("tentative", StringComparison.Ordinal)
            && Sh.Run("ip", "-n", ClientNamespace, "-6", "addr", "show", "dev", ClientDevice).Contains("fe80", StringComparison.Ordinal), "the client's link-local address", TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("BGPKIT_KEEP_DAEMON_DIRS") == "1")
        {
            File.WriteAllText(Path.Combine(Path.GetTempPath(), $"bgpkit-l2-{Environment.ProcessId}.log"), Logs());
        }
        foreach (var p in _speakers)
        {
            p?.Dispose();
        }
        Api?.Dispose();
        _lan?.Dispose();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private string TokenFile(int i) => Path.Combine(_dir, NodeName(i) + ".token");

    private void Seed()
    {
        Api.Put($$$"""
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"l2pool","namespace":"metallb-system"},
             "spec":{"addresses":["{{{Vip4}}}/32","{{{LocalVip}}}/32","{{{Vip6}}}/128"],"autoAssign":false}}
            """);
        PutAdvertisement("");
        for (var i = 0; i < 2; i++)
        {
            Api.Put($$$"""
                {"apiVersion":"v1","kind":"Node",
                 "metadata":{"name":"{{{NodeName(i)}}}","labels":{"kubernetes.io/hostname":"{{{NodeName(i)}}}","zone":"z{{{i + 1}}}"}},
                 "status":{"addresses":[{"type":"InternalIP","address":"{{{Nodes[i].Address}}}"}],
                           "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2026-11-21T18:00:00Z"}]}}
                """);
        }
        // The controller's part, written by the test: the addresses in the Services' status.
        PutService("web", [Vip4, Vip6], local: false);
        PutEndpoints("web", [0, 1]);
        PutService("local", [LocalVip], local: true);
        PutEndpoints("local", [1 - Preferred(LocalVip)]);
    }

    /// <summary>The L2Advertisement <c>l2adv</c> for l2pool, with extra spec fields (<c>"interfaces":[...]</c>, <c>"nodeSelectors":[...]</c>).</summary>
    public void PutAdvertisement(string extraSpec) => Api.Put($$$"""
        {"apiVersion":"metallb.io/v1beta1","kind":"L2Advertisement","metadata":{"name":"l2adv","namespace":"metallb-system"},
         "spec":{"ipAddressPools":["l2pool"]{{{(extraSpec.Length == 0 ? "" : "," + extraSpec)}}} }}
        """);

    private void PutService(string name, IPAddress[] addresses, bool local)
    {
        var families = addresses.Select(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "\"IPv4\"" : "\"IPv6\"");
        var ingress = string.Join(",", addresses.Select(a => $$$"""{"ip":"{{{a}}}","ipMode":"VIP"}"""));
        Api.Put($$$"""
            {"apiVersion":"v1","kind":"Service",
             "metadata":{"name":"{{{name}}}","namespace":"default","annotations":{"metallb.io/ip-allocated-from-pool":"l2pool"}},
             "spec":{"type":"LoadBalancer","ports":[{"name":"http","port":80,"protocol":"TCP"}],"externalTrafficPolicy":"{{{(local ? "Local" : "Cluster")}}}",
                     "ipFamilyPolicy":"{{{(addresses.Length > 1 ? "RequireDualStack" : "SingleStack")}}}","ipFamilies":[{{{string.Join(",", families)}}}]},
             "status":{"loadBalancer":{"ingress":[{{{ingress}}}]} } }
            """);
    }

    /// <summary>The Service's one EndpointSlice, with a ready endpoint on each of <paramref name="nodes"/>.</summary>
    public void PutEndpoints(string service, int[] nodes)
    {
        var endpoints = string.Join(",", nodes.Select(n => $$$"""{"addresses":["10.244.{{{n}}}.5"],"nodeName":"{{{NodeName(n)}}}","conditions":{"ready":true,"serving":true}}"""));
        Api.Put($$$"""
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","addressType":"IPv4",
             "metadata":{"name":"{{{service}}}-abcde","namespace":"default","labels":{"kubernetes.io/service-name":"{{{service}}}"}},
             "endpoints":[{{{endpoints}}}],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
            """);
    }

    internal BgpKitProcess Speaker(int i) => _speakers[i] ?? throw new InvalidOperationException($"{NodeName(i)} is not running");

    public void StartSpeaker(int i)
    {
        Stopped(_speakers[i]);
        var api = new UriBuilder(Api.Url) { Host = _lan.Address.ToString() }.Uri;
        _speakers[i] = BgpKitProcess.Start(NodeName(i), Nodes[i].Namespace, "speaker",
            "--api-server", api.ToString(), "--token-file", TokenFile(i), "--node", NodeName(i), "--bgp-listen", "none",
            "--status", $"{Nodes[i].Address}:{StatusPort}", "--log-level", "debug",
            "--l2-lease-duration", $"{LeaseDuration.TotalSeconds}s", "--l2-renew-interval", $"{RenewInterval.TotalSeconds}s");
    }

    /// <summary>Restarts whichever speaker an earlier test left dead, and puts the advertisement and endpoints back.</summary>
    public void Reset()
    {
        PutAdvertisement("");
        PutEndpoints("web", [0, 1]);
        PutEndpoints("local", [1 - Preferred(LocalVip)]);
        for (var i = 0; i < 2; i++)
        {
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

    /// <summary>The MACs that answered one <c>arping</c> run from the client (<paramref name="count"/> requests), in order.</summary>
    public string[] Arping(IPAddress address, int count = 1, double seconds = 1)
    {
        var (_, output) = Sh.Try("ip", "netns", "exec", ClientNamespace, "arping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-w", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", ClientDevice, address.ToString());
        return ArpingReply().Matches(output).Select(m => m.Groups[1].Value.ToLowerInvariant()).ToArray();
    }

    /// <summary>The MAC <c>ndisc6</c> learns from the client for <paramref name="address"/>, or null.</summary>
    public string? Ndisc(IPAddress address)
    {
        var (code, output) = Sh.Try("ip", "netns", "exec", ClientNamespace, "ndisc6", "-q", "-1", "-r", "2", "-w", "1000", address.ToString(), ClientDevice);
        return code == 0 ? output.Trim().ToLowerInvariant() : null;
    }

    /// <summary>Opens a TCP connection from the client to a closed port: true when refused (the owner's kernel answered with RST).</summary>
    public bool Reachable(IPAddress address)
    {
        var (_, output) = Sh.Try("ip", "netns", "exec", ClientNamespace, "python3", "-c",
            "import socket,sys\ns=socket.socket()\ns.settimeout(3)\ntry:\n s.connect((sys.argv[1],9))\nexcept ConnectionRefusedError:\n print('refused')\nexcept OSError as e:\n print(e)",
            address.ToString());
        return output.Contains("refused", StringComparison.Ordinal);
    }

    /// <summary>The client's neighbour entry's MAC for <paramref name="address"/>, or null.</summary>
    public string? ClientNeighbour(IPAddress address)
    {
        var line = Sh.Run("ip", "-n", ClientNamespace, "neigh", "show", address.ToString());
        var m = Regex.Match(line, "lladdr ([0-9a-f:]{17})");
        return m.Success ? m.Groups[1].Value : null;
    }

    public int IndexOfMac(string mac) => Array.FindIndex(Nodes, n => n.Mac == mac);

    public JsonNode SpeakerL2(int i) => GetJson($"http://{Nodes[i].Address}:{StatusPort}/v1/l2");

    public string SpeakerMetrics(int i)
    {
        using var response = _http.Send(new HttpRequestMessage(HttpMethod.Get, $"http://{Nodes[i].Address}:{StatusPort}/metrics"));
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(response.Content.ReadAsStream());
        return reader.ReadToEnd();
    }

    /// <summary>A counter's value in Prometheus text, 0 when absent.</summary>
    public static double Counter(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The ServiceL2Status objects, as kubectl lists them.</summary>
    public JsonArray L2Statuses() =>
        GetJson(new Uri(Api.Url, $"apis/metallb.io/v1beta1/namespaces/{MetalLbNamespace}/servicel2statuses").ToString())["items"]!.AsArray();

    public string Logs()
    {
        var text = new StringBuilder();
        lock (_stoppedLogs)
        {
            text.Append(_stoppedLogs);
        }
        foreach (var p in _speakers.OfType<BgpKitProcess>())
        {
            text.Append("=== ").Append(p.Name).Append(" ===\n").Append(p.Log);
        }
        foreach (var denied in Denials)
        {
            text.Append("denied: ").Append(denied).Append('\n');
        }
        return text.ToString();
    }

    private JsonNode GetJson(string url)
    {
        using var response = _http.Send(new HttpRequestMessage(HttpMethod.Get, url));
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(response.Content.ReadAsStream());
        return JsonNode.Parse(reader.ReadToEnd())!;
    }

    private static string InnerDevice(string ns) =>
        Sh.Run("ip", "-n", ns, "-o", "link", "show").Split('\n')
            .Select(l => Regex.Match(l, @"^\d+: (bk[0-9a-f]+i)@")).First(m => m.Success).Groups[1].Value;

    private static string Mac(string ns, string device) =>
        Regex.Match(Sh.Run("ip", "-n", ns, "link", "show", device), "link/ether ([0-9a-f:]{17})").Groups[1].Value;

    [GeneratedRegex(@"bytes from ([0-9a-fA-F:]{17}) ")]
    private static partial Regex ArpingReply();
}

/// <summary>Runs a command and waits (bounded) for it.</summary>
internal static class Sh
{
    public static string Run(string file, params string[] args)
    {
        var (code, output) = Try(file, args);
        return code == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {output}");
    }

    public static (int Code, string Output) Try(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            return (-1, "timed out");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
