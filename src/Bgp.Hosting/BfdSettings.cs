using BgpKit.Bfd;

namespace BgpKit.Bgp.Hosting;

/// <summary>
/// The BFD endpoint that <c>services.AddBfd()</c> registers and the profile of the sessions it runs for peers with
/// <see cref="BgpPeerSettings.Bfd"/> (RFC 5880, 5881). The endpoint itself is in DI for sessions of your own.
/// </summary>
public sealed class BfdSettings
{
    /// <summary>Desired Min TX Interval: a whole number of milliseconds from 10 to 60000 (default 300).</summary>
    public TimeSpan TransmitInterval { get; set; } = BfdProfile.Default.TransmitInterval;

    /// <summary>Required Min RX Interval: a whole number of milliseconds from 10 to 60000 (default 300).</summary>
    public TimeSpan ReceiveInterval { get; set; } = BfdProfile.Default.ReceiveInterval;

    /// <summary>Detect Mult, 2 to 255 (default 3).</summary>
    public byte DetectMultiplier { get; set; } = BfdProfile.Default.DetectMultiplier;

    /// <summary>Wait for the peer's first packet before transmitting.</summary>
    public bool PassiveMode { get; set; }

    /// <summary>One receive socket on the wildcard address instead of one per local address (see <see cref="BfdEndpoint"/>).</summary>
    public bool ListenOnAnyAddress { get; set; }

    internal BfdProfile ToProfile() => new()
    {
        TransmitInterval = TransmitInterval,
        ReceiveInterval = ReceiveInterval,
        DetectMultiplier = DetectMultiplier,
        PassiveMode = PassiveMode,
    };
}
