using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Speaker;

/// <summary>Prefix limits are validated when the peer is added, with an error that says what is wrong.</summary>
public class PrefixLimitOptionsTests
{
    private static BgpPeerOptions Peer(params PrefixLimit[] limits) => new()
    {
        Address = IPAddress.Parse("127.0.0.2"),
        RemoteAs = 65002,
        KeepAdjRibIn = true,
        AutoStart = false,
        PrefixLimits = limits,
    };

    private static PrefixLimit V4 => new() { Family = AfiSafi.IPv4Unicast, MaximumPrefixes = 100 };

    public static TheoryData<string, BgpPeerOptions> Invalid => new()
    {
        { "set KeepAdjRibIn", Peer(V4) with { KeepAdjRibIn = false } },
        { "PrefixLimits is null", Peer() with { PrefixLimits = null! } },
        { "only IPv4/Unicast and IPv6/Unicast", Peer(V4 with { Family = new AfiSafi(Afi.IPv4, Safi.Multicast) }) },
        { "not in the peer's Families", Peer(V4) with { Families = [AfiSafi.IPv6Unicast] } },
        { "more than one limit", Peer(V4, V4 with { MaximumPrefixes = 5 }) },
        { "MaximumPrefixes is at least 1", Peer(V4 with { MaximumPrefixes = 0 }) },
        { "WarningThresholdPercent is 1-100 (got 0)", Peer(V4 with { WarningThresholdPercent = 0 }) },
        { "WarningThresholdPercent is 1-100 (got 101)", Peer(V4 with { WarningThresholdPercent = 101 }) },
        { "RestartInterval is above 0", Peer(V4 with { RestartInterval = TimeSpan.Zero }) },
        { "at most 65535 minutes", Peer(V4 with { RestartInterval = TimeSpan.FromMinutes(65536) }) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Invalid_limits_are_refused_with_a_clear_error(string message, BgpPeerOptions peer)
    {
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });
        var e = await Assert.ThrowsAsync<ArgumentException>(() => speaker.AddPeerAsync(peer));
        Assert.Contains(message, e.Message);
        Assert.Empty(speaker.GetStatuses());
    }

    [Fact]
    public async Task Valid_limits_per_family_are_accepted_and_shown_in_the_status()
    {
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });
        await speaker.AddPeerAsync(Peer(
            V4 with { WarningThresholdPercent = 100, RestartInterval = PrefixLimit.MaxRestartInterval },
            new PrefixLimit { Family = AfiSafi.IPv6Unicast, MaximumPrefixes = uint.MaxValue, WarningOnly = true, WarningThresholdPercent = 1 }));
        var status = speaker.GetStatus(IPAddress.Parse("127.0.0.2"));
        Assert.Equal(
            [new PrefixLimitStatus(AfiSafi.IPv4Unicast, 100, 100, false, 0, false, false), new PrefixLimitStatus(AfiSafi.IPv6Unicast, uint.MaxValue, 1, true, 0, false, false)],
            status.PrefixLimits);
        Assert.False(status.PrefixLimitHeldDown);
    }
}
