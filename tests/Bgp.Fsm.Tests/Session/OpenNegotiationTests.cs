using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>Every OPEN refusal sends the NOTIFICATION RFC 4271 section 6.2 / RFC 5492 names.</summary>
public class OpenNegotiationTests
{
    private const uint LocalAs = 65001;
    private static readonly uint LocalId = OpenNegotiation.RouterIdValue(IPAddress.Parse("10.0.0.1"));

    private static BgpPeerOptions Peer(Func<BgpPeerOptions, BgpPeerOptions>? tweak = null)
    {
        var p = new BgpPeerOptions { Address = IPAddress.Loopback, RemoteAs = 65002, Families = [AfiSafi.IPv4Unicast] };
        return tweak is null ? p : tweak(p);
    }

    private static OpenMessage TheirOpen(uint asn = 65002, ushort hold = 90, string id = "10.0.0.2", params Capability[] caps)
    {
        var all = caps.Length > 0 ? caps.ToList() : [new MultiprotocolCapability(AfiSafi.IPv4Unicast)];
        all.Add(new FourOctetAsCapability(asn));
        return new OpenMessage(asn, hold, OpenNegotiation.RouterIdValue(IPAddress.Parse(id)), all);
    }

    private static (NegotiatedSession?, BgpError?) Negotiate(BgpPeerOptions peer, OpenMessage theirs) =>
        OpenNegotiation.Negotiate(peer, LocalAs, LocalId, OpenNegotiation.BuildOpen(peer, LocalAs, LocalId), theirs);

    [Fact]
    public void Wrong_peer_AS_is_Bad_Peer_AS()
    {
        var (_, error) = Negotiate(Peer(), TheirOpen(asn: 65003));
        Assert.Equal((BgpErrorCode.OpenMessageError, (byte)OpenMessageErrorSubcode.BadPeerAs), (error!.Code, error.Subcode));
    }

    [Theory]
    [InlineData(PeerAsMode.Internal, 65001u, true)]
    [InlineData(PeerAsMode.Internal, 65002u, false)]
    [InlineData(PeerAsMode.External, 65002u, true)]
    [InlineData(PeerAsMode.External, 65001u, false)]
    public void Dynamic_internal_and_external_peers(PeerAsMode mode, uint theirAs, bool accepted)
    {
        var (session, error) = Negotiate(Peer(p => p with { RemoteAsMode = mode }), TheirOpen(asn: theirAs));
        Assert.Equal(accepted, session is not null);
        if (!accepted)
        {
            Assert.Equal((byte)OpenMessageErrorSubcode.BadPeerAs, error!.Subcode);
        }
    }

    [Fact]
    public void Four_octet_AS_from_the_capability_with_AS_TRANS_in_My_AS()
    {
        var open = TheirOpen(asn: 4200000002);
        Assert.Equal(OpenMessage.AsTrans, open.MyAs);
        var (session, _) = Negotiate(Peer(p => p with { RemoteAs = 4200000002 }), open);
        Assert.Equal(4200000002u, session!.PeerAs);
        Assert.True(session.FourOctetAs);
    }

    [Fact]
    public void Same_identifier_inside_one_AS_is_Bad_BGP_Identifier_but_allowed_across_ASes()
    {
        var (_, error) = Negotiate(Peer(p => p with { RemoteAs = LocalAs }), TheirOpen(asn: LocalAs, id: "10.0.0.1"));
        Assert.Equal((byte)OpenMessageErrorSubcode.BadBgpIdentifier, error!.Subcode);
        var (ebgp, _) = Negotiate(Peer(), TheirOpen(id: "10.0.0.1"));
        Assert.NotNull(ebgp);
    }

    [Fact]
    public void Hold_time_below_the_minimum_is_Unacceptable_Hold_Time()
    {
        var (_, error) = Negotiate(Peer(p => p with { MinimumHoldTime = TimeSpan.FromSeconds(10) }), TheirOpen(hold: 3));
        Assert.Equal((byte)OpenMessageErrorSubcode.UnacceptableHoldTime, error!.Subcode);
    }

    [Theory]
    [InlineData(90, 30, 30, 10)]
    [InlineData(90, 180, 90, 30)]
    [InlineData(9, 3, 3, 1)]
    [InlineData(90, 0, 0, 0)]
    public void Smaller_hold_time_wins_and_keepalive_is_a_third(int ours, int theirs, int hold, int keepalive)
    {
        var (session, _) = Negotiate(Peer(p => p with { HoldTime = TimeSpan.FromSeconds(ours) }), TheirOpen(hold: (ushort)theirs));
        Assert.Equal(TimeSpan.FromSeconds(hold), session!.HoldTime);
        Assert.Equal(TimeSpan.FromSeconds(keepalive), session.KeepaliveTime);
    }

    [Fact]
    public void Configured_keepalive_is_used_when_within_the_hold_time()
    {
        var (session, _) = Negotiate(Peer(p => p with { KeepaliveTime = TimeSpan.FromSeconds(5) }), TheirOpen(hold: 30));
        Assert.Equal(TimeSpan.FromSeconds(5), session!.KeepaliveTime);
    }

    [Fact]
    public void No_family_in_common_is_Unsupported_Capability_with_our_MP_capabilities_as_data()
    {
        var (_, error) = Negotiate(Peer(), TheirOpen(caps: new MultiprotocolCapability(AfiSafi.IPv6Unicast)));
        Assert.Equal((byte)OpenMessageErrorSubcode.UnsupportedCapability, error!.Subcode);
        Assert.Equal(new byte[] { 1, 4, 0, 1, 0, 1 }, error.Data.ToArray());
    }

    [Fact]
    public void A_peer_without_MP_capabilities_speaks_IPv4_unicast()
    {
        var theirs = new OpenMessage(65002, 90, 1, [new FourOctetAsCapability(65002)]);
        var (session, _) = Negotiate(Peer(p => p with { Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast] }), theirs);
        Assert.Equal([AfiSafi.IPv4Unicast], session!.Families);
    }

    [Fact]
    public void Our_OPEN_carries_the_configured_capabilities()
    {
        var open = OpenNegotiation.BuildOpen(Peer(p => p with { HostName = "node-a", AddPathReceive = true, LocalAs = 4200000001 }), 4200000001, LocalId);
        Assert.Equal(OpenMessage.AsTrans, open.MyAs);
        foreach (var code in new[] { CapabilityCode.Multiprotocol, CapabilityCode.RouteRefresh, CapabilityCode.EnhancedRouteRefresh, CapabilityCode.FourOctetAs,
                     CapabilityCode.ExtendedMessage, CapabilityCode.AddPath, CapabilityCode.GracefulRestart, CapabilityCode.Fqdn })
        {
            Assert.True(open.HasCapability(code), code.ToString());
        }
    }

    [Fact]
    public void Passwords_never_appear_in_ToString()
    {
        var peer = Peer(p => p with { Transport = new TransportOptions { Password = "s3cret-key" } });
        Assert.DoesNotContain("s3cret-key", peer.ToString());
        Assert.DoesNotContain("s3cret-key", peer.Transport.ToString());
    }
}
