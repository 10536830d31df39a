using System.Net.Sockets;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

internal enum InputKind
{
    /// <summary>An FSM event with nothing attached (timer expiry, start, stop).</summary>
    Event,
    /// <summary>A message, error or close from a connection's read loop.</summary>
    Connection,
    /// <summary>The listener accepted a socket from this peer.</summary>
    Accepted,
    /// <summary>Our outgoing connect completed (Payload: Socket) or failed (Payload: null).</summary>
    Connected,
    /// <summary>A timer fired; Generation tells a stale firing from a live one.</summary>
    Timer,
    /// <summary>A request from the speaker (Payload: a SessionCommand).</summary>
    Command,
}

/// <summary>One item in a session's inbox. Sockets, timers and the API only ever post these.</summary>
internal readonly record struct SessionInput(
    InputKind Kind,
    BgpEvent Event = default,
    BgpConnection? Connection = null,
    ConnectionSignal Signal = default,
    BgpMessageType MessageType = default,
    object? Payload = null,
    long Generation = 0,
    Socket? Socket = null);

/// <summary>Requests from the API side, run inside the owner loop.</summary>
internal abstract record SessionCommand
{
    public sealed record Start : SessionCommand;

    /// <summary>ManualStop with this NOTIFICATION; null closes TCP without one (a graceful restart of ours, RFC 4724).</summary>
    public sealed record Stop(NotificationMessage? Notification) : SessionCommand;

    public sealed record Liveness(bool Up) : SessionCommand;

    public sealed record RibChanged : SessionCommand;

    /// <summary>Adj-RIB-Out changes: attributes (interned) to announce, null to withdraw.</summary>
    public sealed record Routes(IReadOnlyList<KeyValuePair<Prefix, PathAttributes?>> Changes) : SessionCommand;

    public sealed record SoftResetIn : SessionCommand;

    /// <summary>The embedder's initial announcements are all posted: a deferred End-of-RIB may follow them.</summary>
    public sealed record InitialRoutesComplete : SessionCommand;

    /// <summary>A new import filter for the running session (null: accept all).</summary>
    public sealed record ImportFilter(PrefixFilter? Filter) : SessionCommand;

    public sealed record Barrier(TaskCompletionSource Done) : SessionCommand;
}
