using BgpKit.Bfd.Session;

namespace BgpKit.Bfd.Tests.Session;

/// <summary>RFC 5880 sections 6.7 and 6.8.6: authentication presence, validity and sequence windows.</summary>
public sealed class BfdAuthenticationTests
{
    private static BfdControlPacket WithAuth(BfdControlPacket p, BfdAuthenticationType type, uint seq) =>
        p with { Authentication = new BfdAuthenticationSection(type, 1, seq, ReadOnlyMemory<byte>.Empty) };

    [Fact]
    public void A_bit_without_configured_authentication_is_discarded()
    {
        var m = new MachineHarness();
        m.Start();
        var output = m.Receive(WithAuth(m.Peer(BfdState.Down), BfdAuthenticationType.SimplePassword, 0));
        Assert.Equal(BfdDiscard.AuthenticationUnexpected, output.Discard);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.Equal(0u, m.V.RemoteDiscr);
    }

    [Fact]
    public void Missing_A_bit_with_configured_authentication_is_discarded()
    {
        var m = new MachineHarness(auth: BfdAuthenticationType.KeyedSha1);
        m.Start();
        Assert.Equal(BfdDiscard.AuthenticationMissing, m.Receive(BfdState.Down).Discard);
    }

    [Fact]
    public void Wrong_digest_or_wrong_type_is_discarded()
    {
        var m = new MachineHarness(auth: BfdAuthenticationType.KeyedSha1);
        m.Start();
        Assert.Equal(BfdDiscard.AuthenticationFailed, m.Receive(WithAuth(m.Peer(BfdState.Down), BfdAuthenticationType.KeyedSha1, 1), authValid: false).Discard);
        Assert.Equal(BfdDiscard.AuthenticationFailed, m.Receive(WithAuth(m.Peer(BfdState.Down), BfdAuthenticationType.KeyedMd5, 1)).Discard);
        Assert.Equal(BfdState.Down, m.V.SessionState);
        Assert.False(m.V.AuthSeqKnown);
    }

    [Theory]
    // Non-meticulous: [RcvAuthSeq, RcvAuthSeq + 3 * Detect Mult]; Detect Mult 3 gives a window of 0..9 past 1000.
    [InlineData(BfdAuthenticationType.KeyedSha1, 1000u, true)]
    [InlineData(BfdAuthenticationType.KeyedSha1, 1009u, true)]
    [InlineData(BfdAuthenticationType.KeyedSha1, 1010u, false)]
    [InlineData(BfdAuthenticationType.KeyedSha1, 999u, false)]
    [InlineData(BfdAuthenticationType.KeyedMd5, 1000u, true)]
    [InlineData(BfdAuthenticationType.KeyedMd5, 1010u, false)]
    // Meticulous: [RcvAuthSeq + 1, RcvAuthSeq + 3 * Detect Mult]; a repeat is a replay.
    [InlineData(BfdAuthenticationType.MeticulousKeyedSha1, 1000u, false)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedSha1, 1001u, true)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedSha1, 1009u, true)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedSha1, 1010u, false)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedMd5, 1000u, false)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedMd5, 1001u, true)]
    public void Sequence_window(BfdAuthenticationType type, uint next, bool accepted)
    {
        var m = new MachineHarness(auth: type);
        m.Start();
        Assert.Equal(BfdDiscard.None, m.Receive(WithAuth(m.Peer(BfdState.Down), type, 1000)).Discard);
        Assert.True(m.V.AuthSeqKnown);
        var output = m.Receive(WithAuth(m.Peer(BfdState.Down), type, next));
        Assert.Equal(accepted ? BfdDiscard.None : BfdDiscard.SequenceOutOfWindow, output.Discard);
        Assert.Equal(accepted ? next : 1000u, m.V.RcvAuthSeq);
    }

    [Theory]
    [InlineData(0xFFFF_FFFEu, 0x0000_0003u, true)]   // wraps modulo 2^32
    [InlineData(0xFFFF_FFFEu, 0x0000_0008u, false)]
    public void Sequence_window_wraps(uint known, uint received, bool inside) =>
        Assert.Equal(inside, BfdSessionMachine.InSequenceWindow(known, received, 3, meticulous: true));

    [Fact]
    public void Any_sequence_number_is_accepted_until_one_is_known()
    {
        var m = new MachineHarness(auth: BfdAuthenticationType.MeticulousKeyedSha1);
        m.Start();
        Assert.Equal(BfdDiscard.None, m.Receive(WithAuth(m.Peer(BfdState.Down), BfdAuthenticationType.MeticulousKeyedSha1, 7)).Discard);
        Assert.Equal(7u, m.V.RcvAuthSeq);
    }

    [Fact]
    public void AuthSeqKnown_is_forgotten_after_twice_the_detection_time_without_packets()
    {
        var m = new MachineHarness(auth: BfdAuthenticationType.MeticulousKeyedSha1);
        m.Start();
        m.Now = 1_000_000;
        m.Receive(WithAuth(m.Peer(BfdState.Down, txUs: 1_000_000), BfdAuthenticationType.MeticulousKeyedSha1, 1000));
        var detection = m.V.DetectionTime;
        m.At(1_000_000 + detection);
        Assert.True(m.V.AuthSeqKnown);
        m.At(1_000_000 + 2 * detection - 1);
        Assert.True(m.V.AuthSeqKnown);
        m.At(1_000_000 + 2 * detection);
        Assert.False(m.V.AuthSeqKnown);
        // Now an old number is accepted again.
        Assert.Equal(BfdDiscard.None, m.Receive(WithAuth(m.Peer(BfdState.Down), BfdAuthenticationType.MeticulousKeyedSha1, 5)).Discard);
    }

    [Fact]
    public void Keyed_transmit_sequence_advances_with_every_packet()
    {
        var m = new MachineHarness(auth: BfdAuthenticationType.KeyedMd5);
        m.Packet();
        var first = m.V.XmitAuthSeq;
        m.Packet();
        Assert.Equal(first + 1, m.V.XmitAuthSeq);
    }
}
