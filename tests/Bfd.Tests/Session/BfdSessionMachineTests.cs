using BgpKit.Bfd.Session;

namespace BgpKit.Bfd.Tests.Session;

/// <summary>RFC 5880 section 6.8.6 transitions, one test per (state, received State) pair, plus AdminDown.</summary>
public sealed class BfdSessionMachineTests
{
    private static MachineHarness InState(BfdState state)
    {
        var m = new MachineHarness();
        m.Start();
        switch (state)
        {
            case BfdState.Init:
                m.Receive(BfdState.Down);
                break;
            case BfdState.Up:
                m.BringUp();
                break;
            case BfdState.AdminDown:
                m.Handle(BfdInput.Of(BfdInputKind.AdminDown, m.Now, 0));
                break;
        }
        Assert.Equal(state, m.V.SessionState);
        return m;
    }

    [Theory]
    [InlineData(BfdState.Down, BfdState.AdminDown, BfdState.Down, BfdDiagnostic.None)]
    [InlineData(BfdState.Down, BfdState.Down, BfdState.Init, BfdDiagnostic.None)]
    [InlineData(BfdState.Down, BfdState.Init, BfdState.Up, BfdDiagnostic.None)]
    [InlineData(BfdState.Down, BfdState.Up, BfdState.Down, BfdDiagnostic.None)]
    [InlineData(BfdState.Init, BfdState.AdminDown, BfdState.Down, BfdDiagnostic.NeighborSignaledSessionDown)]
    [InlineData(BfdState.Init, BfdState.Down, BfdState.Init, BfdDiagnostic.None)]
    [InlineData(BfdState.Init, BfdState.Init, BfdState.Up, BfdDiagnostic.None)]
    [InlineData(BfdState.Init, BfdState.Up, BfdState.Up, BfdDiagnostic.None)]
    [InlineData(BfdState.Up, BfdState.AdminDown, BfdState.Down, BfdDiagnostic.NeighborSignaledSessionDown)]
    [InlineData(BfdState.Up, BfdState.Down, BfdState.Down, BfdDiagnostic.NeighborSignaledSessionDown)]
    [InlineData(BfdState.Up, BfdState.Init, BfdState.Up, BfdDiagnostic.None)]
    [InlineData(BfdState.Up, BfdState.Up, BfdState.Up, BfdDiagnostic.None)]
    public void Received_state_moves_the_session(BfdState from, BfdState received, BfdState to, BfdDiagnostic diagnostic)
    {
        var m = InState(from);
        m.Now += 1000;
        var output = m.Receive(received);
        Assert.Equal(to, m.V.SessionState);
        Assert.Equal(diagnostic, m.V.LocalDiag);
        Assert.Equal(from != to, output.Has(BfdActions.StateChanged));
        if (from != to)
        {
            // A state change is told to the peer at once.
            Assert.True(output.Has(BfdActions.Transmit));
        }
        Assert.Equal(MachineHarness.Remote, m.V.RemoteDiscr);
        Assert.Equal(received, m.V.RemoteSessionState);
    }

    [Theory]
    [InlineData(BfdState.AdminDown)]
    [InlineData(BfdState.Down)]
    [InlineData(BfdState.Init)]
    [InlineData(BfdState.Up)]
    public void AdminDown_session_ignores_every_received_state(BfdState received)
    {
        var m = InState(BfdState.AdminDown);
        var output = m.Receive(received);
        Assert.Equal(BfdState.AdminDown, m.V.SessionState);
        Assert.Equal(BfdDiscard.AdminDown, output.Discard);
    }

    [Fact]
    public void AdminDown_sets_diagnostic_7_and_transmits_then_AdminUp_returns_to_Down()
    {
        var m = InState(BfdState.Up);
        var output = m.Handle(BfdInput.Of(BfdInputKind.AdminDown, m.Now, 0));
        Assert.Equal(BfdState.AdminDown, m.V.SessionState);
        Assert.Equal(BfdDiagnostic.AdministrativelyDown, m.V.LocalDiag);
        Assert.True(output.Has(BfdActions.Transmit | BfdActions.StateChanged));
        Assert.Equal(BfdState.AdminDown, m.Packet().State);
        Assert.Equal(BfdSessionVariables.Never, m.V.DetectionDeadline);
        // No detection while AdminDown, however long.
        m.At(m.Now + 60_000_000);
        Assert.Equal(BfdState.AdminDown, m.V.SessionState);

        m.Handle(BfdInput.Of(BfdInputKind.AdminUp, m.Now, 0));
        Assert.Equal(BfdState.Down, m.V.SessionState);
    }

    [Fact]
    public void Your_Discriminator_of_another_session_is_discarded()
    {
        var m = InState(BfdState.Init);
        var output = m.Receive(m.Peer(BfdState.Up) with { YourDiscriminator = 0x9999 });
        Assert.Equal(BfdDiscard.YourDiscriminatorMismatch, output.Discard);
        Assert.Equal(BfdState.Init, m.V.SessionState);
    }

    [Fact]
    public void Received_packet_sets_the_remote_variables()
    {
        var m = InState(BfdState.Down);
        m.Receive(BfdState.Down, txUs: 123_000, rxUs: 456_000, mult: 7, demand: true);
        Assert.Equal(123_000u, m.V.RemoteDesiredMinTxInterval);
        Assert.Equal(456_000u, m.V.RemoteMinRxInterval);
        Assert.Equal((byte)7, m.V.RemoteDetectMult);
        Assert.True(m.V.RemoteDemandMode);
    }

    [Fact]
    public void Built_packet_carries_the_session_variables()
    {
        var m = InState(BfdState.Init);
        var p = m.Packet();
        Assert.Equal(BfdState.Init, p.State);
        Assert.Equal(MachineHarness.Local, p.MyDiscriminator);
        Assert.Equal(MachineHarness.Remote, p.YourDiscriminator);
        Assert.Equal(1_000_000u, p.DesiredMinTxInterval);   // slow start
        Assert.Equal(300_000u, p.RequiredMinRxInterval);
        Assert.Equal((byte)3, p.DetectMultiplier);
        Assert.Equal(0u, p.RequiredMinEchoRxInterval);
        Assert.False(p.Poll || p.Final);
    }
}
