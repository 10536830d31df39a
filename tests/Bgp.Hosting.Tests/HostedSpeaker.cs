using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BgpKit.Bgp.Hosting.Tests;

/// <summary>
/// A host built with the extensions, and a plain BgpSpeaker as its "router", on loopback addresses: the router
/// listens on <c>router</c> at a free port and waits (passive) for the host's speaker, which connects out from
/// <c>local</c> and does not listen.
/// </summary>
internal static class HostedSpeaker
{
    public static IHost Build(Action<BgpSpeakerSettings> configure, Action<IServiceCollection>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddBgpSpeaker(s =>
        {
            s.LocalAs = 65001;
            s.RouterId = "10.0.0.1";
            s.Listen = false;
            configure(s);
        });
        builder.Services.AddHealthChecks().AddBgpSessions();
        more?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Quick reconnects, so a test does not wait the defaults' seconds.</summary>
    public static BgpPeerOptions Fast(BgpPeerOptions peer) => peer with
    {
        IdleHoldTime = TimeSpan.FromMilliseconds(200),
        IdleHoldTimeMax = TimeSpan.FromSeconds(2),
        Transport = peer.Transport with { ConnectRetryTime = TimeSpan.FromSeconds(1) },
    };

    public static async Task<(BgpSpeaker Router, int Port)> RouterAsync(string router, string peer, uint peerAs = 65001)
    {
        var address = IPAddress.Parse(router);
        var port = FreePort.Tcp(address);
        var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65002, RouterId = IPAddress.Parse("10.0.0.2"), ListenAddress = address, ListenPort = port });
        await speaker.StartAsync();
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = IPAddress.Parse(peer),
            RemoteAs = peerAs,
            KeepAdjRibIn = true,
            Transport = new TransportOptions { Passive = true, LocalAddress = address },
        });
        return (speaker, port);
    }
}
