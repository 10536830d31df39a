using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using static BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606.MalformedUpdate;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>
/// Regressions found by the RFC 7606 conformance table: the session answers these UPDATEs with the NOTIFICATION
/// the RFC asks for, on a real loopback session with a scripted peer (AS 65002).
/// </summary>
public class MalformedUpdateSessionTests
{
    private static byte[] Mandatory65002 => [.. Origin(), .. AsPath(65002), .. NextHop()];

    private static BgpPeerOptions Peer(int port, bool keepAdjRibIn) => new()
    {
        Address = IPAddress.Loopback,
        RemoteAs = 65002,
        HoldTime = TimeSpan.FromSeconds(90),
        Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast],
        Transport = new TransportOptions { RemotePort = port, ConnectRetryTime = TimeSpan.FromSeconds(30), Ttl = 64 },
        IdleHoldTime = TimeSpan.FromSeconds(30),
        KeepAdjRibIn = keepAdjRibIn,
    };

    private static async Task<NotificationMessage> AnswerTo(byte[] body, bool keepAdjRibIn)
    {
        await using var fake = new FakePeer();
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });
        var session = await ScriptedSession.Establish(fake, speaker, Peer(fake.Port, keepAdjRibIn));
        fake.Send(Message(body));
        var notification = await fake.ReadUntilAsync<NotificationMessage>();
        Assert.NotEqual(SessionState.Established, await ScriptedSession.Settled(session));
        return notification;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Malformed_withdrawn_prefix_beside_good_NLRI_resets_with_invalid_network_field(bool keepAdjRibIn)
    {
        // Was: with an Adj-RIB-In the attribute cache decoded the UPDATE, the withdrawn field's error escaped and the
        // session hung without a NOTIFICATION (RFC 7606 section 5.3 asks for the reset).
        var n = await AnswerTo(Body([.. Mandatory65002, .. Med(2)], V4(10, 0, 1), withdrawn: [40, 10, 0, 0, 0, 0, 0]), keepAdjRibIn);
        Assert.Equal(BgpErrorCode.UpdateMessageError, n.Code);
        Assert.Equal((byte)UpdateMessageErrorSubcode.InvalidNetworkField, n.Subcode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Malformed_MP_REACH_NLRI_resets_with_optional_attribute_error(bool keepAdjRibIn)
    {
        // Was: only the UPDATE's own prefixes were withdrawn, neither AFI/SAFI disable nor session reset
        // (RFC 7606 section 7.11, RFC 4760 section 7).
        var n = await AnswerTo(Body([.. Mandatory65002, .. MpReachV6(V6(1), [1, 2, 3, 4, 5])], V4(10, 0, 1)), keepAdjRibIn);
        Assert.Equal(BgpErrorCode.UpdateMessageError, n.Code);
        Assert.Equal((byte)UpdateMessageErrorSubcode.OptionalAttributeError, n.Subcode);
    }
}
