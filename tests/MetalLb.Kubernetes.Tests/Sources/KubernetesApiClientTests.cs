using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

public sealed class KubernetesApiClientTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-k8s-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The token file is re-read by KubernetesClient's TokenFileAuth, once a minute of wall-clock time
    // (service-account tokens are rotated well before they expire); a test cannot move that clock, so
    // rotation is the library's to test. What stays ours: the token is sent, and a refusal is logged without it.
    [Fact]
    public async Task The_token_file_is_sent_and_never_logged_or_shown()
    {
        var token = "tok-" + Guid.NewGuid().ToString("N");
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        using var server = new FakeApiServer { RequiredToken = token };
        ApiObjects.Seed(server);
        var time = new ManualTimeProvider();
        var log = new CapturingLogger();
        var options = new KubernetesApiOptions { Server = new Uri(server.Url, "/"), TokenFile = tokenFile };
        var source = new KubernetesApiSource(options, time, log);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var snapshots = new List<ResourceSnapshot>();
        var consuming = Task.Run(async () =>
        {
            await foreach (var snapshot in source.WatchAsync(stop.Token))
            {
                lock (snapshots)
                {
                    snapshots.Add(snapshot);
                }
            }
        });
        async Task Eventually(Func<bool> condition)
        {
            // 1,500 turns at least; more while the machine is too loaded for 1,500 turns to take a minute.
            var started = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; (i < 1500 || started.Elapsed < TimeSpan.FromSeconds(60)) && !condition(); i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
            }
            Assert.True(condition(), string.Join("\n", log.Lines));
        }

        await Eventually(() => { lock (snapshots) { return snapshots.Count == 1; } });
        await Eventually(() => server.OpenWatches("services") == 1);

        // A revoked token: the server refuses, the source says so and retries, without the token.
        server.RequiredToken = "someone-else";
        server.DropWatches();
        await Eventually(() => log.Lines.Any(l => l.Contains("401 Unauthorized", StringComparison.Ordinal)));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consuming);
        Assert.Contains(log.Lines, l => l.Contains("401 Unauthorized", StringComparison.Ordinal));
        Assert.Contains("Credentials = token file " + tokenFile, options.ToString(), StringComparison.Ordinal);
        foreach (var text in log.Lines.Append(source.Description).Append(options.ToString()).Concat(snapshots.Select(s => s.Source)))
        {
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Description_leaves_out_user_information_in_the_url()
    {
        var options = new KubernetesApiOptions { Server = new Uri("https://admin:hunter2@api.example:6443/?x=y"), Namespace = "lb" };

        Assert.Equal("https://api.example:6443 (namespace lb)", options.Describe());
    }

    [Fact]
    public void In_cluster_options_come_from_the_service_environment_and_account_files()
    {
        File.WriteAllText(Path.Combine(_dir, "token"), "t");
        var environment = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "fd00::1", ["KUBERNETES_SERVICE_PORT"] = "443" };

        var options = KubernetesApiOptions.InCluster(environment.GetValueOrDefault, _dir);

        Assert.Equal(new Uri("https://[fd00::1]:443"), options.Server);
        Assert.Equal(Path.Combine(_dir, "token"), options.TokenFile);
        Assert.Equal(Path.Combine(_dir, "ca.crt"), options.CaFile);
        Assert.Equal("metallb-system", options.Namespace);
        Assert.Equal($"https://[fd00::1] (in-cluster service account {_dir}; namespace metallb-system)", options.Describe());
        Assert.Throws<InvalidOperationException>(() => KubernetesApiOptions.InCluster(_ => null, _dir));
        Assert.Throws<InvalidOperationException>(() => KubernetesApiOptions.InCluster(environment.GetValueOrDefault, Path.Combine(_dir, "missing")));
    }

    [Fact]
    public void Objects_are_normalized_to_what_the_plan_reads()
    {
        var service = new KubernetesResourceKind("v1", "Service", "services", KubernetesScope.AllNamespaces);
        var reflector = new ResourceReflector(service, "metallb-system", null!, new ManualTimeProvider(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, () => { });
        var item = (JsonObject)JsonNode.Parse("""
            {"metadata":{"name":"web","namespace":"default","resourceVersion":"7","uid":"u","managedFields":[{}],
                         "labels":{"app":"web"},"annotations":{"metallb.io/address-pool":"p","kubectl.kubernetes.io/last-applied-configuration":"{}"}},
             "spec":{"type":"LoadBalancer"},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]},"conditions":[]}}
            """)!;

        var normalized = JsonNode.Parse(reflector.Normalize(item))!;

        Assert.Equal("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","uid":"u","labels":{"app":"web"},"annotations":{"metallb.io/address-pool":"p"}},"spec":{"type":"LoadBalancer"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}}
            """, normalized.ToJsonString());
    }

    [Fact]
    public void Collection_paths_follow_the_scope()
    {
        var kinds = KubernetesResourceKind.MetalLbSpeaker.ToDictionary(k => k.Kind, k => k.CollectionPath("lb"));

        Assert.Equal("/apis/metallb.io/v1beta1/namespaces/lb/ipaddresspools", kinds["IPAddressPool"]);
        Assert.Equal("/apis/metallb.io/v1beta2/namespaces/lb/bgppeers", kinds["BGPPeer"]);
        Assert.Equal("/api/v1/namespaces/lb/secrets", kinds["Secret"]);
        Assert.Equal("/api/v1/services", kinds["Service"]);
        Assert.Equal("/apis/discovery.k8s.io/v1/endpointslices", kinds["EndpointSlice"]);
        Assert.Equal("/api/v1/nodes", kinds["Node"]);
    }
}
