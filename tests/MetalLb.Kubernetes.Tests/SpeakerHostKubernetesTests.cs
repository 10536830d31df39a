using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests;

public sealed class SpeakerHostKubernetesTests
{
    [Fact]
    public async Task The_host_plans_from_the_api_server()
    {
        using var server = new FakeApiServer();
        ApiObjects.Seed(server);
        // The speaker announces what the controller wrote, as MetalLB's does: it allocates nothing.
        server.Put(ApiObjects.Service("web", ingress: "198.51.100.1"));
        server.Put(ApiObjects.Service("unallocated"));
        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = "node-1",
            KubernetesApi = new KubernetesApiOptions { Server = server.Url },
            BgpListen = null,
            StatusEndPoint = null,
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var running = host.RunAsync(stop.Token);

        // Bounded by time, not by a count of short sleeps: a host starting on a loaded machine (CI runs the test
        // assemblies side by side) can take longer than ten seconds to list.
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (host.Status.Config().InForce is null && started.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
        var config = host.Status.Config().InForce;
        var services = host.Status.Config().InForce?.Services ?? [];
        await stop.CancelAsync();
        await running;

        Assert.NotNull(config);
        Assert.StartsWith(server.Url.GetLeftPart(UriPartial.Authority), config.Source, StringComparison.Ordinal);
        Assert.Equal("router", Assert.Single(config.Sessions).Peer);
        Assert.Equal("198.51.100.1/32", Assert.Single(config.Announcements).Prefix);
        Assert.Empty(services.Single(s => s.Name == "unallocated").Addresses);
    }

    [Fact]
    public void Exactly_one_source_is_given()
    {
        var api = new KubernetesApiOptions { Server = new Uri("http://127.0.0.1:8001") };

        Assert.Throws<ArgumentException>(() => new SpeakerHost(new SpeakerHostOptions { Node = "n" }));
        Assert.Throws<ArgumentException>(() => new SpeakerHost(new SpeakerHostOptions { Node = "n", ConfigPaths = ["/tmp"], KubernetesApi = api }));
    }
}
