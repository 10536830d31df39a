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
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = host.RunAsync(stop.Token);

        for (var i = 0; i < 500 && host.Status.Config().InForce is null; i++)
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
