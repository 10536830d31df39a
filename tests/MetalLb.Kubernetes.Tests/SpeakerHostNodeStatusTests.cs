using System.Net;
using System.Text.Json.Nodes;
using BgpKit.Bgp.Fsm;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests;

/// <summary>
/// The speaker in a cluster publishes its node's status objects: a real BGP session (a BgpSpeaker
/// on 127.0.0.2 as the router) shows in a BGPSessionState, the Service it announces in a
/// ServiceBGPStatus, and its configuration in ConfigurationState speaker-NODE.
/// </summary>
public sealed class SpeakerHostNodeStatusTests
{
    private const string Ns = "metallb-system";

    [Fact]
    public async Task A_session_and_its_announcement_are_published_and_follow_the_session_down()
    {
        var router = IPAddress.Parse("127.0.0.2");
        var port = MetalLbPort.Tcp(router);
        using var server = new FakeApiServer();
        ApiObjects.Seed(server);
        server.Put(ApiObjects.Peer.Replace("1790", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        server.Put(ApiObjects.Service("web", ingress: "198.51.100.1"));
        var peer = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 64512, RouterId = router, ListenAddress = router, ListenPort = port });
        await peer.StartAsync();
        await peer.AddPeerAsync(new BgpPeerOptions { Address = IPAddress.Loopback, RemoteAs = 64513, Transport = new() { Passive = true } });

        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = "node-1",
            KubernetesApi = new KubernetesApiOptions { Server = server.Url },
            BgpListen = null,
            StatusEndPoint = null,
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = host.RunAsync(stop.Token);
        var peerDisposed = false;
        try
        {
            var session = await Poll.ForAsync(() => One(server, "frrk8s.metallb.io/v1beta1", "bgpsessionstates"),
                s => s?["status"]?["bgpStatus"]?.GetValue<string>() == "Established", "BGPSessionState Established", TimeSpan.FromSeconds(30));
            Assert.Equal("127.0.0.2", session!["status"]!["peer"]!.GetValue<string>());
            Assert.Equal("N/A", session["status"]!["bfdStatus"]!.GetValue<string>());

            var service = await Poll.ForAsync(() => One(server, "metallb.io/v1beta1", "servicebgpstatuses"), s => s?["status"] is not null,
                "ServiceBGPStatus", TimeSpan.FromSeconds(10));
            Assert.Equal("""{"node":"node-1","serviceName":"web","serviceNamespace":"default","peers":["router"]}""", service!["status"]!.ToJsonString());

            var state = await Poll.ForAsync(() => server.Get("metallb.io/v1beta1", "configurationstates", Ns, "speaker-node-1"), s => s?["status"] is not null,
                "ConfigurationState speaker-node-1", TimeSpan.FromSeconds(10));
            Assert.Equal("Valid", state!["status"]!["result"]!.GetValue<string>());

            // The router goes away: the same object follows the session out of Established.
            peerDisposed = true;
            await peer.DisposeAsync();
            var down = await Poll.ForAsync(() => One(server, "frrk8s.metallb.io/v1beta1", "bgpsessionstates"),
                s => s?["status"]?["bgpStatus"]?.GetValue<string>() is { } st && st != "Established", "BGPSessionState not Established", TimeSpan.FromSeconds(30));
            Assert.Equal(session["metadata"]!["name"]!.GetValue<string>(), down!["metadata"]!["name"]!.GetValue<string>());
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            if (!peerDisposed)
            {
                // Only once: a second BgpSpeaker.DisposeAsync throws ObjectDisposedException from its listener.
                await peer.DisposeAsync();
            }
        }
    }

    /// <summary>The only object of a collection in MetalLB's namespace (null while there is none), read over HTTP as a client would.</summary>
    private static JsonObject? One(FakeApiServer server, string apiVersion, string plural)
    {
        using var http = new HttpClient();
        var list = JsonNode.Parse(http.GetStringAsync(new Uri(server.Url, $"/apis/{apiVersion}/namespaces/{Ns}/{plural}")).GetAwaiter().GetResult())!;
        var items = (JsonArray)list["items"]!;
        return items.Count == 1 ? (JsonObject)items[0]! : null;
    }
}
