using System.Diagnostics;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// IPv6 single-hop sessions against FRR bfdd 8.4.4. ::1 is the only IPv6 loopback address, and a packet bfdd
/// sends to it would land on our more specific [::1]:3784 socket as would our own, so bfdd runs in a network
/// namespace and both sides use ULA addresses on a veth pair (<see cref="VethLink"/>).
/// </summary>
[Trait("Category", "Interop")]
public sealed class BfddIpv6InteropTests
{
    private static BfdProfile Profile(int ms, byte multiplier = 3) => new()
    {
        TransmitInterval = TimeSpan.FromMilliseconds(ms),
        ReceiveInterval = TimeSpan.FromMilliseconds(ms),
        DetectMultiplier = multiplier,
    };

    private static string PeerConfig(VethLink link, int ms, int multiplier = 3) =>
        $"bfd\n peer {link.Outer6} local-address {link.Inner6}\n  receive-interval {ms}\n  transmit-interval {ms}\n  detect-multiplier {multiplier}\n";

    [Fact]
    public async Task Session_comes_up_over_ipv6_with_the_intervals_bfdd_sees()
    {
        using var link = VethLink.Create("bgpkit-bfd6");
        using var bfdd = FrrBfdd.Start(PeerConfig(link, 50, 4), link.Name);
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer6, link.Inner6) { Profile = Profile(50, 4) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());

        // After the slow-start Poll Sequence bfdd holds our configured values, and we hold its.
        var us = link.Outer6.ToString();
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(us) is { } p && p.GetProperty("status").GetString() == "up"
            && p.GetProperty("remote-transmit-interval").GetInt32() == 50 && p.GetProperty("remote-receive-interval").GetInt32() == 50
            && p.GetProperty("remote-detect-multiplier").GetInt32() == 4), bfdd.Vtysh("show bfd peers json"));
        var status = session.GetStatus();
        Assert.Equal(TimeSpan.FromMilliseconds(50), status.TransmitInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(200), status.DetectionTime);
        Assert.Equal((uint)bfdd.Peer(us)!.Value.GetProperty("id").GetInt64(), status.RemoteDiscriminator);
        Assert.Equal(status.LocalDiscriminator, (uint)bfdd.Peer(us)!.Value.GetProperty("remote-id").GetInt64());
    }

    [Fact]
    public async Task Multihop_session_comes_up_over_ipv6()
    {
        using var link = VethLink.Create("bgpkit-bfd6");
        using var bfdd = FrrBfdd.Start($"bfd\n peer {link.Outer6} multihop local-address {link.Inner6}\n  receive-interval 100\n  transmit-interval 100\n  minimum-ttl 254\n", link.Name);
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer6, link.Inner6) { Profile = Profile(100), Multihop = true });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(link.Outer6.ToString()) is { } p && p.GetProperty("multihop").GetBoolean()
            && p.GetProperty("status").GetString() == "up"), bfdd.Vtysh("show bfd peers json"));
    }

    [Fact]
    public async Task Frozen_bfdd_is_detected_over_ipv6_within_detection_time_plus_one_interval_and_comes_back()
    {
        using var link = VethLink.Create("bgpkit-bfd6");
        using var bfdd = FrrBfdd.Start(PeerConfig(link, 300), link.Name);
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer6, link.Inner6) { Profile = Profile(300) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        await Bfdd.AssertFreezeIsDetectedAndRecoveredAsync(bfdd, session, link.Outer6.ToString());
    }
}
