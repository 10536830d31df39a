using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Speaker;

/// <summary>BGP unnumbered peers (<see cref="BgpPeerOptions.Interface"/>) are checked and keyed when added.</summary>
public class InterfacePeerOptionsTests
{
    private static BgpPeerOptions Peer(string name, IPAddress? address = null) => new()
    {
        Address = address ?? IPAddress.IPv6Any,
        Interface = name,
        RemoteAs = 65002,
        AutoStart = false,
    };

    private static BgpSpeaker Speaker() => new(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });

    public static TheoryData<string, BgpPeerOptions> Invalid => new()
    {
        { "no network interface named 'bk-no-such-if'", Peer("bk-no-such-if") },
        { "the address is IPv6Any (learned on the link) or the peer's IPv6 link-local address, not 192.0.2.1", Peer("lo", IPAddress.Parse("192.0.2.1")) },
        { "not 2001:db8::1", Peer("lo", IPAddress.Parse("2001:db8::1")) },
        { "a TCP MD5 password needs a known peer address", Peer("lo") with { Transport = new TransportOptions { Password = "s3cret-pw" } } },
        { "router advertisement interval must be positive", Peer("lo") with { RouterAdvertisementInterval = TimeSpan.Zero } },
        { "needs the interface's name", Peer("") },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Refused_with_a_message_that_says_why(string expected, BgpPeerOptions peer)
    {
        await using var speaker = Speaker();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => speaker.AddPeerAsync(peer));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", e.Message, StringComparison.Ordinal);
        Assert.Empty(speaker.GetStatuses());
    }

    [Fact]
    public async Task A_peer_learned_on_the_link_is_keyed_by_the_unspecified_address_scoped_to_the_interface()
    {
        var key = BgpPeerOptions.InterfacePeerAddress("lo");
        Assert.Equal(new IPAddress(IPAddress.IPv6Any.GetAddressBytes(), RouterAdvertisementLink.IndexOf("lo")), key);
        Assert.NotEqual(IPAddress.IPv6Any, key);
        await using var speaker = Speaker();
        await speaker.AddPeerAsync(Peer("lo"));
        Assert.Equal(key, speaker.GetStatus(key).Address);
        await Assert.ThrowsAsync<InvalidOperationException>(() => speaker.AddPeerAsync(Peer("lo")));
    }

    [Fact]
    public async Task A_known_link_local_peer_gets_the_interface_as_scope()
    {
        await using var speaker = Speaker();
        await speaker.AddPeerAsync(Peer("lo", IPAddress.Parse("fe80::2")));
        var status = Assert.Single(speaker.GetStatuses());
        Assert.Equal(IPAddress.Parse($"fe80::2%{RouterAdvertisementLink.IndexOf("lo")}"), status.Address);
    }

    [Fact]
    public async Task Without_a_Router_Advertisement_the_connect_attempt_ends_at_the_connect_timeout_saying_why()
    {
        var time = new ManualTimeProvider();
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null, TimeProvider = time });
        await speaker.AddPeerAsync(Peer("lo") with { AutoStart = true, Transport = new TransportOptions { ConnectTimeout = TimeSpan.FromSeconds(5) } });
        var key = BgpPeerOptions.InterfacePeerAddress("lo");
        // Three timers: the periodic RA, ConnectRetryTimer, and the connect attempt's wait for a neighbor.
        await Poll.UntilAsync(() => speaker.GetStatus(key).State == SessionState.Connect && time.ActiveTimers == 3, "the session in Connect, waiting for a neighbor");
        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.Null(speaker.GetStatus(key).LastError);
        time.Advance(TimeSpan.FromTicks(1));
        await Poll.UntilAsync(() => speaker.GetStatus(key).LastError is not null, "the failed attempt reported");
        Assert.Equal("connect failed: no Router Advertisement from a neighbor on lo yet", speaker.GetStatus(key).LastError);
    }
}
