using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BgpKit.Bgp.Hosting.Tests;

/// <summary>A bad setting stops the host at start, and the message names the setting and its value.</summary>
public class SettingsValidationTests
{
    private static async Task<OptionsValidationException> StartFails(Action<BgpSpeakerSettings> configure, Action<IServiceCollection>? more = null)
    {
        using var host = HostedSpeaker.Build(configure, more);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Fact]
    public async Task A_peer_without_address_RemoteAs_0_and_hold_time_2_s_are_each_named()
    {
        var e = await StartFails(s =>
        {
            s.Peers.Add(new BgpPeerSettings { RemoteAs = 65002 });
            s.Peers.Add(new BgpPeerSettings { Address = "192.0.2.2" });
            s.Peers.Add(new BgpPeerSettings { Address = "192.0.2.3", RemoteAs = 65003, HoldTime = TimeSpan.FromSeconds(2) });
        });
        Assert.Contains("Peers[0].Address is missing: every peer needs the router's address", e.Failures);
        Assert.Contains("Peers[1].RemoteAs is 0: set the peer's AS number (1 to 4294967295)", e.Failures);
        Assert.Contains("Peers[2].HoldTime 00:00:02 is not allowed: it is 0 or from 3 to 65535 seconds (RFC 4271 section 4.2)", e.Failures);
        Assert.Equal(3, e.Failures.Count());
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    public async Task Hold_time_is_0_or_3_to_65535_seconds(int seconds, bool accepted)
    {
        using var host = HostedSpeaker.Build(s => s.Peers.Add(new BgpPeerSettings
        {
            Address = "192.0.2.2", RemoteAs = 65002, HoldTime = TimeSpan.FromSeconds(seconds), Passive = true,
        }));
        var failure = await Record.ExceptionAsync(() => host.StartAsync());
        Assert.Equal(accepted, failure is null);
        if (accepted)
        {
            await host.StopAsync();
        }
        else
        {
            Assert.Contains($"Peers[0].HoldTime {TimeSpan.FromSeconds(seconds)} is not allowed", failure!.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Speaker_settings_and_announcements_are_checked()
    {
        var e = await StartFails(s =>
        {
            s.LocalAs = 0;
            s.RouterId = "2001:db8::1";
            s.Listen = true;
            s.ListenAddress = "nowhere";
            s.Peers.Add(new BgpPeerSettings { Address = "192.0.2.2", RemoteAs = 65002, LocalAddress = "here", Password = "s3cret" });
            s.Peers.Add(new BgpPeerSettings { Address = "192.0.2.2", RemoteAs = 65002, Port = 0 });
            var a = new BgpAnnouncementSettings { Peer = "192.0.2.9" };
            a.Prefixes.Add("198.51.100.0/33");
            a.Communities.Add("65536:1");
            s.Announcements.Add(a);
            s.Announcements.Add(new BgpAnnouncementSettings());
        });
        Assert.Equal(
        [
            "LocalAs is 0: set our AS number (1 to 4294967295)",
            "RouterId '2001:db8::1' is not a non-zero IPv4 address (the BGP identifier, RFC 6286)",
            "ListenAddress 'nowhere' is not an IP address",
            "Peers[0].LocalAddress 'here' is not an IP address",
            "Peers[1].Address 192.0.2.2 is configured twice",
            "Peers[1].Port 0 is not a port (1 to 65535)",
            "Announcements[0].Prefixes[0] '198.51.100.0/33' is not a prefix (address/length)",
            "Announcements[0].Communities[0] '65536:1' is not a community (AS:value or a well-known name such as no-export)",
            "Announcements[0].Peer '192.0.2.9' is not the address of one of Peers",
            "Announcements[1].Prefixes is empty: name at least one prefix to announce",
        ], e.Failures);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bfd_on_a_peer_needs_AddBfd_and_a_local_address()
    {
        var e = await StartFails(s => s.Peers.Add(new BgpPeerSettings { Address = "192.0.2.2", RemoteAs = 65002, Bfd = true }));
        Assert.Equal(
        [
            "Peers[0].Bfd needs Peers[0].LocalAddress, the BFD session's source address",
            "Peers[0].Bfd is true but BFD is not registered: call services.AddBfd()",
        ], e.Failures);
    }

    [Fact]
    public async Task Bfd_settings_are_checked_at_start()
    {
        var e = await StartFails(_ => { }, services => services.AddBfd(b => b.DetectMultiplier = 1));
        Assert.Equal(["DetectMultiplier 1 is not allowed: detectMultiplier is 2 to 255"], e.Failures);
    }
}
