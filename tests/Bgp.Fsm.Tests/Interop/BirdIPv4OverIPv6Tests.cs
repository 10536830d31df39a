using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>IPv4 routes both ways over an IPv6 session (both ends on ::1, distinct ports) with BIRD 2.0.12.</summary>
[Trait("Category", "Interop")]
public class BirdIPv4OverIPv6Tests
{
    [Fact]
    public async Task IPv4_routes_both_ways_over_an_IPv6_session_with_IPv4_next_hops()
    {
        var v6 = IPAddress.IPv6Loopback;
        var ourPort = FreePort.Tcp(v6);
        var birdPort = FreePort.Tcp(v6);
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("127.0.0.1"), ListenAddress = v6, ListenPort = ourPort });
        await speaker.StartAsync();
        await using var bird = await BirdDaemon.StartAsync($$"""
            router id 127.0.0.2;
            log "LOGFILE" all;
            protocol device { }
            protocol static static4 { ipv4; route 12.0.1.0/24 blackhole; route 12.0.2.0/24 blackhole; }
            protocol bgp peer1 {
              local ::1 port {{birdPort}} as 65002;
              neighbor ::1 port {{ourPort}} as 65001;
              multihop;
              strict bind;
              ipv4 { import all; export filter { if proto = "static4" then { bgp_next_hop = 192.0.2.2; accept; } reject; }; };
            }
            """);
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = v6,
            RemoteAs = 65002,
            HoldTime = TimeSpan.FromSeconds(30),
            IdleHoldTime = TimeSpan.FromMilliseconds(300),
            IdleHoldTimeMax = TimeSpan.FromSeconds(2),
            Families = [AfiSafi.IPv4Unicast],
            KeepAdjRibIn = true,
            NextHopIPv4 = IPAddress.Parse("192.0.2.1"),
            Transport = new TransportOptions { RemotePort = birdPort, LocalAddress = v6, ConnectRetryTime = TimeSpan.FromSeconds(2), Ttl = 64 },
        });
        await speaker.AnnounceAsync(FrrRouteTests.Hosts(20), new PathAttributes { Communities = [new Community(65001, 4)] });
        await Poll.UntilAsync(() => speaker.GetStatus(v6).State == SessionState.Established, "our IPv6 session to BIRD", TimeSpan.FromSeconds(40));

        // BIRD imports our 20 routes with the IPv4 next hop we set (multihop: shown unreachable, counted).
        await Poll.UntilAsync(() => bird.RouteCount() == 20, "BIRD has our 20 IPv4 routes");
        var route = bird.Birdc("show route 11.0.0.7/32 all");
        Assert.Contains("BGP.next_hop: 192.0.2.1", route, StringComparison.Ordinal);
        Assert.Contains("(65001,4)", route, StringComparison.Ordinal);

        await Poll.UntilAsync(() => speaker.GetReceivedRoutes(v6).Count(r => r.Prefix.Address.GetAddressBytes()[0] == 12) == 2, "we have BIRD's 2 IPv4 routes");
        Assert.Equal(IPAddress.Parse("192.0.2.2"), speaker.GetReceivedRoutes(v6).First(r => r.Prefix == Prefix.Parse("12.0.1.0/24")).Attributes!.NextHopAddress);
    }
}
