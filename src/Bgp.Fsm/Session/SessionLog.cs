using System.Net;
using Microsoft.Extensions.Logging;

namespace BgpKit.Bgp.Fsm;

/// <summary>Source-generated structured logs of a session (peer, state, event); never a password.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "peer {Peer}: {From} --{Event}--> {To}")]
    public static partial void Transition(ILogger logger, IPAddress peer, SessionState from, BgpEvent @event, SessionState to);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "peer {Peer}: session established (AS {PeerAs}, hold {HoldTime})")]
    public static partial void Established(ILogger logger, IPAddress peer, uint peerAs, TimeSpan holdTime);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "peer {Peer}: session down in {State}: {Reason}")]
    public static partial void Down(ILogger logger, IPAddress peer, SessionState state, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "peer {Peer}: sent {Notification}")]
    public static partial void NotificationSent(ILogger logger, IPAddress peer, string notification);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "peer {Peer}: received {Notification}")]
    public static partial void NotificationReceived(ILogger logger, IPAddress peer, string notification);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "peer {Peer}: connect to {Remote} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, IPAddress peer, EndPoint remote, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "peer {Peer}: connection collision resolved, keeping the {Kept} connection")]
    public static partial void Collision(ILogger logger, IPAddress peer, string kept);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "peer {Peer}: UPDATE error {Error}, action {Action}")]
    public static partial void UpdateError(ILogger logger, IPAddress peer, string error, string action);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "peer {Peer}: liveness signal {Up}")]
    public static partial void Liveness(ILogger logger, IPAddress peer, bool up);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "peer {Peer}: GTSM refused a connection whose SYN arrived with TTL {Ttl} (minimum {MinimumTtl})")]
    public static partial void GtsmRefused(ILogger logger, IPAddress peer, int ttl, int minimumTtl);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "peer {Peer}: {Family} routes {Count} passed the {Percent} % warning threshold of the maximum-prefix limit {Limit}")]
    public static partial void PrefixThresholdReached(ILogger logger, System.Net.IPAddress peer, BgpKit.Bgp.Wire.AfiSafi family, int count, int percent, uint limit);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "peer {Peer}: {Family} routes {Count} exceed the maximum-prefix limit {Limit}; warning only, the session stays")]
    public static partial void PrefixLimitExceededWarningOnly(ILogger logger, System.Net.IPAddress peer, BgpKit.Bgp.Wire.AfiSafi family, int count, uint limit);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "peer {Peer}: {Family} routes {Count} exceed the maximum-prefix limit {Limit}; sending Cease/Maximum Number of Prefixes Reached, held down until {Until}")]
    public static partial void PrefixLimitExceeded(ILogger logger, System.Net.IPAddress peer, BgpKit.Bgp.Wire.AfiSafi family, int count, uint limit, string until);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "peer {Peer}: maximum-prefix restart interval over, starting again")]
    public static partial void PrefixLimitRestart(ILogger logger, System.Net.IPAddress peer);

    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "peer {Peer}: {Family} route refresh begins (BoRR): its routes are stale until re-advertised")]
    public static partial void RefreshBegins(ILogger logger, IPAddress peer, string family);

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "peer {Peer}: {Family} route refresh ends (EoRR): {Removed} routes it did not re-advertise removed")]
    public static partial void RefreshEnds(ILogger logger, IPAddress peer, string family, int removed);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "peer {Peer}: {Family} route refresh never ended (no EoRR); its stale routes are removed")]
    public static partial void RefreshTimedOut(ILogger logger, IPAddress peer, string family);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "peer {Peer}: graceful restart: End-of-RIB waits until the initial announcements are sent")]
    public static partial void EndOfRibDeferred(ILogger logger, IPAddress peer);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "peer {Peer}: graceful restart: the initial announcements were not complete within {Deferral}; sending End-of-RIB anyway")]
    public static partial void EndOfRibDeferralExpired(ILogger logger, IPAddress peer, TimeSpan deferral);

    [LoggerMessage(EventId = 35, Level = LogLevel.Information, Message = "peer {Peer}: graceful restart: closing the connection without NOTIFICATION, the peer keeps our routes for our restart time")]
    public static partial void ClosingForRestart(ILogger logger, IPAddress peer);
}
