using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>
/// Every RFC 4271 timer driven on a manual clock to its exact boundary: not fired one tick before
/// the deadline, fired at it. Sockets are real (loopback) and awaited with bounded polling; time is not.
/// </summary>
public class SessionTimerBoundaryTests
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

    private static BgpPeerOptions Peer(int port, Func<BgpPeerOptions, BgpPeerOptions>? tweak = null)
    {
        var p = new BgpPeerOptions
        {
            Address = IPAddress.Loopback,
            RemoteAs = 65002,
            HoldTime = TimeSpan.FromSeconds(9),
            Families = [AfiSafi.IPv4Unicast],
            Transport = new TransportOptions { RemotePort = port, ConnectRetryTime = TimeSpan.FromSeconds(30), Ttl = 64 },
            IdleHoldTime = TimeSpan.FromSeconds(2),
        };
        return tweak is null ? p : tweak(p);
    }

    private static async Task<SessionState> Settled(BgpSession session)
    {
        await session.BarrierAsync();
        return session.State;
    }

    private static async Task Establish(FakePeer fake, BgpSession session)
    {
        await fake.AcceptAsync();
        await fake.ReadUntilAsync<OpenMessage>();
        fake.SendOpen(65002, 9, "10.0.0.2");
        await fake.ReadUntilAsync<KeepaliveMessage>();
        fake.SendKeepalive();
        await Poll.UntilAsync(() => session.State == SessionState.Established, "Established");
    }

    [Fact]
    public async Task Hold_timer_fires_exactly_at_the_negotiated_hold_time()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        await speaker.AddPeerAsync(Peer(fake.Port));
        var session = speaker.Session(IPAddress.Loopback);
        await Establish(fake, session);

        _time.Advance(TimeSpan.FromSeconds(9) - Tick);
        Assert.Equal(SessionState.Established, await Settled(session));
        _time.Advance(Tick);
        Assert.Equal(SessionState.Idle, await Settled(session));

        var notification = await fake.ReadUntilAsync<NotificationMessage>();
        Assert.Equal(BgpErrorCode.HoldTimerExpired, notification.Code);
    }

    [Fact]
    public async Task Keepalive_timer_fires_at_a_third_of_the_hold_time_and_a_received_keepalive_restarts_hold()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        await speaker.AddPeerAsync(Peer(fake.Port));
        var session = speaker.Session(IPAddress.Loopback);
        await Establish(fake, session);
        var sent = session.Counters.KeepalivesSent;

        _time.Advance(TimeSpan.FromSeconds(3) - Tick);
        await session.BarrierAsync();
        Assert.Equal(sent, Volatile.Read(ref session.Counters.KeepalivesSent));
        _time.Advance(Tick);
        await session.BarrierAsync();
        Assert.Equal(sent + 1, Volatile.Read(ref session.Counters.KeepalivesSent));

        // A KEEPALIVE at t=8 s restarts the 9 s hold timer: still up at t=16.999 s, down at 17 s.
        _time.Advance(TimeSpan.FromSeconds(5));
        var received = session.Counters.KeepalivesReceived;
        fake.SendKeepalive();
        await Poll.UntilAsync(() => Volatile.Read(ref session.Counters.KeepalivesReceived) > received, "KEEPALIVE received");
        _time.Advance(TimeSpan.FromSeconds(9) - Tick);
        Assert.Equal(SessionState.Established, await Settled(session));
        _time.Advance(Tick);
        Assert.Equal(SessionState.Idle, await Settled(session));
    }

    [Fact]
    public async Task DelayOpen_sends_OPEN_exactly_at_DelayOpenTime()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        await speaker.AddPeerAsync(Peer(fake.Port, p => p with { DelayOpenTime = TimeSpan.FromSeconds(5) }));
        var session = speaker.Session(IPAddress.Loopback);
        await fake.AcceptAsync();
        await Poll.UntilAsync(() => session.Status.LocalEndPoint is not null, "TCP connected");

        _time.Advance(TimeSpan.FromSeconds(5) - Tick);
        Assert.Equal(SessionState.Connect, await Settled(session));
        Assert.Equal(0, Volatile.Read(ref session.Counters.OpensSent));
        _time.Advance(Tick);
        Assert.Equal(SessionState.OpenSent, await Settled(session));
        await fake.ReadUntilAsync<OpenMessage>();
    }

    [Fact]
    public async Task ConnectRetry_timer_in_Active_initiates_the_connection_exactly_at_ConnectRetryTime()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        await speaker.AddPeerAsync(Peer(fake.Port, p => p with { Transport = p.Transport with { Passive = true } }));
        var session = speaker.Session(IPAddress.Loopback);
        Assert.Equal(SessionState.Active, await Settled(session));

        _time.Advance(TimeSpan.FromSeconds(30) - Tick);
        Assert.Equal(SessionState.Active, await Settled(session));
        _time.Advance(Tick);
        Assert.Equal(SessionState.Connect, await Settled(session));
        await fake.AcceptAsync();
        await Poll.UntilAsync(() => session.State == SessionState.OpenSent, "OpenSent after connecting");
    }

    [Fact]
    public async Task IdleHold_timer_restarts_the_session_exactly_at_IdleHoldTime_and_backs_off()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        await speaker.AddPeerAsync(Peer(fake.Port));
        var session = speaker.Session(IPAddress.Loopback);
        await Establish(fake, session);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(SessionState.Idle, await Settled(session));

        // First failure: 2 s.
        _time.Advance(TimeSpan.FromSeconds(2) - Tick);
        Assert.Equal(SessionState.Idle, await Settled(session));
        _time.Advance(Tick);
        Assert.NotEqual(SessionState.Idle, await Settled(session));

        // Second failure (hold expiry again from OpenSent's large hold timer): 4 s.
        await Poll.UntilAsync(() => session.State == SessionState.OpenSent, "OpenSent");
        _time.Advance(BgpSession.LargeHoldTime);
        Assert.Equal(SessionState.Idle, await Settled(session));
        _time.Advance(TimeSpan.FromSeconds(4) - Tick);
        Assert.Equal(SessionState.Idle, await Settled(session));
        _time.Advance(Tick);
        Assert.NotEqual(SessionState.Idle, await Settled(session));
    }
}
