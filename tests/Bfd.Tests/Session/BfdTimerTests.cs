using BgpKit.Bfd.Session;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bfd.Tests.Session;

/// <summary>RFC 5880 sections 6.8.3, 6.8.4 and 6.8.7 at exact microsecond boundaries.</summary>
public sealed class BfdTimerTests
{
    [Theory]
    [InlineData(300_000u, 300_000u, (byte)3, 900_000L)]   // equal intervals
    [InlineData(300_000u, 50_000u, (byte)3, 900_000L)]    // our Required Min RX is larger
    [InlineData(50_000u, 500_000u, (byte)4, 2_000_000L)]  // the peer's Desired Min TX is larger
    [InlineData(10_000u, 10_000u, (byte)2, 20_000L)]
    public void Detection_fires_at_the_detection_time_not_a_microsecond_earlier(uint ourRx, uint peerTx, byte peerMult, long detection)
    {
        var m = new MachineHarness(txUs: 300_000, rxUs: ourRx);
        m.BringUp(peerTxUs: peerTx, peerMult: peerMult);
        Assert.Equal(BfdState.Up, m.V.SessionState);
        m.Now = 5_000_000;
        m.Receive(BfdState.Up, txUs: peerTx, mult: peerMult);
        Assert.Equal(detection, m.V.DetectionTime);
        Assert.Equal(5_000_000 + detection, m.V.DetectionDeadline);

        m.At(5_000_000 + detection - 1);
        Assert.Equal(BfdState.Up, m.V.SessionState);

        var output = m.At(5_000_000 + detection);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.Equal(BfdDiagnostic.ControlDetectionTimeExpired, m.V.LocalDiag);
        Assert.Equal(0u, m.V.RemoteDiscr);
        Assert.True(output.Has(BfdActions.StateChanged | BfdActions.Transmit));
    }

    [Fact]
    public void Each_accepted_packet_pushes_the_detection_deadline()
    {
        var m = new MachineHarness();
        m.BringUp();
        for (var t = 800_000L; t < 3_000_000; t += 800_000)
        {
            m.At(t);
            m.Receive(BfdState.Up);
        }
        Assert.Equal(BfdState.Up, m.V.SessionState);
    }

    [Fact]
    public void Init_times_out_to_Down_too()
    {
        var m = new MachineHarness();
        m.Start();
        m.Receive(BfdState.Down, txUs: 300_000, mult: 3);
        Assert.Equal(BfdState.Init, m.V.SessionState);
        // While the peer is not Up it slow-starts; detection uses the received Desired Min TX.
        var deadline = m.V.DetectionDeadline;
        m.At(deadline - 1);
        Assert.Equal(BfdState.Init, m.V.SessionState);
        m.At(deadline);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.Equal(BfdDiagnostic.ControlDetectionTimeExpired, m.V.LocalDiag);
    }

    [Fact]
    public void Detection_in_Down_only_forgets_the_remote_discriminator()
    {
        var m = new MachineHarness();
        m.Start();
        m.Receive(BfdState.AdminDown);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.Equal(MachineHarness.Remote, m.V.RemoteDiscr);
        var output = m.At(m.V.DetectionDeadline);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.False(output.Has(BfdActions.StateChanged));
        Assert.Equal(0u, m.V.RemoteDiscr);
    }

    [Fact]
    public void Slow_start_until_Up_then_a_Poll_Sequence_to_the_configured_interval()
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: 50_000);
        var output = m.Start();
        Assert.True(output.Has(BfdActions.Transmit));
        Assert.Equal(1_000_000u, m.V.DesiredMinTxInterval);
        Assert.Equal(1_000_000L, m.V.TransmitInterval);

        m.Receive(BfdState.Down, txUs: 1_000_000, rxUs: 50_000);
        m.Receive(BfdState.Up, txUs: 1_000_000, rxUs: 50_000);
        Assert.Equal(BfdState.Up, m.V.SessionState);
        // 6.8.3: the change is announced with P set; a decrease of TX applies at once.
        Assert.True(m.V.PollActive);
        Assert.Equal(50_000u, m.V.DesiredMinTxInterval);
        Assert.Equal(50_000L, m.V.TransmitInterval);
        var p = m.Packet();
        Assert.True(p.Poll);
        Assert.False(p.Final);

        output = m.Receive(BfdState.Up, final: true, txUs: 50_000, rxUs: 50_000);
        Assert.True(output.Has(BfdActions.PollCompleted));
        Assert.False(m.V.PollActive);
        Assert.False(m.Packet().Poll);

        // Leaving Up goes back to one second at once (no poll while not Up).
        m.Receive(BfdState.Down, txUs: 1_000_000);
        Assert.Equal(1_000_000u, m.V.DesiredMinTxInterval);
        Assert.False(m.V.PollActive);
    }

    [Fact]
    public void A_Poll_is_answered_at_once_with_Final_and_without_Poll()
    {
        var m = new MachineHarness();
        m.BringUp();
        m.Handle(new BfdInput { Kind = BfdInputKind.ParametersChanged, Now = m.Now, DesiredMinTx = 200_000, RequiredMinRx = 300_000, DetectMult = 3 });
        Assert.True(m.V.PollActive);
        var output = m.Receive(BfdState.Up, poll: true);
        Assert.True(output.Has(BfdActions.TransmitFinal));
        var reply = m.Packet(final: true);
        Assert.True(reply.Final);
        Assert.False(reply.Poll);
        // Our own poll goes on in the next periodic packet.
        Assert.True(m.Packet().Poll);
    }

    [Fact]
    public void Increased_TX_and_reduced_RX_wait_for_the_Final()
    {
        var m = new MachineHarness(txUs: 100_000, rxUs: 300_000);
        m.BringUp(peerTxUs: 100_000, peerRxUs: 100_000);
        Assert.Equal(100_000L, m.V.TransmitInterval);
        Assert.Equal(900_000L, m.V.DetectionTime);

        m.Handle(new BfdInput { Kind = BfdInputKind.ParametersChanged, Now = m.Now, DesiredMinTx = 500_000, RequiredMinRx = 100_000, DetectMult = 3 });
        var p = m.Packet();
        Assert.True(p.Poll);
        Assert.Equal(500_000u, p.DesiredMinTxInterval);
        Assert.Equal(100_000u, p.RequiredMinRxInterval);
        // Still the old values in force.
        Assert.Equal(100_000L, m.V.TransmitInterval);
        m.Receive(BfdState.Up, txUs: 100_000, rxUs: 100_000);
        Assert.Equal(900_000L, m.V.DetectionTime);

        m.Receive(BfdState.Up, final: true, txUs: 100_000, rxUs: 100_000);
        Assert.Equal(500_000L, m.V.TransmitInterval);
        Assert.Equal(300_000L, m.V.DetectionTime);
    }

    [Fact]
    public void Periodic_transmission_falls_due_exactly_at_the_jittered_interval()
    {
        var m = new MachineHarness(txUs: 100_000, rxUs: 100_000);
        m.BringUp(peerTxUs: 100_000, peerRxUs: 100_000);
        m.Jitter = 0;                 // no reduction: exactly the interval
        m.At(50_000);
        m.Receive(BfdState.Up, txUs: 100_000, rxUs: 100_000);
        var due = m.V.NextTransmitAt;
        Assert.True(due <= 50_000 + 100_000);
        Assert.False(m.At(due - 1).Has(BfdActions.Transmit));
        Assert.True(m.At(due).Has(BfdActions.Transmit));
        Assert.Equal(due + 100_000, m.V.NextTransmitAt);
        m.Jitter = 0.999999;         // the largest reduction: 25%
        m.At(m.V.NextTransmitAt);
        Assert.Equal(m.Now + 75_000, m.V.NextTransmitAt);
    }

    [Theory]
    [InlineData((byte)3, 0.0, 1000L)]
    [InlineData((byte)3, 0.5, 875L)]
    [InlineData((byte)3, 1.0, 750L)]
    [InlineData((byte)1, 0.0, 900L)]
    [InlineData((byte)1, 1.0, 750L)]
    public void Jitter_is_0_to_25_percent_or_10_to_25_with_multiplier_1(byte mult, double sample, long expected) =>
        Assert.Equal(expected, BfdSessionMachine.Jittered(1000, mult, sample));

    [Theory]
    [InlineData((byte)3, 0.0, 99_000L)]      // 100% would leave at up to 101% when the tick fires late: a tick short
    [InlineData((byte)3, 0.002, 99_000L)]
    [InlineData((byte)3, 0.5, 87_500L)]      // well inside: untouched
    [InlineData((byte)3, 1.0, 75_000L)]
    [InlineData((byte)1, 0.0, 90_000L)]      // multiplier 1 stops at 90% anyway
    public void A_timer_slack_keeps_the_jittered_interval_a_slack_short_of_100_percent(byte mult, double sample, long expected) =>
        Assert.Equal(expected, BfdSessionMachine.Jittered(100_000, mult, sample, slack: 1000));

    [Fact]
    public void A_slack_too_large_for_the_interval_gives_way_to_the_75_percent_floor() =>
        Assert.Equal(1500L, BfdSessionMachine.Jittered(2000, 3, 0.0, slack: 1000));

    [Fact]
    public void With_slack_a_late_timer_still_sends_within_75_to_100_percent()
    {
        var intervals = Gen.Choose(4000, 2_000_000).Select(i => (long)i);
        var samples = Gen.Choose(0, 999_999).Select(i => i / 1_000_000.0);
        var property = Prop.ForAll(intervals.ToArbitrary(), samples.ToArbitrary(), (interval, sample) =>
        {
            var jittered = BfdSessionMachine.Jittered(interval, 3, sample, slack: 1000);
            // The timer fires anywhere from on time to a slack late.
            return jittered >= interval * 3 / 4 && jittered + 1000 <= interval;
        });
        Check.One(BfdArbitraries.Config, property);
    }

    [Fact]
    public void Transmit_interval_is_the_greater_of_our_TX_and_the_peer_RX()
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: 50_000);
        m.BringUp(peerTxUs: 50_000, peerRxUs: 200_000);
        Assert.Equal(200_000L, m.V.TransmitInterval);
    }

    [Fact]
    public void Peer_Required_Min_RX_of_zero_stops_periodic_transmission()
    {
        var m = new MachineHarness();
        m.BringUp();
        m.Receive(BfdState.Up, rxUs: 0);
        Assert.Equal(BfdSessionVariables.Never, m.V.NextTransmitAt);
        Assert.False(m.At(m.Now + 5_000_000).Has(BfdActions.Transmit));
    }

    [Fact]
    public void Remote_Demand_mode_stops_periodic_transmission_while_both_are_Up()
    {
        var m = new MachineHarness();
        m.BringUp();
        m.Receive(BfdState.Up, demand: true);
        Assert.False(BfdSessionMachine.ShouldTransmitPeriodically(m.V));
        m.Receive(BfdState.Up, demand: false);
        Assert.True(BfdSessionMachine.ShouldTransmitPeriodically(m.V));
    }

    [Fact]
    public void Passive_session_is_silent_until_the_peer_speaks_and_again_after_it_times_out()
    {
        var m = new MachineHarness(passive: true);
        Assert.False(m.Start().Has(BfdActions.Transmit));
        Assert.False(m.At(10_000_000).Has(BfdActions.Transmit));
        Assert.Equal(BfdSessionVariables.Never, m.V.NextTransmitAt);

        var output = m.Receive(BfdState.Down);
        Assert.True(output.Has(BfdActions.Transmit));
        Assert.Equal(BfdState.Init, m.V.SessionState);
        m.Receive(BfdState.Up);
        Assert.Equal(BfdState.Up, m.V.SessionState);

        m.At(m.V.DetectionDeadline);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.Equal(BfdSessionVariables.Never, m.V.NextTransmitAt);
        Assert.False(m.At(m.Now + 10_000_000).Has(BfdActions.Transmit));
    }

    [Fact]
    public void Passive_session_still_answers_a_Poll()
    {
        var m = new MachineHarness(passive: true);
        m.Start();
        var output = m.Receive(BfdState.Down, poll: true);
        Assert.True(output.Has(BfdActions.TransmitFinal));
    }
}
