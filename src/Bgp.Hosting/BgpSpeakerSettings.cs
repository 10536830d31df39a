using System.Diagnostics.Metrics;
using System.Net;
using BgpKit.Bgp.Fsm;
using Microsoft.Extensions.Logging;

namespace BgpKit.Bgp.Hosting;

/// <summary>
/// The configuration of the speaker that <c>services.AddBgpSpeaker()</c> runs: who we are, where we listen, the
/// peers and the routes to announce at start. Plain settable properties and strings, so that it binds from
/// configuration (<c>.BindConfiguration("Bgp")</c>); checked when the host starts, with messages that name the
/// property and its value.
/// </summary>
public sealed class BgpSpeakerSettings
{
    /// <summary>Our AS (1 to 4294967295; above 65535 the OPEN carries AS_TRANS, RFC 6793).</summary>
    public uint LocalAs { get; set; }

    /// <summary>Our BGP identifier, an IPv4 address (RFC 6286).</summary>
    public string? RouterId { get; set; }

    /// <summary>Whether to open the shared listener for incoming sessions (false: every peer connects out).</summary>
    public bool Listen { get; set; } = true;

    /// <summary>Address of the shared listener (default <c>::</c>, every address).</summary>
    public string ListenAddress { get; set; } = "::";

    /// <summary>Port of the shared listener (default 179; 0 picks a free one).</summary>
    public int ListenPort { get; set; } = 179;

    /// <summary>The peers, added in this order when the host starts.</summary>
    public List<BgpPeerSettings> Peers { get; } = [];

    /// <summary>Routes announced once the peers are added; announce and withdraw others through <see cref="Fsm.BgpSpeaker"/> from DI.</summary>
    public List<BgpAnnouncementSettings> Announcements { get; } = [];

    /// <summary>The RFC 9003 shutdown communication sent with Cease "Administrative Shutdown" when the host stops (at most 255 bytes of UTF-8).</summary>
    public string? ShutdownMessage { get; set; }

    internal BgpSpeakerOptions ToSpeakerOptions(ILoggerFactory? loggers, IMeterFactory? meters, TimeProvider? time) => new()
    {
        LocalAs = LocalAs,
        RouterId = IPAddress.Parse(RouterId!),
        ListenAddress = Listen ? IPAddress.Parse(ListenAddress) : null,
        ListenPort = ListenPort,
        LoggerFactory = loggers,
        MeterFactory = meters,
        TimeProvider = time ?? TimeProvider.System,
    };
}
