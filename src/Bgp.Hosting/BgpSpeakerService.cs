using System.Collections.Concurrent;
using System.Net;
using BgpKit.Bfd;
using BgpKit.Bgp.Fsm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BgpKit.Bgp.Hosting;

/// <summary>
/// Runs the DI container's <see cref="BgpSpeaker"/> for the host's lifetime: at start it opens the listener, adds the
/// configured peers (each with its BFD session when asked), and announces the configured routes; at stop it sends
/// every peer Cease "Administrative Shutdown" (RFC 4486, with the RFC 9003 message) before the container disposes
/// the speaker and the BFD endpoint.
/// </summary>
internal sealed partial class BgpSpeakerService(
    BgpSpeaker speaker, IOptions<BgpSpeakerSettings> settings, IServiceProvider services, ILogger<BgpSpeakerService> logger) : IHostedService
{
    private readonly ConcurrentDictionary<IPAddress, BfdSession> _bfd = new();
    private readonly List<IDisposable> _liveness = [];

    /// <summary>The BFD session watching <paramref name="peer"/>, if it was configured with one.</summary>
    internal BfdSession? BfdOf(IPAddress peer) => _bfd.TryGetValue(peer, out var session) ? session : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var s = settings.Value;
        await speaker.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var peer in s.Peers)
        {
            var options = peer.ToPeerOptions();
            await speaker.AddPeerAsync(options).ConfigureAwait(false);
            if (peer.Bfd)
            {
                var endpoint = services.GetRequiredService<BfdEndpoint>();
                var profile = services.GetRequiredService<IOptions<BfdSettings>>().Value.ToProfile();
                var bfd = endpoint.StartSession(new BfdSessionOptions(IPAddress.Parse(peer.LocalAddress!), options.Address) { Profile = profile });
                _bfd[options.Address] = bfd;
                _liveness.Add(speaker.BindLiveness(options.Address, bfd));
            }
            LogPeerAdded(logger, options.Address, options.RemoteAs, peer.Bfd);
        }
        foreach (var announcement in s.Announcements)
        {
            await speaker.AnnounceAsync(announcement.ToPrefixes(), announcement.ToAttributes(), announcement.PeerAddress).ConfigureAwait(false);
            LogAnnounced(logger, string.Join(' ', announcement.Prefixes), announcement.Peer ?? "every peer");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var message = settings.Value.ShutdownMessage;
        foreach (var status in speaker.GetStatuses())
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break; // the host's shutdown timeout: the container's DisposeAsync still sends the rest a Cease
            }
            // ManualStop: the session sends the Cease before the container's DisposeAsync closes the sockets.
            await speaker.ShutdownPeerAsync(status.Address, message).ConfigureAwait(false);
        }
        // The liveness bindings are not disposed: unbinding declares the peer live, which would start it again.
        foreach (var bfd in _bfd.Values)
        {
            // AdminDown, after the Cease above: RFC 5882 section 3.2 asks the peer not to take its clients down for it.
            await bfd.DisposeAsync().ConfigureAwait(false);
        }
        _bfd.Clear();
        LogStopped(logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "BGP peer {Peer} AS {RemoteAs} added (BFD {Bfd})")]
    private static partial void LogPeerAdded(ILogger logger, IPAddress peer, uint remoteAs, bool bfd);

    [LoggerMessage(Level = LogLevel.Information, Message = "Announcing {Prefixes} to {Peer}")]
    private static partial void LogAnnounced(ILogger logger, string prefixes, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "BGP peers shut down (Cease, Administrative Shutdown)")]
    private static partial void LogStopped(ILogger logger);
}
