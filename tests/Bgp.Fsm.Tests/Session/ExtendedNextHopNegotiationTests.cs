using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>RFC 8950: IPv4 unicast with IPv6 next hops is offered on IPv6 sessions and agreed only when both sides offer it.</summary>
public class ExtendedNextHopNegotiationTests
{
    private const uint LocalAs = 65001;
    private static readonly uint LocalId = OpenNegotiation.RouterIdValue(IPAddress.Parse("10.0.0.1"));
    private static readonly ExtendedNextHopFamily Ipv4ViaIPv6 = new(Afi.IPv4, 1, Afi.IPv6);

    private static BgpPeerOptions Peer(string address, params AfiSafi[] families) =>
        new() { Address = IPAddress.Parse(address), RemoteAs = 65002, Families = families.Length > 0 ? families : [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast] };

    private static OpenMessage TheirOpen(params Capability[] extra) => new(65002, 90, OpenNegotiation.RouterIdValue(IPAddress.Parse("10.0.0.2")),
        [new MultiprotocolCapability(AfiSafi.IPv4Unicast), new MultiprotocolCapability(AfiSafi.IPv6Unicast), new FourOctetAsCapability(65002), .. extra]);

    private static bool Offered(BgpPeerOptions peer) =>
        OpenNegotiation.BuildOpen(peer, LocalAs, LocalId).GetCapability<ExtendedNextHopCapability>() is { } c && c.Families.Contains(Ipv4ViaIPv6);

    [Theory]
    [InlineData("2001:db8::2", true)]
    [InlineData("::1", true)]
    [InlineData("192.0.2.2", false)]
    [InlineData("::ffff:192.0.2.2", false)]
    public void Offered_on_IPv6_sessions_only(string address, bool offered) => Assert.Equal(offered, Offered(Peer(address)));

    [Fact]
    public void Not_offered_without_IPv4_unicast() => Assert.False(Offered(Peer("2001:db8::2", AfiSafi.IPv6Unicast)));

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Agreed_only_when_the_peer_offers_it_too(bool theyOffer, bool agreed)
    {
        var peer = Peer("2001:db8::2");
        var theirs = theyOffer ? TheirOpen(new ExtendedNextHopCapability([Ipv4ViaIPv6])) : TheirOpen();
        var (session, error) = OpenNegotiation.Negotiate(peer, LocalAs, LocalId, OpenNegotiation.BuildOpen(peer, LocalAs, LocalId), theirs);
        Assert.Null(error);
        Assert.Equal(agreed, session!.ExtendedNextHop);
        Assert.Equal(agreed, session.CapabilityNames().Contains("extended-nexthop"));
    }
}
