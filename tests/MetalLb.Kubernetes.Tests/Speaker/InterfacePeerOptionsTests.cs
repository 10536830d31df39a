using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Speaker;

namespace BgpKit.MetalLb.Kubernetes.Tests.Speaker;

/// <summary>A BGPPeer with <c>interface</c> becomes an unnumbered BgpSpeaker peer.</summary>
public sealed class InterfacePeerOptionsTests
{
    private static PeerIntent Intent(string name) => new()
    {
        Name = "tor", Address = IPAddress.IPv6Any, Interface = name, MyAsn = 64513, PeerAsn = 64512, SingleFamily = false,
    };

    [Fact]
    public void The_speaker_learns_the_peer_on_the_interface_and_offers_both_families()
    {
        var options = SpeakerBackend.PeerOptions(Intent("lo"));
        Assert.Equal("lo", options.Interface);
        Assert.Equal(IPAddress.IPv6Any, options.Address);
        Assert.Equal([AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast], options.Families);
        Assert.Equal(BgpKit.Bgp.Fsm.BgpPeerOptions.InterfacePeerAddress("lo"), SpeakerBackend.SpeakerKey(Intent("lo")));
        Assert.Equal("tor interface lo AS64513->AS64512", Intent("lo").ToString());
    }

    [Fact]
    public void An_interface_the_node_does_not_have_is_an_error_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeakerBackend.SpeakerKey(Intent("bk-no-such")));
        Assert.Contains("no network interface named 'bk-no-such'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.100.0.1/32", "fe80::1%3", true, "fe80::1")]    // RFC 8950: our link-local on the IPv4 route, without scope
    [InlineData("2001:db8::1/128", "fe80::1%3", true, "fe80::1")]
    [InlineData("10.100.0.1/32", "fe80::1%3", false, null)]
    public void Sent_next_hop_on_an_unnumbered_session_is_our_link_local_address(string prefix, string local, bool extended, string? expected) =>
        Assert.Equal(expected, SpeakerBackend.SentNextHop(IPNetwork.Parse(prefix), IPAddress.Parse(local), extended)?.ToString());
}
