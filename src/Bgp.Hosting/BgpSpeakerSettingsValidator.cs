using System.Net;
using System.Net.Sockets;
using System.Text;
using BgpKit.Bfd;
using BgpKit.Bgp.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BgpKit.Bgp.Hosting;

/// <summary>
/// Checks <see cref="BgpSpeakerSettings"/> when the host starts (ValidateOnStart), so a bad configuration stops the
/// host with every problem named by its property path and value, instead of a session that never comes up.
/// Passwords are never echoed.
/// </summary>
internal sealed class BgpSpeakerSettingsValidator(IServiceProviderIsService registered) : IValidateOptions<BgpSpeakerSettings>
{
    public ValidateOptionsResult Validate(string? name, BgpSpeakerSettings options)
    {
        var failures = new List<string>();
        if (options.LocalAs == 0)
        {
            failures.Add("LocalAs is 0: set our AS number (1 to 4294967295)");
        }
        if (options.RouterId is null)
        {
            failures.Add("RouterId is missing: set our BGP identifier, an IPv4 address (RFC 6286)");
        }
        else if (!IPAddress.TryParse(options.RouterId, out var routerId) || routerId.AddressFamily != AddressFamily.InterNetwork || routerId.Equals(IPAddress.Any))
        {
            failures.Add($"RouterId '{options.RouterId}' is not a non-zero IPv4 address (the BGP identifier, RFC 6286)");
        }
        if (options.Listen && !IPAddress.TryParse(options.ListenAddress, out _))
        {
            failures.Add($"ListenAddress '{options.ListenAddress}' is not an IP address");
        }
        if (options.ListenPort is < 0 or > 65535)
        {
            failures.Add($"ListenPort {options.ListenPort} is not a port (0 to 65535)");
        }
        if (options.ShutdownMessage is { } message && Encoding.UTF8.GetByteCount(message) > 255)
        {
            failures.Add($"ShutdownMessage is {Encoding.UTF8.GetByteCount(message)} bytes of UTF-8; RFC 9003 allows at most 255");
        }

        var peers = new HashSet<IPAddress>();
        for (var i = 0; i < options.Peers.Count; i++)
        {
            ValidatePeer($"Peers[{i}]", options.Peers[i], peers, failures);
        }
        for (var i = 0; i < options.Announcements.Count; i++)
        {
            ValidateAnnouncement($"Announcements[{i}]", options.Announcements[i], peers, failures);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidatePeer(string path, BgpPeerSettings peer, HashSet<IPAddress> seen, List<string> failures)
    {
        if (peer is null)
        {
            failures.Add($"{path} is empty");
            return;
        }
        if (string.IsNullOrEmpty(peer.Address))
        {
            failures.Add($"{path}.Address is missing: every peer needs the router's address");
        }
        else if (!IPAddress.TryParse(peer.Address, out var address))
        {
            failures.Add($"{path}.Address '{peer.Address}' is not an IP address");
        }
        else if (!seen.Add(address))
        {
            failures.Add($"{path}.Address {address} is configured twice");
        }
        if (peer.RemoteAs == 0)
        {
            failures.Add($"{path}.RemoteAs is 0: set the peer's AS number (1 to 4294967295)");
        }
        if (peer.LocalAs == 0)
        {
            failures.Add($"{path}.LocalAs is 0: leave it unset to use the speaker's LocalAs");
        }
        // RFC 4271 section 4.2: the Hold Time is zero or at least three seconds, and fits 16 bits.
        if (peer.HoldTime < TimeSpan.Zero || (peer.HoldTime > TimeSpan.Zero && peer.HoldTime < TimeSpan.FromSeconds(3)) || peer.HoldTime > TimeSpan.FromSeconds(ushort.MaxValue))
        {
            failures.Add($"{path}.HoldTime {peer.HoldTime} is not allowed: it is 0 or from 3 to 65535 seconds (RFC 4271 section 4.2)");
        }
        if (peer.Port is < 1 or > 65535)
        {
            failures.Add($"{path}.Port {peer.Port} is not a port (1 to 65535)");
        }
        if (peer.LocalAddress is not null && !IPAddress.TryParse(peer.LocalAddress, out _))
        {
            failures.Add($"{path}.LocalAddress '{peer.LocalAddress}' is not an IP address");
        }
        if (peer.Bfd)
        {
            if (peer.LocalAddress is null)
            {
                failures.Add($"{path}.Bfd needs {path}.LocalAddress, the BFD session's source address");
            }
            if (!registered.IsService(typeof(BfdEndpoint)))
            {
                failures.Add($"{path}.Bfd is true but BFD is not registered: call services.AddBfd()");
            }
        }
    }

    private static void ValidateAnnouncement(string path, BgpAnnouncementSettings announcement, HashSet<IPAddress> peers, List<string> failures)
    {
        if (announcement is null)
        {
            failures.Add($"{path} is empty");
            return;
        }
        if (announcement.Prefixes.Count == 0)
        {
            failures.Add($"{path}.Prefixes is empty: name at least one prefix to announce");
        }
        for (var i = 0; i < announcement.Prefixes.Count; i++)
        {
            if (!Prefix.TryParse(announcement.Prefixes[i], out _))
            {
                failures.Add($"{path}.Prefixes[{i}] '{announcement.Prefixes[i]}' is not a prefix (address/length)");
            }
        }
        for (var i = 0; i < announcement.Communities.Count; i++)
        {
            if (!Community.TryParse(announcement.Communities[i], out _))
            {
                failures.Add($"{path}.Communities[{i}] '{announcement.Communities[i]}' is not a community (AS:value or a well-known name such as no-export)");
            }
        }
        if (announcement.Peer is not null && (!IPAddress.TryParse(announcement.Peer, out var peer) || !peers.Contains(peer)))
        {
            failures.Add($"{path}.Peer '{announcement.Peer}' is not the address of one of Peers");
        }
    }
}
