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
        await stop.CancelAsync();
        await running;

        Assert.NotNull(config);
        Assert.StartsWith(server.Url.GetLeftPart(UriPartial.Authority), config.Source, StringComparison.Ordinal);
        Assert.Equal("router", Assert.Single(config.Sessions).Peer);
        Assert.Equal("198.51.100.1/32", Assert.Single(config.Announcements).Prefix);
    }

    [Fact]
    public void Exactly_one_source_is_given()
    {
        var api = new KubernetesApiOptions { Server = new Uri("http://127.0.0.1:8001") };

        Assert.Throws<ArgumentException>(() => new SpeakerHost(new SpeakerHostOptions { Node = "n" }));
        Assert.Throws<ArgumentException>(() => new SpeakerHost(new SpeakerHostOptions { Node = "n", ConfigPaths = ["/tmp"], KubernetesApi = api }));
    }
}
