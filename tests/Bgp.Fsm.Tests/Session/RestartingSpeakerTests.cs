using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>
/// The restarting side of graceful restart (RFC 4724 sections 3 and 4.1) against a scripted peer and a manual clock:
/// the capability's R and F bits and restart time, and End-of-RIB only after the re-announcements.
/// </summary>
public class RestartingSpeakerTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly uint LocalId = OpenNegotiation.RouterIdValue(IPAddress.Parse("10.0.0.1"));
    private static readonly PathAttributes Attributes = new() { NextHop = 0xC0000201 };
    private readonly ManualTimeProvider _time = new();

    private static BgpPeerOptions Peer(int port, GracefulRestartOptions? restarting) => new()
    {
        Address = IPAddress.Loopback,
        RemoteAs = 65002,
        HoldTime = TimeSpan.Zero, // the scripted peer sends no KEEPALIVE while the clock moves
        Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast],
        Transport = new TransportOptions { RemotePort = port, ConnectRetryTime = TimeSpan.FromSeconds(30), Ttl = 64 },
        RestartingSpeaker = restarting,
    };

    private BgpSpeaker Speaker() => new(new BgpSpeakerOptions
    {
        LocalAs = 65001,
        RouterId = IPAddress.Parse("10.0.0.1"),
        ListenAddress = null,
        TimeProvider = _time,
        Random = () => 0,
    });

    private static async Task<(BgpSession Session, OpenMessage Ours)> Establish(FakePeer fake, BgpSpeaker speaker, BgpPeerOptions peer)
    {
        await speaker.AddPeerAsync(peer);
        var session = speaker.Session(IPAddress.Loopback);
        await fake.AcceptAsync();
        var ours = await fake.ReadUntilAsync<OpenMessage>();
        fake.SendOpen(65002, 0, "10.0.0.2", new MultiprotocolCapability(AfiSafi.IPv6Unicast), new GracefulRestartCapability(false, false, 120));
        await fake.ReadUntilAsync<KeepaliveMessage>();
        fake.SendKeepalive();
        await Poll.UntilAsync(() => session.State == SessionState.Established, "Established");
        return (session, ours);
    }

    /// <summary>The UPDATEs the session sent until it went quiet for <paramref name="quiet"/>, as "announce N" and "EoR family".</summary>
    private static async Task<List<string>> Updates(FakePeer fake, TimeSpan quiet)
    {
        var seen = new List<string>();
        while (true)
        {
            Received? m;
            try
            {
                m = await fake.ReadAsync(quiet);
            }
            catch (OperationCanceledException)
            {
                return seen;
            }
            if (m is not { Type: BgpMessageType.Update } u)
            {
                if (m is null)
                {
                    return seen;
                }
                continue;
            }
            var update = (UpdateMessage)BgpMessage.DecodeBody(BgpMessageType.Update, u.Body, BgpDecodeContext.FourOctetAsDefault);
            seen.Add(update.IsEndOfRib ? "EoR " + (update.MpUnreach?.AfiSafi ?? AfiSafi.IPv4Unicast) : $"announce {update.Announced.Count()}");
        }
    }

    [Fact]
    public void The_capability_carries_restart_time_R_bit_and_F_bit_per_family()
    {
        var peer = Peer(179, new GracefulRestartOptions { RestartTime = TimeSpan.FromSeconds(300), ForwardingStateFamilies = [AfiSafi.IPv4Unicast], Restarting = true });
        var restarted = OpenNegotiation.BuildOpen(peer, 65001, LocalId, restartState: true).GetCapability<GracefulRestartCapability>()!;
        Assert.True(restarted.RestartState);
        Assert.Equal(300, restarted.RestartTimeSeconds);
        Assert.Equal([new GracefulRestartFamily(AfiSafi.IPv4Unicast, true), new GracefulRestartFamily(AfiSafi.IPv6Unicast, false)], restarted.Families);

        var later = OpenNegotiation.BuildOpen(peer, 65001, LocalId).GetCapability<GracefulRestartCapability>()!;
        Assert.False(later.RestartState);
        Assert.Equal(2, later.Families.Count);
    }

    [Fact]
    public void Forwarding_state_defaults_to_every_family_of_the_session_and_the_helper_only_capability_stays_empty()
    {
        var all = OpenNegotiation.BuildOpen(Peer(179, new GracefulRestartOptions()), 65001, LocalId).GetCapability<GracefulRestartCapability>()!;
        Assert.Equal(120, all.RestartTimeSeconds);
        Assert.All(all.Families, f => Assert.True(f.ForwardingStateKept));

        var helper = OpenNegotiation.BuildOpen(Peer(179, null), 65001, LocalId).GetCapability<GracefulRestartCapability>()!;
        Assert.Equal(0, helper.RestartTimeSeconds);
        Assert.Empty(helper.Families);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    [InlineData(0.5)]
    public async Task A_restart_time_the_capability_cannot_carry_is_refused(double seconds)
    {
        await using var speaker = Speaker();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => speaker.AddPeerAsync(Peer(179, new GracefulRestartOptions { RestartTime = TimeSpan.FromSeconds(seconds) })));
        Assert.Contains("4095", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => speaker.AddPeerAsync(Peer(179, new GracefulRestartOptions()) with { GracefulRestart = false }));
    }

    [Fact]
    public async Task After_a_restart_End_of_RIB_follows_the_initial_announcements_not_the_first_flush()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (session, ours) = await Establish(fake, speaker, Peer(fake.Port, new GracefulRestartOptions { Restarting = true }));
        Assert.True(ours.GetCapability<GracefulRestartCapability>()!.RestartState);

        // The embedder re-announces in two steps, as a reconciler does; no End-of-RIB until it says it is done.
        await speaker.AnnounceAsync([Prefix.Parse("10.1.0.0/24"), Prefix.Parse("10.1.1.0/24")], Attributes);
        Assert.Equal(["announce 2"], await Updates(fake, TimeSpan.FromMilliseconds(300)));
        await speaker.AnnounceAsync([Prefix.Parse("10.1.2.0/24")], Attributes);
        Assert.Equal(["announce 1"], await Updates(fake, TimeSpan.FromMilliseconds(300)));

        await speaker.CompleteInitialRoutesAsync();
        Assert.Equal(["EoR IPv4/Unicast", "EoR IPv6/Unicast"], await Updates(fake, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(3, session.AdjRibOut.AdvertisedCount);
        Assert.Equal(0, Volatile.Read(ref session.Counters.UpdatesReceived));

        // Called again (the next configuration applied): nothing more.
        await speaker.CompleteInitialRoutesAsync();
        Assert.Empty(await Updates(fake, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Without_the_embedder_s_word_End_of_RIB_goes_one_tick_after_the_deferral_not_at_it()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var deferral = TimeSpan.FromSeconds(30);
        var (session, _) = await Establish(fake, speaker, Peer(fake.Port, new GracefulRestartOptions { Restarting = true, EndOfRibDeferral = deferral }));
        await speaker.AnnounceAsync([Prefix.Parse("10.1.0.0/24")], Attributes);
        Assert.Equal(["announce 1"], await Updates(fake, TimeSpan.FromMilliseconds(300)));

        _time.Advance(deferral - Tick);
        await session.BarrierAsync();
        Assert.Empty(await Updates(fake, TimeSpan.FromMilliseconds(200)));
        _time.Advance(Tick);
        await session.BarrierAsync();
        Assert.Equal(["EoR IPv4/Unicast", "EoR IPv6/Unicast"], await Updates(fake, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_cold_start_with_graceful_restart_clears_the_R_bit_and_still_waits_for_the_announcements()
    {
        // After a crash without the stored state the peer still holds our stale routes (our F bits say keep them):
        // End-of-RIB before the re-announcements would purge them, R bit or not.
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (_, ours) = await Establish(fake, speaker, Peer(fake.Port, new GracefulRestartOptions()));
        var capability = ours.GetCapability<GracefulRestartCapability>()!;
        Assert.False(capability.RestartState);
        Assert.All(capability.Families, f => Assert.True(f.ForwardingStateKept));
        await speaker.AnnounceAsync([Prefix.Parse("10.1.0.0/24")], Attributes);
        await speaker.CompleteInitialRoutesAsync();
        Assert.Equal(["announce 1", "EoR IPv4/Unicast", "EoR IPv6/Unicast"], await Updates(fake, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_peer_added_after_the_initial_routes_sends_End_of_RIB_after_its_first_flush()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        await speaker.AnnounceAsync([Prefix.Parse("10.1.0.0/24")], Attributes);
        await speaker.CompleteInitialRoutesAsync();
        await Establish(fake, speaker, Peer(fake.Port, new GracefulRestartOptions { Restarting = true }));
        Assert.Equal(["announce 1", "EoR IPv4/Unicast", "EoR IPv6/Unicast"], await Updates(fake, TimeSpan.FromMilliseconds(300)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stopping_for_a_restart_closes_without_NOTIFICATION_only_where_the_peer_keeps_our_routes(bool restartingSide)
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (session, _) = await Establish(fake, speaker, Peer(fake.Port, restartingSide ? new GracefulRestartOptions() : null));

        await speaker.StopForRestartAsync("going away");

        var seen = new List<BgpMessageType>();
        NotificationMessage? notification = null;
        while (await fake.ReadAsync() is { } m)
        {
            seen.Add(m.Type);
            notification ??= m.Message as NotificationMessage;
        }
        Assert.Equal(SessionState.Idle, session.State);
        if (restartingSide)
        {
            Assert.DoesNotContain(BgpMessageType.Notification, seen); // RFC 4724: to the peer this is a restart
            Assert.Equal(0, Volatile.Read(ref session.Counters.NotificationsSent));
        }
        else
        {
            Assert.Equal((BgpErrorCode.Cease, (byte)CeaseSubcode.AdministrativeShutdown), (notification!.Code, notification.Subcode));
        }
        // Down until started again: no reconnect on its own.
        _time.Advance(TimeSpan.FromMinutes(2));
        await session.BarrierAsync();
        Assert.Equal(SessionState.Idle, session.State);
    }
}
