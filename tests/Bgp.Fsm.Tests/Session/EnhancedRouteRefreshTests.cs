using System.Collections.Concurrent;
using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using static BgpKit.Bgp.Fsm.Tests.Session.ScriptedSession;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>
/// RFC 7313 receive side with a scripted peer and a manual clock: at the peer's BoRR its routes of the family turn
/// stale, re-advertised ones are fresh again, and at its EoRR (or when none comes in time) the rest are removed.
/// </summary>
public class EnhancedRouteRefreshTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly ManualTimeProvider _time = new();

    private BgpSpeaker Speaker() => new(new BgpSpeakerOptions
    {
        LocalAs = 65001,
        RouterId = IPAddress.Parse("10.0.0.1"),
        ListenAddress = null,
        TimeProvider = _time,
        Random = () => 0,
    });

    private static BgpPeerOptions Peer(int port) => new()
    {
        Address = IPAddress.Loopback,
        RemoteAs = 65002,
        HoldTime = TimeSpan.Zero, // no hold timer: the test moves the clock by minutes and the scripted peer sends no KEEPALIVE
        Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast],
        Transport = new TransportOptions { RemotePort = port, ConnectRetryTime = TimeSpan.FromSeconds(30), Ttl = 64 },
        KeepAdjRibIn = true,
    };

    private static async Task Demarcate(FakePeer fake, BgpSession session, RouteRefreshSubtype subtype, AfiSafi? family = null)
    {
        var expected = Volatile.Read(ref session.Counters.RouteRefreshReceived) + 1;
        fake.Send(new RouteRefreshMessage(family ?? AfiSafi.IPv4Unicast, subtype));
        await Poll.UntilAsync(() => Volatile.Read(ref session.Counters.RouteRefreshReceived) >= expected, "the ROUTE-REFRESH handled");
        await session.BarrierAsync();
    }

    private static async Task<(BgpSpeaker Speaker, BgpSession Session, ConcurrentQueue<ReceivedRoute> Seen)> Start(FakePeer fake, BgpSpeaker speaker, bool enhanced = true)
    {
        var session = await Establish(fake, speaker, Peer(fake.Port), enhanced ? [EnhancedRouteRefreshCapability.Instance] : []);
        var seen = new ConcurrentQueue<ReceivedRoute>();
        speaker.RouteReceived += (_, route) => seen.Enqueue(route);
        return (speaker, session, seen);
    }

    [Fact]
    public async Task At_EoRR_the_routes_not_readvertised_since_BoRR_are_withdrawn_and_only_those()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (_, session, seen) = await Start(fake, speaker);
        await Send(fake, session, V4Prefixes(0, 5));
        seen.Clear();

        await Demarcate(fake, session, RouteRefreshSubtype.BeginningOfRouteRefresh);
        Assert.Equal(5, session.AdjRibIn!.Count); // stale, not gone: no flap while the peer re-sends
        Assert.Empty(seen);
        await Send(fake, session, V4Prefixes(0, 3));
        await Demarcate(fake, session, RouteRefreshSubtype.EndOfRouteRefresh);

        Assert.Equal(3, session.AdjRibIn.Count);
        Assert.Equal(0, session.AdjRibIn.StaleCount);
        var withdrawn = seen.Where(r => r.Withdrawn).Select(r => r.Prefix).Order().ToArray();
        Assert.Equal(V4Prefixes(3, 2).Select(n => n.Prefix).Order(), withdrawn);
        Assert.Equal(SessionState.Established, session.State);
    }

    [Fact]
    public async Task A_refresh_of_one_family_leaves_the_other_alone()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (_, session, _) = await Start(fake, speaker);
        await Send(fake, session, V4Prefixes(0, 2));
        await Send(fake, session, [Prefix.Parse("2001:db8:1::/48"), Prefix.Parse("2001:db8:2::/48")]);

        await Demarcate(fake, session, RouteRefreshSubtype.BeginningOfRouteRefresh, AfiSafi.IPv6Unicast);
        await Demarcate(fake, session, RouteRefreshSubtype.EndOfRouteRefresh, AfiSafi.IPv6Unicast);

        Assert.Equal(2, session.AdjRibIn!.CountOf(ipv6: false));
        Assert.Equal(0, session.AdjRibIn.CountOf(ipv6: true));
    }

    [Fact]
    public async Task Without_EoRR_the_stale_routes_go_when_the_stale_time_runs_out_and_not_one_tick_earlier()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (_, session, _) = await Start(fake, speaker);
        await Send(fake, session, V4Prefixes(0, 4));
        await Demarcate(fake, session, RouteRefreshSubtype.BeginningOfRouteRefresh);
        await Send(fake, session, V4Prefixes(0, 1));

        _time.Advance(BgpSession.RouteRefreshStaleTime - Tick);
        await session.BarrierAsync();
        Assert.Equal(4, session.AdjRibIn!.Count);
        _time.Advance(Tick);
        await session.BarrierAsync();
        Assert.Equal(1, session.AdjRibIn.Count);

        // A late EoRR changes nothing.
        await Demarcate(fake, session, RouteRefreshSubtype.EndOfRouteRefresh);
        Assert.Equal(1, session.AdjRibIn.Count);
    }

    [Fact]
    public async Task Demarcations_without_the_negotiated_capability_are_ignored()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (_, session, seen) = await Start(fake, speaker, enhanced: false);
        await Send(fake, session, V4Prefixes(0, 3));
        seen.Clear();
        await Demarcate(fake, session, RouteRefreshSubtype.BeginningOfRouteRefresh);
        await Demarcate(fake, session, RouteRefreshSubtype.EndOfRouteRefresh);
        Assert.Equal(3, session.AdjRibIn!.Count);
        Assert.Empty(seen);
    }

    [Fact]
    public async Task A_session_that_goes_down_mid_refresh_leaves_no_timer_behind()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var (_, session, _) = await Start(fake, speaker);
        await Send(fake, session, V4Prefixes(0, 2));
        await Demarcate(fake, session, RouteRefreshSubtype.BeginningOfRouteRefresh);
        fake.Send(new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.AdministrativeReset));
        await Poll.UntilAsync(() => session.State != SessionState.Established, "the session down");
        await session.BarrierAsync();
        Assert.Equal(0, session.AdjRibIn!.Count);
        _time.Advance(BgpSession.RouteRefreshStaleTime);
        await session.BarrierAsync();
        Assert.Equal(0, session.AdjRibIn.StaleCount);
    }
}
