using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// Sessions against FRR bfdd 8.4.4 (INTEROP.md): bfdd binds 0.0.0.0:3784 and speaks from 127.0.0.1,
/// we bind 127.0.0.2. Real time, bounded polling of bfdd's JSON (every 100 ms, generous limits).
/// FRR 8.4 bfdd has no authentication (no such command under a peer), so authenticated sessions are
/// tested against BIRD in <see cref="BirdBfdInteropTests"/> (and between our own endpoints in
/// <see cref="UdpLoopbackTests"/>); here we only check that an authenticated session of ours stays down against it.
/// IPv6 against bfdd is in <see cref="BfddIpv6InteropTests"/>.
/// </summary>
[Trait("Category", "Interop")]
public sealed class BfddInteropTests
{
    private static readonly string Us = Bfdd.OurAddress.ToString();

    private static BfdProfile Profile(int ms, byte multiplier = 3, bool passive = false) => new()
    {
        TransmitInterval = TimeSpan.FromMilliseconds(ms),
        ReceiveInterval = TimeSpan.FromMilliseconds(ms),
        DetectMultiplier = multiplier,
        PassiveMode = passive,
    };

    private static int Int(JsonElement peer, string name) => peer.GetProperty(name).GetInt32();

    [Theory]
    [InlineData(300, 3)]
    [InlineData(50, 2)]
    [InlineData(10, 5)]
    [InlineData(50, 4)]
    public async Task Session_comes_up_with_the_intervals_bfdd_sees(int ms, int multiplier)
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: ms, rxMs: ms, multiplier: multiplier));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(ms, (byte)multiplier) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        // After the slow-start Poll Sequence bfdd holds our configured values.
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(Us) is { } p && p.GetProperty("status").GetString() == "up"
            && Int(p, "remote-transmit-interval") == ms && Int(p, "remote-receive-interval") == ms
            && Int(p, "remote-detect-multiplier") == multiplier), bfdd.Vtysh("show bfd peers json"));
        var status = session.GetStatus();
        Assert.Equal(TimeSpan.FromMilliseconds(ms), status.TransmitInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(ms * multiplier), status.DetectionTime);
        Assert.Equal((uint)bfdd.Peer(Us)!.Value.GetProperty("id").GetInt64(), status.RemoteDiscriminator);
    }

    [Fact]
    public async Task Session_comes_up_when_we_start_first()
    {
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(50) });
        Assert.True(Bfdd.WaitFor(() => session.GetStatus().ControlPacketsSent >= 2), "we never transmitted");
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: 50, rxMs: 50));
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.PeerStatus(Us) == "up"));
    }

    [Fact]
    public async Task We_are_passive_and_bfdd_is_active()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: 50, rxMs: 50));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(50, passive: true) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.PeerStatus(Us) == "up"));
    }

    [Fact]
    public async Task Bfdd_is_passive_and_we_are_active()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig("  passive-mode\n", txMs: 50, rxMs: 50));
        Assert.True(bfdd.Peer(Us)!.Value.GetProperty("passive-mode").GetBoolean());
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(50) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.PeerStatus(Us) == "up"));
    }

    [Fact]
    public async Task Both_passive_stay_down()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig("  passive-mode\n", txMs: 50, rxMs: 50));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(50, passive: true) });
        // Nothing to wait for but silence: check over 1.5 s that neither side sent or came up.
        Assert.False(Bfdd.WaitFor(() => session.State != BfdState.Down || session.GetStatus().ControlPacketsSent > 0, 1.5));
        Assert.Equal("down", bfdd.PeerStatus(Us));
    }

    [Fact]
    public async Task Our_parameter_change_runs_a_Poll_Sequence_that_bfdd_adopts_and_bfdd_change_reaches_us()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: 300, rxMs: 300));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(300) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());

        session.ChangeProfile(Profile(100, 4));
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(Us) is { } p && Int(p, "remote-transmit-interval") == 100
            && Int(p, "remote-receive-interval") == 100 && Int(p, "remote-detect-multiplier") == 4), bfdd.Vtysh("show bfd peers json"));
        Assert.True(Bfdd.WaitFor(() => !session.Variables.PollActive), "our Poll Sequence never got its Final");
        Assert.Equal(BfdState.Up, session.State);

        bfdd.Configure("bfd", $"peer {Us} local-address {Bfdd.DaemonAddress}", "transmit-interval 200", "detect-multiplier 5");
        // Detection time = 5 x max(our 100 ms RX, bfdd's 200 ms TX) = 1 s.
        Assert.True(Bfdd.WaitFor(() => session.GetStatus().DetectionTime == TimeSpan.FromSeconds(1)), session.GetStatus().ToString());
        Assert.Equal(BfdState.Up, session.State);
    }

    [Fact]
    public async Task Frozen_bfdd_is_detected_within_detection_time_plus_one_interval_and_comes_back()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: 300, rxMs: 300));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(300) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        await Bfdd.AssertFreezeIsDetectedAndRecoveredAsync(bfdd, session, Us);
    }

    [Fact]
    public async Task Stopping_our_session_takes_bfdd_down_with_diagnostic()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: 50, rxMs: 50));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(50) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.PeerStatus(Us) == "up"));
        await session.DisposeAsync();
        // FRR 8.4 prints diagnostics in words in JSON ("administratively down"), not in CLI keywords.
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(Us) is { } p && p.GetProperty("status").GetString() == "down"
            && p.GetProperty("diagnostic").GetString() == "neighbor signaled session down"
            && p.GetProperty("remote-diagnostic").GetString() == "administratively down"), bfdd.Vtysh("show bfd peers json"));
    }

    [Fact]
    public async Task Bfdd_shutdown_takes_us_down_with_diagnostic_3()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: 50, rxMs: 50));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(50) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        bfdd.Configure("bfd", $"peer {Us} local-address {Bfdd.DaemonAddress}", "shutdown");
        Assert.True(await Bfdd.WaitForState(session, BfdState.Down));
        Assert.Equal(BfdDiagnostic.NeighborSignaledSessionDown, session.GetStatus().LastDiagnostic);
        Assert.Equal(BfdState.AdminDown, session.GetStatus().RemoteState);
        bfdd.Configure("bfd", $"peer {Us} local-address {Bfdd.DaemonAddress}", "no shutdown");
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up));
    }

    [Fact]
    public async Task Authenticated_session_stays_down_against_bfdd_without_authentication()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig(txMs: 50, rxMs: 50));
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress)
        {
            Profile = Profile(50),
            Authentication = BfdAuthenticationKey.FromString(BfdAuthenticationType.KeyedSha1, 1, "no-auth-in-bfdd"),
        });
        // bfdd's packets lack the A bit and are discarded (6.8.6); ours carry it. Neither side may come up.
        Assert.False(Bfdd.WaitFor(() => session.State != BfdState.Down || bfdd.PeerStatus(Us) == "up", 2));
    }

    [Fact]
    public async Task Multihop_session_comes_up()
    {
        using var bfdd = FrrBfdd.Start($"bfd\n peer {Us} multihop local-address {Bfdd.DaemonAddress}\n  receive-interval 100\n  transmit-interval 100\n  minimum-ttl 254\n");
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(100), Multihop = true });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(Us) is { } p && p.GetProperty("multihop").GetBoolean() && p.GetProperty("status").GetString() == "up"));
    }

    [Fact]
    public async Task Across_namespaces_on_a_veth_pair_link_down_is_detected()
    {
        using var ns = NetNamespace.Create("bgpkit-bfd");
        using var bfdd = FrrBfdd.Start($"bfd\n peer {ns.OuterAddress} local-address {ns.InnerAddress}\n  receive-interval 50\n  transmit-interval 50\n", ns.Name);
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(ns.OuterAddress, ns.InnerAddress) { Profile = Profile(50) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.PeerStatus(ns.OuterAddress.ToString()) == "up"));

        ns.SetOuterLink(up: false);
        Assert.True(await Bfdd.WaitForState(session, BfdState.Down, 10));
        Assert.Equal(BfdDiagnostic.ControlDetectionTimeExpired, session.GetStatus().LastDiagnostic);
        Assert.True(Bfdd.WaitFor(() => bfdd.PeerStatus(ns.OuterAddress.ToString()) == "down"));

        ns.SetOuterLink(up: true);
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up, 30), bfdd.LogText());
    }
}
