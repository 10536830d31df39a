using System.Net;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Interop;

/// <summary>
/// The speaker host reading from the API server (FakeApiServer) against real FRR bgpd on loopback: a
/// BGPPeer and an FRRConfiguration for the same router that selects the node by label; toReceive applies to
/// what FRR announces, and editing the FRRConfiguration through the API server opens the filter on the
/// running session (FRR counts one establishment).
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerFrrToReceiveApiTests : IAsyncLifetime
{
    private const string Us = "127.0.0.1";
    private const string Router = "127.0.0.2";
    private static readonly string[] Announced = ["10.10.0.0/16", "10.10.1.0/24", "10.10.2.0/25", "172.16.0.0/12", "192.168.5.0/24"];
    private readonly FakeApiServer _server = new();
    private FrrBgpd _bgpd = null!;

    public async Task InitializeAsync()
    {
        var networks = string.Join('\n', Announced.Select(p => "  network " + p));
        _bgpd = await FrrBgpd.StartAsync(FrrBgpd.Config(64512, Router, Us, 64513, FreePort.Tcp(), ipv4: networks),
            SpeakerFrrTests.MetalLbPort(IPAddress.Parse(Router)), Router);
    }

    public async Task DisposeAsync()
    {
        await _bgpd.DisposeAsync();
        _server.Dispose();
    }

    private string Peer() =>
        "{\"apiVersion\":\"metallb.io/v1beta2\",\"kind\":\"BGPPeer\",\"metadata\":{\"name\":\"router\",\"namespace\":\"metallb-system\"},"
        + $"\"spec\":{{\"myASN\":64513,\"peerASN\":64512,\"peerAddress\":\"{Router}\",\"peerPort\":{_bgpd.Port},\"sourceAddress\":\"{Us}\",\"holdTime\":\"9s\",\"keepaliveTime\":\"3s\"}}}}";

    private string Frr(string allowed) => FrrConfigurationSourceTests.Frr("receive",
        $"[{{\"address\":\"{Router}\",\"asn\":64512,\"port\":{_bgpd.Port},\"sourceaddress\":\"{Us}\",\"holdTime\":\"9s\",\"keepaliveTime\":\"3s\",\"toReceive\":{{\"allowed\":{allowed}}}}}]",
        "{\"matchLabels\":{\"zone\":\"a\"}}");

    [Fact]
    public async Task ToReceive_from_an_FRRConfiguration_in_the_API_server_filters_and_an_edit_opens_it_without_a_reset()
    {
        _server.Put(Peer());
        _server.Put(ApiObjects.Node("node-1", zone: "a"));
        _server.Put(Frr("""{"mode":"filtered","prefixes":[{"prefix":"10.10.0.0/16","le":24}]}"""));
        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = "node-1",
            KubernetesApi = new KubernetesApiOptions { Server = _server.Url },
            BgpListen = null,
            StatusEndPoint = null,
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var running = host.RunAsync(stop.Token);
        string[] Received() => host.Status.BgpRoutes("router", received: true).Select(r => r.Prefix).Order(StringComparer.Ordinal).ToArray();
        try
        {
            await Poll.UntilAsync(() => Received().SequenceEqual(["10.10.0.0/16", "10.10.1.0/24"]), "the two routes toReceive accepts", TimeSpan.FromSeconds(60));
            var neighbor = await Poll.ForAsync(() => host.Status.BgpNeighbors("router").Single(), n => n.PrefixesRefused == 3, "three refused", TimeSpan.FromSeconds(30));
            Assert.Equal("10.10.0.0/16 le 24", neighbor.ToReceive);

            _server.Put(Frr("""{"mode":"all"}"""));
            await Poll.UntilAsync(() => Received().SequenceEqual(Announced.Order(StringComparer.Ordinal)), "all five after mode all", TimeSpan.FromSeconds(60));
            Assert.Equal(1, _bgpd.ShowJson($"show bgp neighbors {Us} json")[Us]!["connectionsEstablished"]!.GetValue<int>());
            Assert.Equal(1, host.Status.BgpNeighbors("router").Single().EstablishedTransitions);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }
}
