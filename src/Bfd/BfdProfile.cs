namespace BgpKit.Bfd;

/// <summary>
/// Session parameters with the fields, ranges and defaults of MetalLB's BFDProfile
/// (metallb.io/v1beta1): receiveInterval, transmitInterval, detectMultiplier, echoInterval, echoMode,
/// passiveMode, minimumTtl. Validated on construction by <see cref="Validate"/>.
/// </summary>
public sealed record BfdProfile
{
    /// <summary>The default profile: 300 ms both ways, multiplier 3, echo off, active, minimum TTL 254.</summary>
    public static BfdProfile Default { get; } = new();

    /// <summary>Required Min RX Interval: the slowest rate we want to receive at (10 to 60000 ms, default 300).</summary>
    public TimeSpan ReceiveInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Desired Min TX Interval: the rate we want to send at once Up (10 to 60000 ms, default 300).</summary>
    public TimeSpan TransmitInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Detect Mult: packets the peer may miss before it declares us down (2 to 255, default 3).</summary>
    public byte DetectMultiplier { get; init; } = 3;

    /// <summary>Required Min Echo RX Interval when echo mode is on (10 to 60000 ms, default 50).</summary>
    public TimeSpan EchoInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Echo mode (RFC 5880 section 6.4, RFC 5881 section 4): once Up, send echo packets that the peer's forwarding
    /// plane returns, detect their loss in detect multiplier x echo interval (diagnostic 2), and slow control
    /// packets to 1 s meanwhile. Runs on Linux, single-hop, IPv4 or IPv6 (not link-local), over a real interface,
    /// with CAP_NET_RAW; elsewhere the session runs without echo and <see cref="BfdSessionStatus.EchoUnavailable"/> says why.
    /// </summary>
    public bool EchoMode { get; init; }

    /// <summary>Passive mode (RFC 5880 section 6.1): send nothing until the peer's first packet arrives.</summary>
    public bool PassiveMode { get; init; }

    /// <summary>Multihop only: the smallest TTL accepted from the peer (1 to 254, default 254).</summary>
    public byte MinimumTtl { get; init; } = 254;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a field is outside MetalLB's range.</summary>
    public BfdProfile Validate()
    {
        CheckInterval(ReceiveInterval, nameof(ReceiveInterval));
        CheckInterval(TransmitInterval, nameof(TransmitInterval));
        CheckInterval(EchoInterval, nameof(EchoInterval));
        if (DetectMultiplier is < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(DetectMultiplier), DetectMultiplier, "detectMultiplier is 2 to 255");
        }
        if (MinimumTtl is < 1 or > 254)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumTtl), MinimumTtl, "minimumTtl is 1 to 254");
        }
        return this;
    }

    private static void CheckInterval(TimeSpan value, string name)
    {
        if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromMilliseconds(60000) || value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is a whole number of milliseconds from 10 to 60000");
        }
    }

    internal static uint Microseconds(TimeSpan value) => (uint)(value.Ticks / 10);
}
