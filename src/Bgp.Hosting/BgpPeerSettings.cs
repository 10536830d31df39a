using System.Net;
using BgpKit.Bgp.Fsm;

namespace BgpKit.Bgp.Hosting;

/// <summary>One configured peer (a router): the common knobs as bindable properties, the rest through <see cref="Customize"/>.</summary>
public sealed class BgpPeerSettings
{
    /// <summary>The peer's address (required).</summary>
    public string? Address { get; set; }

    /// <summary>The peer's AS (required, 1 to 4294967295).</summary>
    public uint RemoteAs { get; set; }

    /// <summary>Our AS toward this peer, when it differs from <see cref="BgpSpeakerSettings.LocalAs"/>.</summary>
    public uint? LocalAs { get; set; }

    /// <summary>Our source address toward the peer (TCP, and the BFD session's local address; required with <see cref="Bfd"/>).</summary>
    public string? LocalAddress { get; set; }

    /// <summary>The peer's BGP port (default 179).</summary>
    public int Port { get; set; } = 179;

    /// <summary>Hold time we offer: 0 (no keepalives) or at least 3 seconds (RFC 4271 section 4.2); default 90 s.</summary>
    public TimeSpan HoldTime { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Wait for the peer to connect (passive TCP establishment).</summary>
    public bool Passive { get; set; }

    /// <summary>TCP MD5 password (RFC 2385). Never logged nor put in a message.</summary>
    public string? Password { get; set; }

    /// <summary>Watch the path with BFD (needs <c>services.AddBfd()</c> and <see cref="LocalAddress"/>): BFD Down takes the session down at once.</summary>
    public bool Bfd { get; set; }

    /// <summary>Adjusts the <see cref="BgpPeerOptions"/> made from these settings (families, prefix limits, timers, ...), in code.</summary>
    public Func<BgpPeerOptions, BgpPeerOptions>? Customize { get; set; }

    // Called after BgpSpeakerSettingsValidator accepted the settings.
    internal BgpPeerOptions ToPeerOptions()
    {
        var options = new BgpPeerOptions
        {
            Address = IPAddress.Parse(Address!),
            RemoteAs = RemoteAs,
            LocalAs = LocalAs,
            HoldTime = HoldTime,
            Transport = new TransportOptions
            {
                RemotePort = Port,
                LocalAddress = LocalAddress is null ? null : IPAddress.Parse(LocalAddress),
                Passive = Passive,
                Password = Password,
            },
        };
        return Customize is null ? options : Customize(options);
    }
}
