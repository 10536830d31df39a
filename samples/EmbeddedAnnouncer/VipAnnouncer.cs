using System.Net;
using BgpKit.Bfd;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedAnnouncer;

/// <summary>Holds the BGP session and the BFD session for as long as the host runs.</summary>
public sealed partial class VipAnnouncer(IOptions<AnnouncerOptions> options, ILoggerFactory loggers, ILogger<VipAnnouncer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var router = IPAddress.Parse(o.Router);
        var local = IPAddress.Parse(o.Local);
        var vip = IPAddress.Parse(o.Vip);

        await using var bfd = new BfdEndpoint(loggers);
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions
        {
            LocalAs = o.LocalAs,
            RouterId = local,
            ListenAddress = null, // we connect out; the router need not reach us
            LoggerFactory = loggers,
        });
        await speaker.StartAsync(stoppingToken);
        speaker.PeerStateChanged += (_, e) => LogState(logger, e.Peer.ToString(), e.State.ToString());
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = router,
            RemoteAs = o.RouterAs,
            Transport = new TransportOptions { LocalAddress = local, RemotePort = o.RouterPort },
        });

        var interval = TimeSpan.FromMilliseconds(o.BfdIntervalMs);
        var session = bfd.StartSession(new BfdSessionOptions(local, router)
        {
            Profile = new BfdProfile { TransmitInterval = interval, ReceiveInterval = interval, DetectMultiplier = 3 },
        });
        session.StateChanged += (_, change) => LogBfd(logger, router.ToString(), change.Current.ToString());
        using var liveness = speaker.BindLiveness(router, session);

        await speaker.AnnounceAsync(Prefix.Host(vip), new PathAttributes { Communities = [Community.NoExport] });
        LogAnnounced(logger, vip.ToString(), router.ToString());

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Disposing the speaker sends Cease "administrative shutdown"; disposing BFD sends AdminDown.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "BGP {Peer}: {State}")]
    private static partial void LogState(ILogger logger, string peer, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "BFD {Peer}: {State}")]
    private static partial void LogBfd(ILogger logger, string peer, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Announcing {Vip}/32 to {Router}")]
    private static partial void LogAnnounced(ILogger logger, string vip, string router);
}
