using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace BgpKit.Bgp.Hosting.Tests;

/// <summary>The host's speaker holds a real session over loopback (127.0.0.1 to 127.0.0.2), announces, and stops with Cease.</summary>
public class HostingTests
{
    private static readonly IPAddress Router = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Local = IPAddress.Parse("127.0.0.1");

    [Fact]
    public async Task The_host_holds_a_session_announces_the_configured_routes_and_stops_with_Cease()
    {
        var (router, port) = await HostedSpeaker.RouterAsync("127.0.0.2", "127.0.0.1");
        await using var _ = router;
        using var host = HostedSpeaker.Build(s =>
        {
            s.ShutdownMessage = "host stopping";
            s.Peers.Add(new BgpPeerSettings { Address = "127.0.0.2", RemoteAs = 65002, LocalAddress = "127.0.0.1", Port = port, Customize = HostedSpeaker.Fast });
            var vip = new BgpAnnouncementSettings();
            vip.Prefixes.Add("198.51.100.10/32");
            vip.Communities.Add("no-export");
            s.Announcements.Add(vip);
        });
        await host.StartAsync();

        await Poll.UntilAsync(() => router.GetReceivedRoutes(Local).Any(r => r.Prefix == Prefix.Parse("198.51.100.10/32")), "the router receives the VIP");
        var route = router.GetReceivedRoutes(Local).Single();
        Assert.Contains(Community.NoExport, route.Attributes!.Communities);

        // The speaker is the container's: announce at run time.
        var speaker = host.Services.GetRequiredService<BgpSpeaker>();
        Assert.Equal(SessionState.Established, speaker.GetStatus(Router).State);
        await speaker.AnnounceAsync(Prefix.Parse("198.51.100.11/32"), new PathAttributes());
        await Poll.UntilAsync(() => router.GetReceivedRoutes(Local).Count == 2, "the router receives the route announced at run time");

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("Established", health.Entries["bgp"].Data["127.0.0.2"]);

        await host.StopAsync();
        await Poll.UntilAsync(() => router.GetStatus(Local).LastError?.Contains("host stopping", StringComparison.Ordinal) == true,
            "the router receives Cease with the shutdown communication");
        Assert.NotEqual(SessionState.Established, router.GetStatus(Local).State);
    }

    [Fact]
    public async Task Settings_bind_from_configuration()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bgp:LocalAs"] = "65001",
            ["Bgp:RouterId"] = "10.0.0.1",
            ["Bgp:Listen"] = "false",
            ["Bgp:Peers:0:Address"] = "127.0.0.2",
            ["Bgp:Peers:0:RemoteAs"] = "65002",
            ["Bgp:Peers:0:HoldTime"] = "00:00:30",
            ["Bgp:Peers:0:Bfd"] = "true",
            ["Bgp:Peers:0:LocalAddress"] = "127.0.0.1",
            ["Bgp:Announcements:0:Prefixes:0"] = "198.51.100.10/32",
            ["Bgp:Announcements:0:Communities:0"] = "65001:100",
            ["Bfd:DetectMultiplier"] = "5",
        });
        builder.Services.AddBgpSpeaker().BindConfiguration("Bgp");
        builder.Services.AddBfd().BindConfiguration("Bfd");
        using var host = builder.Build();
        var settings = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BgpSpeakerSettings>>().Value;
        var peer = Assert.Single(settings.Peers).ToPeerOptions();
        Assert.Equal(IPAddress.Parse("127.0.0.2"), peer.Address);
        Assert.Equal(TimeSpan.FromSeconds(30), peer.HoldTime);
        Assert.Equal(IPAddress.Parse("127.0.0.1"), peer.Transport.LocalAddress);
        Assert.Equal([new Community(65001, 100)], Assert.Single(settings.Announcements).ToAttributes().Communities);
        Assert.Equal(5, host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BfdSettings>>().Value.DetectMultiplier);
    }
}
