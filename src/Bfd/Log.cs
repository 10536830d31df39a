using System.Net;
using Microsoft.Extensions.Logging;

namespace BgpKit.Bfd;

/// <summary>Source-generated log messages with structured fields; keys and passwords never appear.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "BFD session {Local} -> {Peer} started (multihop {Multihop}, discriminator {LocalDiscriminator})")]
    public static partial void SessionStarted(ILogger logger, IPAddress local, IPAddress peer, bool multihop, uint localDiscriminator);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "BFD session {Local} -> {Peer} {Previous} -> {Current} (diagnostic {Diagnostic})")]
    public static partial void StateChanged(ILogger logger, IPAddress local, IPAddress peer, BfdState previous, BfdState current, BfdDiagnostic diagnostic);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "BFD session {Local} -> {Peer} stopped")]
    public static partial void SessionStopped(ILogger logger, IPAddress local, IPAddress peer);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "BFD packet on {Local} dropped: {Reason}")]
    public static partial void PacketDropped(ILogger logger, IPAddress local, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "BFD send from {Local} to {Peer} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, IPAddress local, IPAddress peer, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "BFD session {Local} -> {Peer} poll sequence completed, transmit {TransmitMicroseconds} us, detection {DetectionMicroseconds} us")]
    public static partial void PollCompleted(ILogger logger, IPAddress local, IPAddress peer, long transmitMicroseconds, long detectionMicroseconds);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "BFD endpoint loop failed while handling {Event}")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string @event);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "BFD receive on {Local} failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, IPAddress local, string error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "BFD session {Local} -> {Peer} echo active {EchoActive}, echo interval {EchoIntervalMicroseconds} us")]
    public static partial void EchoChanged(ILogger logger, IPAddress local, IPAddress peer, bool echoActive, long echoIntervalMicroseconds);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "BFD echo from {Local} to {Peer} not sent: {Error}")]
    public static partial void EchoSendFailed(ILogger logger, IPAddress local, IPAddress peer, string error);
}
