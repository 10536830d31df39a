using BgpKit.Bgp.Fsm;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bgp.Fsm.Tests.Fsm;

public class BgpFsmTests
{
    private static readonly SessionAttributes Defaults = new();

    private static FsmTransition Step(SessionState state, BgpEvent ev, SessionAttributes? a = null, int counter = 0, bool delayOpenRunning = false) =>
        BgpFsm.Next(new FsmState(state, counter, delayOpenRunning), ev, a ?? Defaults);

    public static TheoryData<SessionState, object, SessionState> Table => new()
    {
        // Idle (section 8.2.2)
        { SessionState.Idle, BgpEvent.ManualStart, SessionState.Connect },
        { SessionState.Idle, BgpEvent.AutomaticStart, SessionState.Connect },
        { SessionState.Idle, BgpEvent.ManualStartWithPassiveTcpEstablishment, SessionState.Active },
        { SessionState.Idle, BgpEvent.AutomaticStartWithPassiveTcpEstablishment, SessionState.Active },
        { SessionState.Idle, BgpEvent.IdleHoldTimerExpires, SessionState.Connect },
        { SessionState.Idle, BgpEvent.ManualStop, SessionState.Idle },
        { SessionState.Idle, BgpEvent.TcpConnectionConfirmed, SessionState.Idle },
        { SessionState.Idle, BgpEvent.BgpOpen, SessionState.Idle },
        // Connect
        { SessionState.Connect, BgpEvent.ManualStart, SessionState.Connect },
        { SessionState.Connect, BgpEvent.ManualStop, SessionState.Idle },
        { SessionState.Connect, BgpEvent.ConnectRetryTimerExpires, SessionState.Connect },
        { SessionState.Connect, BgpEvent.TcpCrAcked, SessionState.OpenSent },
        { SessionState.Connect, BgpEvent.TcpConnectionConfirmed, SessionState.OpenSent },
        { SessionState.Connect, BgpEvent.TcpConnectionFails, SessionState.Idle },
        { SessionState.Connect, BgpEvent.BgpOpenMsgErr, SessionState.Idle },
        { SessionState.Connect, BgpEvent.HoldTimerExpires, SessionState.Idle },
        { SessionState.Connect, BgpEvent.KeepAliveMsg, SessionState.Idle },
        // Active
        { SessionState.Active, BgpEvent.ConnectRetryTimerExpires, SessionState.Connect },
        { SessionState.Active, BgpEvent.TcpConnectionConfirmed, SessionState.OpenSent },
        { SessionState.Active, BgpEvent.TcpConnectionFails, SessionState.Idle },
        { SessionState.Active, BgpEvent.ManualStop, SessionState.Idle },
        { SessionState.Active, BgpEvent.UpdateMsg, SessionState.Idle },
        // OpenSent
        { SessionState.OpenSent, BgpEvent.BgpOpen, SessionState.OpenConfirm },
        { SessionState.OpenSent, BgpEvent.TcpConnectionFails, SessionState.Active },
        { SessionState.OpenSent, BgpEvent.HoldTimerExpires, SessionState.Idle },
        { SessionState.OpenSent, BgpEvent.KeepAliveMsg, SessionState.Idle },
        { SessionState.OpenSent, BgpEvent.TcpConnectionConfirmed, SessionState.OpenSent },
        { SessionState.OpenSent, BgpEvent.OpenCollisionDump, SessionState.Idle },
        // OpenConfirm
        { SessionState.OpenConfirm, BgpEvent.KeepAliveMsg, SessionState.Established },
        { SessionState.OpenConfirm, BgpEvent.KeepaliveTimerExpires, SessionState.OpenConfirm },
        { SessionState.OpenConfirm, BgpEvent.NotifMsg, SessionState.Idle },
        { SessionState.OpenConfirm, BgpEvent.UpdateMsg, SessionState.Idle },
        // Established
        { SessionState.Established, BgpEvent.UpdateMsg, SessionState.Established },
        { SessionState.Established, BgpEvent.KeepAliveMsg, SessionState.Established },
        { SessionState.Established, BgpEvent.KeepaliveTimerExpires, SessionState.Established },
        { SessionState.Established, BgpEvent.UpdateMsgErr, SessionState.Idle },
        { SessionState.Established, BgpEvent.HoldTimerExpires, SessionState.Idle },
        { SessionState.Established, BgpEvent.SendHoldTimerExpires, SessionState.Idle },
        { SessionState.Established, BgpEvent.BgpOpen, SessionState.Idle },
        { SessionState.Established, BgpEvent.TcpConnectionConfirmed, SessionState.Established },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Transition_table_follows_RFC_4271_section_8_2_2(SessionState from, object ev, SessionState to)
    {
        Assert.Equal(to, Step(from, (BgpEvent)ev).Next.State);
    }

    [Fact]
    public void Idle_start_initiates_connection_and_starts_ConnectRetryTimer()
    {
        var t = Step(SessionState.Idle, BgpEvent.ManualStart);
        Assert.Equal(FsmActions.StartConnectRetryTimer | FsmActions.InitiateConnection, t.Actions);
        Assert.Equal(0, t.Next.ConnectRetryCounter);
    }

    [Fact]
    public void Passive_establishment_listens_without_connecting()
    {
        var t = Step(SessionState.Idle, BgpEvent.ManualStart, new SessionAttributes(PassiveTcpEstablishment: true));
        Assert.Equal(SessionState.Active, t.Next.State);
        Assert.False(t.Has(FsmActions.InitiateConnection));
    }

    [Fact]
    public void Connected_without_DelayOpen_sends_OPEN_with_large_hold_timer()
    {
        var t = Step(SessionState.Connect, BgpEvent.TcpCrAcked);
        Assert.Equal(FsmActions.StopConnectRetryTimer | FsmActions.SendOpen | FsmActions.StartHoldTimerLarge, t.Actions);
    }

    [Fact]
    public void DelayOpen_waits_then_sends_OPEN()
    {
        var a = new SessionAttributes(DelayOpen: true);
        var t = Step(SessionState.Connect, BgpEvent.TcpCrAcked, a);
        Assert.Equal(SessionState.Connect, t.Next.State);
        Assert.True(t.Next.DelayOpenTimerRunning);
        Assert.True(t.Has(FsmActions.StartDelayOpenTimer));
        Assert.False(t.Has(FsmActions.SendOpen));

        var expired = BgpFsm.Next(t.Next, BgpEvent.DelayOpenTimerExpires, a);
        Assert.Equal(SessionState.OpenSent, expired.Next.State);
        Assert.True(expired.Has(FsmActions.SendOpen | FsmActions.StartHoldTimerLarge));
    }

    [Fact]
    public void OPEN_during_DelayOpen_sends_OPEN_and_KEEPALIVE_and_goes_to_OpenConfirm()
    {
        var t = Step(SessionState.Active, BgpEvent.BgpOpenWithDelayOpenTimerRunning, new SessionAttributes(DelayOpen: true), delayOpenRunning: true);
        Assert.Equal(SessionState.OpenConfirm, t.Next.State);
        Assert.True(t.Has(FsmActions.SendOpen | FsmActions.SendKeepalive | FsmActions.StartHoldTimer | FsmActions.StartKeepaliveTimer | FsmActions.StopDelayOpenTimer));
    }

    [Fact]
    public void Connection_failure_during_DelayOpen_goes_to_Active()
    {
        var t = Step(SessionState.Connect, BgpEvent.TcpConnectionFails, new SessionAttributes(DelayOpen: true), delayOpenRunning: true);
        Assert.Equal(SessionState.Active, t.Next.State);
        Assert.True(t.Has(FsmActions.StartConnectRetryTimer));
    }

    [Theory]
    [InlineData(SessionState.OpenSent)]
    [InlineData(SessionState.OpenConfirm)]
    [InlineData(SessionState.Established)]
    public void Hold_timer_expiry_sends_Hold_Timer_Expired_and_counts_a_failure(SessionState from)
    {
        var t = Step(from, BgpEvent.HoldTimerExpires, counter: 2);
        Assert.Equal(FsmNotification.HoldTimerExpired, t.Notification);
        Assert.True(t.Has(FsmActions.SendNotification | FsmActions.DropConnection | FsmActions.ReleaseResources | FsmActions.StartIdleHoldTimer));
        Assert.Equal(3, t.Next.ConnectRetryCounter);
    }

    [Theory]
    [InlineData(SessionState.OpenSent, BgpEvent.KeepAliveMsg)]
    [InlineData(SessionState.OpenConfirm, BgpEvent.UpdateMsg)]
    [InlineData(SessionState.Established, BgpEvent.BgpOpen)]
    public void Unexpected_message_is_an_FSM_error(SessionState from, object ev)
    {
        Assert.Equal(FsmNotification.FsmError, Step(from, (BgpEvent)ev).Notification);
    }

    [Theory]
    [InlineData(SessionState.OpenSent)]
    [InlineData(SessionState.OpenConfirm)]
    [InlineData(SessionState.Established)]
    public void ManualStop_sends_Cease_resets_counter_and_does_not_restart(SessionState from)
    {
        var t = Step(from, BgpEvent.ManualStop, counter: 4);
        Assert.Equal(FsmNotification.FromEvent, t.Notification);
        Assert.Equal(0, t.Next.ConnectRetryCounter);
        Assert.False(t.Has(FsmActions.StartIdleHoldTimer));
    }

    [Fact]
    public void AutomaticStop_sends_Cease_and_waits_for_the_next_AutomaticStart()
    {
        var t = Step(SessionState.Established, BgpEvent.AutomaticStop);
        Assert.Equal(SessionState.Idle, t.Next.State);
        Assert.Equal(FsmNotification.FromEvent, t.Notification);
        Assert.False(t.Has(FsmActions.StartIdleHoldTimer));
    }

    [Fact]
    public void AutomaticStop_is_ignored_unless_allowed()
    {
        var t = Step(SessionState.Established, BgpEvent.AutomaticStop, new SessionAttributes(AllowAutomaticStop: false));
        Assert.Equal(SessionState.Established, t.Next.State);
        Assert.Equal(FsmActions.None, t.Actions);
    }

    [Fact]
    public void Errors_do_not_restart_without_AllowAutomaticStart()
    {
        var t = Step(SessionState.Established, BgpEvent.HoldTimerExpires, new SessionAttributes(AllowAutomaticStart: false));
        Assert.False(t.Has(FsmActions.StartIdleHoldTimer));
    }

    [Fact]
    public void Collision_dump_sends_Cease_collision_resolution()
    {
        Assert.Equal(FsmNotification.CollisionResolution, Step(SessionState.OpenConfirm, BgpEvent.OpenCollisionDump).Notification);
    }

    [Fact]
    public void Established_update_restarts_hold_timer()
    {
        var t = Step(SessionState.Established, BgpEvent.UpdateMsg);
        Assert.Equal(FsmActions.ProcessUpdate | FsmActions.StartHoldTimer, t.Actions);
    }

    [Fact]
    public void Damped_start_waits_for_the_IdleHoldTimer()
    {
        var t = Step(SessionState.Idle, BgpEvent.AutomaticStartWithDampPeerOscillations);
        Assert.Equal(SessionState.Idle, t.Next.State);
        Assert.Equal(FsmActions.StartIdleHoldTimer, t.Actions);
    }

    [Fact]
    public void Any_event_sequence_keeps_the_invariants()
    {
        // Every way into Idle from another state drops the connection and releases resources;
        // leaving Idle always starts the ConnectRetryTimer; the counter never goes negative.
        var events = Enum.GetValues<BgpEvent>();
        var gen = Gen.ArrayOf(Gen.Elements(events)).Select(a => a.Take(60).ToArray());
        var attrs = Gen.Elements(new SessionAttributes(), new SessionAttributes(DelayOpen: true), new SessionAttributes(PassiveTcpEstablishment: true, DelayOpen: true));
        var prop = Prop.ForAll(Arb.From(gen), Arb.From(attrs), (BgpEvent[] seq, SessionAttributes a) =>
        {
            var s = FsmState.Initial;
            foreach (var ev in seq)
            {
                var t = BgpFsm.Next(s, ev, a);
                if (s.State != SessionState.Idle && t.Next.State == SessionState.Idle
                    && !(t.Has(FsmActions.DropConnection) && t.Has(FsmActions.ReleaseResources)))
                {
                    return false;
                }
                if (s.State == SessionState.Idle && t.Next.State != SessionState.Idle && !t.Has(FsmActions.StartConnectRetryTimer))
                {
                    return false;
                }
                if (t.Next.ConnectRetryCounter < 0 || (t.Has(FsmActions.SendNotification) && t.Notification == FsmNotification.None))
                {
                    return false;
                }
                s = t.Next;
            }
            return true;
        });
        Check.One(Config.Quick.WithReplay(20261121UL, 7UL).WithMaxTest(300), prop);
    }
}
