using BgpKit.Bfd.Session;

namespace BgpKit.Bfd.Tests.Session;

/// <summary>The echo function (RFC 5880 sections 6.4, 6.8.3, 6.8.9) in the pure machine, at exact microsecond boundaries.</summary>
public sealed class BfdEchoTests
{
    private static MachineHarness UpWithEcho(uint echoUs = 50_000, uint peerEchoRxUs = 50_000, uint rxUs = 50_000, byte mult = 3)
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: rxUs, mult: mult, echo: true, echoUs: echoUs) { PeerEchoRxUs = peerEchoRxUs };
        m.BringUp(peerTxUs: 50_000, peerRxUs: 50_000);
        return m;
    }

    [Fact]
    public void Echo_mode_advertises_the_echo_interval_as_Required_Min_Echo_RX()
    {
        var on = new MachineHarness(echo: true, echoUs: 70_000);
        on.Start();
        Assert.Equal(70_000u, on.Packet().RequiredMinEchoRxInterval);

        var off = new MachineHarness(echo: false, echoUs: 70_000);
        off.Start();
        Assert.Equal(0u, off.Packet().RequiredMinEchoRxInterval);
    }

    [Fact]
    public void No_echo_before_Up_and_none_when_the_peer_requires_zero()
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: 50_000, echo: true) { PeerEchoRxUs = 50_000 };
        m.Start();
        var output = m.Receive(BfdState.Down);
        Assert.Equal(BfdState.Init, m.V.SessionState);
        Assert.False(output.Has(BfdActions.TransmitEcho));
        Assert.False(m.V.EchoActive);

        var silentPeer = UpWithEcho(peerEchoRxUs: 0);
        Assert.Equal(BfdState.Up, silentPeer.V.SessionState);
        Assert.False(silentPeer.V.EchoActive);
        Assert.Equal(BfdSessionVariables.Never, silentPeer.V.NextEchoAt);
    }

    [Fact]
    public void Echo_starts_on_Up_and_is_sent_every_echo_interval_with_jitter()
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: 50_000, echo: true, echoUs: 50_000) { PeerEchoRxUs = 50_000 };
        m.Start();
        m.Receive(BfdState.Down, txUs: 50_000, rxUs: 50_000);
        m.Now = 1_000;
        var up = m.Receive(BfdState.Up, txUs: 50_000, rxUs: 50_000);
        Assert.Equal(BfdState.Up, m.V.SessionState);
        Assert.True(up.Has(BfdActions.EchoChanged));
        Assert.True(up.Has(BfdActions.TransmitEcho));
        Assert.True(m.V.EchoActive);
        // Jitter 0: the next echo is one full interval later; not a microsecond earlier.
        Assert.Equal(51_000, m.V.NextEchoAt);
        Assert.False(m.At(50_999).Has(BfdActions.TransmitEcho));
        Assert.True(m.At(51_000).Has(BfdActions.TransmitEcho));

        // Jitter 1.0 (the top of the range): 25% shorter.
        m.Jitter = 1.0;
        m.EchoBack();
        Assert.True(m.At(101_000).Has(BfdActions.TransmitEcho));
        Assert.Equal(101_000 + 37_500, m.V.NextEchoAt);
    }

    [Theory]
    [InlineData(50_000u, 50_000u, 150_000L)]     // ours
    [InlineData(20_000u, 100_000u, 300_000L)]    // the peer wants them slower: its Required Min Echo RX wins (6.8.9)
    [InlineData(200_000u, 10_000u, 600_000L)]    // ours is slower
    public void Echo_interval_is_the_slower_of_ours_and_the_peers(uint echoUs, uint peerEchoRxUs, long detection)
    {
        var m = UpWithEcho(echoUs: echoUs, peerEchoRxUs: peerEchoRxUs);
        Assert.Equal(Math.Max(echoUs, peerEchoRxUs), m.V.EchoTransmitInterval);
        Assert.Equal(detection, m.V.EchoDetectionTime);
    }

    [Fact]
    public void Missing_echoes_take_the_session_down_at_exactly_the_echo_detection_time_with_diagnostic_2()
    {
        var m = UpWithEcho();
        m.Now = 2_000_000;
        m.EchoBack();
        Assert.Equal(2_150_000, m.V.EchoDetectionDeadline);
        // Control packets keep arriving: the control detection time is not what fires.
        m.Now = 2_100_000;
        m.Receive(BfdState.Up, txUs: 50_000, rxUs: 50_000);

        m.At(2_149_999);
        Assert.Equal(BfdState.Up, m.V.SessionState);
        var output = m.At(2_150_000);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.Equal(BfdDiagnostic.EchoFunctionFailed, m.V.LocalDiag);
        Assert.True(output.Has(BfdActions.StateChanged));
        Assert.True(output.Has(BfdActions.Transmit));
        Assert.True(output.Has(BfdActions.EchoChanged));
        Assert.False(m.V.EchoActive);
        Assert.Equal(BfdSessionVariables.Never, m.V.NextEchoAt);
        // The peer is still heard: its discriminator stays, and the Down packet tells it why.
        Assert.Equal(MachineHarness.Remote, m.V.RemoteDiscr);
        var packet = m.Packet();
        Assert.Equal(BfdState.Down, packet.State);
        Assert.Equal(BfdDiagnostic.EchoFunctionFailed, packet.Diagnostic);
    }

    [Fact]
    public void Each_returned_echo_pushes_the_echo_detection_deadline()
    {
        var m = UpWithEcho();
        for (var t = 100_000L; t < 3_000_000; t += 100_000)
        {
            m.At(t);
            m.EchoBack();
            if (t % 500_000 == 0)
            {
                m.Receive(BfdState.Up, txUs: 50_000, rxUs: 50_000);
            }
        }
        Assert.Equal(BfdState.Up, m.V.SessionState);
        Assert.True(m.V.EchoActive);
    }

    [Fact]
    public void The_first_echo_has_one_echo_detection_time_to_come_back()
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: 50_000, echo: true) { PeerEchoRxUs = 50_000 };
        m.Start();
        m.Receive(BfdState.Down, txUs: 50_000, rxUs: 50_000);
        m.Now = 10_000;
        m.Receive(BfdState.Up, txUs: 50_000, rxUs: 50_000);
        Assert.Equal(10_000 + 150_000, m.V.EchoDetectionDeadline);
        m.Now = 100_000;
        m.Receive(BfdState.Up, final: true, txUs: 50_000, rxUs: 50_000);
        m.At(159_999);
        Assert.Equal(BfdState.Up, m.V.SessionState);
        m.At(160_000);
        Assert.Equal(BfdDiagnostic.EchoFunctionFailed, m.V.LocalDiag);
    }

    [Fact]
    public void While_echo_runs_the_control_receive_interval_slows_to_one_second_through_a_Poll_Sequence()
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: 50_000, echo: true) { PeerEchoRxUs = 50_000 };
        m.Start();
        m.Receive(BfdState.Down, txUs: 50_000, rxUs: 50_000);
        var up = m.Receive(BfdState.Up, txUs: 50_000, rxUs: 50_000);
        Assert.True(m.V.EchoActive);
        // 6.8.3: Required Min RX of at least one second while echo is active, announced by a Poll.
        Assert.Equal(BfdSessionMachine.EchoControlRxInterval, m.V.RequiredMinRxInterval);
        Assert.True(m.V.PollActive);
        Assert.True(up.Has(BfdActions.Transmit));
        var poll = m.Packet();
        Assert.True(poll.Poll);
        Assert.Equal(1_000_000u, poll.RequiredMinRxInterval);
        Assert.Equal(50_000u, poll.DesiredMinTxInterval);
        // An increased RX interval applies at once (6.8.3): the control detection time grows with it.
        Assert.Equal(3_000_000, m.V.DetectionTime);

        m.Receive(BfdState.Up, final: true, txUs: 50_000, rxUs: 50_000);
        Assert.False(m.V.PollActive);
        Assert.Equal(1_000_000u, m.V.OperMinRxInterval);
    }

    [Fact]
    public void When_the_peer_stops_wanting_echo_the_control_rate_returns_to_the_configured_one()
    {
        var m = UpWithEcho();
        m.Receive(BfdState.Up, final: true, txUs: 50_000, rxUs: 50_000);
        Assert.True(m.V.EchoActive);
        m.PeerEchoRxUs = 0;
        var output = m.Receive(BfdState.Up, txUs: 50_000, rxUs: 50_000);
        Assert.False(m.V.EchoActive);
        Assert.True(output.Has(BfdActions.EchoChanged));
        Assert.False(output.Has(BfdActions.TransmitEcho));
        Assert.Equal(50_000u, m.V.RequiredMinRxInterval);
        Assert.True(m.V.PollActive);
        // A reduced RX interval waits for the Final (6.8.3).
        Assert.Equal(1_000_000u, m.V.OperMinRxInterval);
        m.Receive(BfdState.Up, final: true, txUs: 50_000, rxUs: 50_000);
        Assert.Equal(50_000u, m.V.OperMinRxInterval);
        Assert.Equal(150_000, m.V.DetectionTime);
    }

    [Fact]
    public void Leaving_Up_stops_echo_and_restores_the_configured_receive_interval()
    {
        var m = UpWithEcho();
        m.Receive(BfdState.Up, final: true, txUs: 50_000, rxUs: 50_000);
        var output = m.Receive(BfdState.Down, txUs: 50_000, rxUs: 50_000);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.Equal(BfdDiagnostic.NeighborSignaledSessionDown, m.V.LocalDiag);
        Assert.True(output.Has(BfdActions.EchoChanged));
        Assert.False(m.V.EchoActive);
        Assert.Equal(50_000u, m.V.RequiredMinRxInterval);
        Assert.Equal(BfdSessionVariables.Never, m.V.EchoDetectionDeadline);
    }

    [Fact]
    public void Echo_can_be_turned_on_and_off_while_Up()
    {
        var m = new MachineHarness(txUs: 50_000, rxUs: 50_000) { PeerEchoRxUs = 50_000 };
        m.BringUp(peerTxUs: 50_000, peerRxUs: 50_000);
        Assert.False(m.V.EchoActive);
        var on = m.Handle(new BfdInput
        {
            Kind = BfdInputKind.ParametersChanged, Now = m.Now, DesiredMinTx = 50_000, RequiredMinRx = 50_000, DetectMult = 3,
            EchoEnabled = true, EchoInterval = 40_000,
        });
        Assert.True(m.V.EchoActive);
        Assert.True(on.Has(BfdActions.TransmitEcho));
        Assert.Equal(40_000u, m.Packet().RequiredMinEchoRxInterval);
        Assert.Equal(1_000_000u, m.V.RequiredMinRxInterval);

        m.Receive(BfdState.Up, final: true, txUs: 50_000, rxUs: 50_000);
        var off = m.Handle(new BfdInput
        {
            Kind = BfdInputKind.ParametersChanged, Now = m.Now, DesiredMinTx = 50_000, RequiredMinRx = 50_000, DetectMult = 3,
            EchoEnabled = false, EchoInterval = 40_000,
        });
        Assert.False(m.V.EchoActive);
        Assert.True(off.Has(BfdActions.EchoChanged));
        Assert.Equal(0u, m.Packet().RequiredMinEchoRxInterval);
        Assert.Equal(50_000u, m.V.RequiredMinRxInterval);
    }

    [Fact]
    public void AdminDown_stops_echo()
    {
        var m = UpWithEcho();
        m.Handle(BfdInput.Of(BfdInputKind.AdminDown, m.Now, 0));
        Assert.False(m.V.EchoActive);
        Assert.Equal(BfdSessionVariables.Never, m.V.NextEchoAt);
    }
}
