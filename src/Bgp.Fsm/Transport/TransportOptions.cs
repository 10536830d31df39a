using System.Net;

namespace BgpKit.Bgp.Fsm;

/// <summary>How a peer's TCP connection is made and protected.</summary>
public sealed record TransportOptions
{
    /// <summary>The peer's TCP port (default 179).</summary>
    public int RemotePort { get; init; } = 179;

    /// <summary>Local address to bind outgoing connections to (source address); null lets the kernel choose.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Local port for outgoing connections; 0 lets the kernel choose.</summary>
    public int LocalPort { get; init; }

    /// <summary>Never connect; only accept the peer's connection (RFC 4271 PassiveTcpEstablishment).</summary>
    public bool Passive { get; init; }

    /// <summary>RFC 2385 TCP MD5 key. Never logged, never in a status snapshot or ToString.</summary>
    public string? Password { get; init; }

    /// <summary>eBGP multihop: the TTL to send with (null: 1 for a directly connected eBGP peer, 64 otherwise).</summary>
    public int? Ttl { get; init; }

    /// <summary>GTSM (RFC 5082): send with TTL 255 and drop segments arriving with TTL below 255 - hops + 1.</summary>
    public int? TtlSecurityHops { get; init; }

    /// <summary>Bind sockets to this device (a VRF), via SO_BINDTODEVICE.</summary>
    public string? BindDevice { get; init; }

    /// <summary>How long one TCP connect attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>RFC 4271 ConnectRetryTime (default 30 s; the RFC suggests 120 s).</summary>
    public TimeSpan ConnectRetryTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on bytes queued for sending before the session stops producing UPDATEs (back-pressure).</summary>
    public int SendQueueBytes { get; init; } = 1 << 20;

    /// <inheritdoc />
    public override string ToString() =>
        $"TransportOptions {{ RemotePort = {RemotePort}, LocalAddress = {LocalAddress}, LocalPort = {LocalPort}, Passive = {Passive}, Password = {(Password is null ? "none" : "***")}, Ttl = {Ttl}, TtlSecurityHops = {TtlSecurityHops}, BindDevice = {BindDevice} }}";
}
