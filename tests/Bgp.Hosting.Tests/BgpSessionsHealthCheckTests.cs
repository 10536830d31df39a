using System.Net;
using BgpKit.Bfd;
using BgpKit.Bgp.Fsm;
using BgpKit.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace BgpKit.Bgp.Hosting.Tests;

/// <summary>Healthy when every peer is up, Degraded when some are, Unhealthy when none is; BFD counts where configured.</summary>
public class BgpSessionsHealthCheckTests
{
    private static async Task<HealthReportEntry> Check(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["bgp"];

    [Fact]
    public async Task No_peers_is_healthy()
    {
        using var host = HostedSpeaker.Build(_ => { });
        await host.StartAsync();
        var entry = await Check(host);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("no BGP peers configured", entry.Description);
        await host.StopAsync();
    }

    [Fact]
    public async Task One_of_two_peers_up_is_degraded_and_none_is_unhealthy()
    {
        var (router, port) = await HostedSpeaker.RouterAsync("127.0.0.3", "127.0.0.1");
        await using var _ = router;
        var nobody = FreePort.Tcp(IPAddress.Parse("127.0.0.4"));
        using var host = HostedSpeaker.Build(s =>
        {
            s.Peers.Add(new BgpPeerSettings { Address = "127.0.0.3", RemoteAs = 65002, LocalAddress = "127.0.0.1", Port = port, Customize = HostedSpeaker.Fast });
            s.Peers.Add(new BgpPeerSettings { Address = "127.0.0.4", RemoteAs = 65004, LocalAddress = "127.0.0.1", Port = nobody, Customize = HostedSpeaker.Fast });
        });
        await host.StartAsync();
        var speaker = host.Services.GetRequiredService<BgpSpeaker>();
        await speaker.WaitForStateAsync(IPAddress.Parse("127.0.0.3"), SessionState.Established).WaitAsync(TimeSpan.FromSeconds(30));

        var degraded = await Check(host);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("1 of 2 BGP peers up", degraded.Description);
        Assert.Equal("Established", degraded.Data["127.0.0.3"]);
        Assert.NotEqual("Established", degraded.Data["127.0.0.4"]);

        await speaker.ShutdownPeerAsync(IPAddress.Parse("127.0.0.3"));
        await Poll.UntilAsync(() => speaker.GetStatus(IPAddress.Parse("127.0.0.3")).State == SessionState.Idle, "the first peer down");
        var unhealthy = await Check(host);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal("0 of 2 BGP peers up", unhealthy.Description);
        Assert.Equal("Idle", unhealthy.Data["127.0.0.3"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_peer_with_BFD_is_up_only_when_BFD_is_Up_too()
    {
        // Addresses of their own: BFD uses the well-known port 3784, per local address.
        var routerAddress = IPAddress.Parse("127.0.0.62");
        var local = IPAddress.Parse("127.0.0.61");
        var (router, port) = await HostedSpeaker.RouterAsync("127.0.0.62", "127.0.0.61");
        await using var _ = router;
        await using var routerBfd = new BfdEndpoint();
        var profile = new BfdProfile { TransmitInterval = TimeSpan.FromMilliseconds(50), ReceiveInterval = TimeSpan.FromMilliseconds(50) };
        var routerSession = routerBfd.StartSession(new BfdSessionOptions(routerAddress, local) { Profile = profile });
        using var host = HostedSpeaker.Build(
            s => s.Peers.Add(new BgpPeerSettings { Address = "127.0.0.62", RemoteAs = 65002, LocalAddress = "127.0.0.61", Port = port, Bfd = true, Customize = HostedSpeaker.Fast }),
            services => services.AddBfd(b => (b.TransmitInterval, b.ReceiveInterval) = (profile.TransmitInterval, profile.ReceiveInterval)));
        await host.StartAsync();

        await Poll.UntilAsync(() => Check(host).GetAwaiter().GetResult().Status == HealthStatus.Healthy, "BGP Established and BFD Up");
        Assert.Equal("Established, BFD Up", (await Check(host)).Data["127.0.0.62"]);

        // The router's BFD session stops: the host's BFD session leaves Up for Down, the liveness binding takes
        // the BGP session down (Cease/BFD Down) and the check goes to Unhealthy.
        await routerSession.DisposeAsync();
        // The check is Unhealthy from BFD Down on ("Established, BFD Down" counts as down), a moment before the
        // binding takes BGP to Idle: wait for both.
        await Poll.UntilAsync(() => Check(host).GetAwaiter().GetResult() is { Status: HealthStatus.Unhealthy } r
            && ((string)r.Data["127.0.0.62"]).StartsWith("Idle, BFD", StringComparison.Ordinal), "BFD down and the BGP session taken to Idle");
        await host.StopAsync();
    }
}
