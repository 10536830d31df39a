using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Hosting;

/// <summary>Prefixes announced with the same attributes when the host starts, to every peer or to one.</summary>
public sealed class BgpAnnouncementSettings
{
    /// <summary>The prefixes, such as <c>198.51.100.10/32</c> or <c>2001:db8::/64</c> (at least one).</summary>
    public List<string> Prefixes { get; } = [];

    /// <summary>Communities (RFC 1997), such as <c>65001:100</c> or <c>no-export</c>.</summary>
    public List<string> Communities { get; } = [];

    /// <summary>LOCAL_PREF for iBGP peers (default 100 when unset).</summary>
    public uint? LocalPreference { get; set; }

    /// <summary>MULTI_EXIT_DISC.</summary>
    public uint? Med { get; set; }

    /// <summary>Announce to this peer only (one of <see cref="BgpSpeakerSettings.Peers"/>); unset: to every peer, present and future.</summary>
    public string? Peer { get; set; }

    internal IPAddress? PeerAddress => Peer is null ? null : IPAddress.Parse(Peer);

    internal IEnumerable<Prefix> ToPrefixes() => Prefixes.Select(Prefix.Parse);

    internal PathAttributes ToAttributes() => new()
    {
        Communities = Communities.Select(Community.Parse).ToList(),
        LocalPref = LocalPreference,
        MultiExitDisc = Med,
    };
}
