using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Interop with ExaBGP 4.2.21: routes both ways, and malformed attributes handled per RFC 7606.</summary>
[Trait("Category", "Interop")]
public class ExaBgpTests
{
    [Theory]
    [InlineData(65001u, 65002u)]
    [InlineData(4200000001u, 4200000001u)]
    public async Task Both_sides_announce_with_communities_MED_and_local_pref(uint ourAs, uint exaAs)
    {
        var ibgp = ourAs == exaAs;
        await using var us = await OurSide.StartAsync(ourAs);
        var exaPort = FreePort.Tcp(OurSide.Them);
        var body = """
            adj-rib-in true;
            family { ipv4 unicast; }
            api { processes [ ]; receive { parsed; update; } }
            static {
                route 12.0.0.0/16 next-hop 192.0.2.254 community [ 65002:7 ] large-community [ 65002:1:1 ] med 5 local-preference 200 split /24;
            }
            """;
        await using var exa = await ExaBgpDaemon.StartAsync(ExaBgpDaemon.Config(exaAs, "127.0.0.2", exaPort, "127.0.0.1", ourAs, us.Port, body));
        await us.AddPeerAsync(exaAs, exaPort, p => p with { KeepAdjRibIn = true, Families = [AfiSafi.IPv4Unicast] });
        await us.Speaker.AnnounceAsync(FrrRouteTests.Hosts(200), new PathAttributes
        {
            MultiExitDisc = 77,
            LocalPref = ibgp ? 333u : null,
            Communities = [new Community(65001, 100)],
            LargeCommunities = [new LargeCommunity(ourAs, 1, 2)],
        });
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 256, "we have ExaBGP's 256 routes");
        var got = us.Speaker.GetReceivedRoutes(OurSide.Them).First(r => r.Prefix == Prefix.Parse("12.0.9.0/24")).Attributes!;
        Assert.Equal([new Community(65002, 7)], got.Communities);
        Assert.Equal([new LargeCommunity(65002, 1, 1)], got.LargeCommunities);
        Assert.Equal(5u, got.MultiExitDisc);
        if (ibgp)
        {
            Assert.Equal(200u, got.LocalPref);
        }
        // ExaBGP logs every NLRI it receives ("routes" log): exactly our 200, with our next hop.
        await Poll.UntilAsync(() => Announced(exa.ReadLog()).Count == 200, "ExaBGP logs our 200 routes");
        Assert.All(Announced(exa.ReadLog()), line => Assert.EndsWith("next-hop 127.0.0.1", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_attributes_from_ExaBGP_follow_RFC_7606()
    {
        await using var us = await OurSide.StartAsync(65001);
        var exaPort = FreePort.Tcp(OurSide.Them);
        // COMMUNITIES (type 8) with 3 octets: a length error, "treat-as-withdraw" (RFC 7606 section 7.8).
        // An unknown optional transitive attribute (type 0xF0) is passed on untouched.
        var body = """
            family { ipv4 unicast; }
            static {
                route 13.0.0.0/24 next-hop 192.0.2.254 attribute [ 0x08 0xc0 0x010203 ];
                route 13.0.1.0/24 next-hop 192.0.2.254 attribute [ 0xf0 0xc0 0x0102 ];
                route 13.0.2.0/24 next-hop 192.0.2.254;
            }
            """;
        await using var exa = await ExaBgpDaemon.StartAsync(ExaBgpDaemon.Config(65002, "127.0.0.2", exaPort, "127.0.0.1", 65001, us.Port, body));
        await us.AddPeerAsync(65002, exaPort, p => p with { KeepAdjRibIn = true, Families = [AfiSafi.IPv4Unicast] });
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count == 2, "the two well-formed routes");
        var routes = us.Speaker.GetReceivedRoutes(OurSide.Them);
        Assert.DoesNotContain(routes, r => r.Prefix == Prefix.Parse("13.0.0.0/24"));
        Assert.Contains(routes, r => r.Prefix == Prefix.Parse("13.0.1.0/24") && r.Attributes!.Unknown.Count == 1);
        Assert.Equal(SessionState.Established, us.Status.State);
        // The session never went down (a NOTIFICATION may still have closed a colliding second connection).
        Assert.Equal(1, us.Status.Counters.EstablishedTransitions);
    }

    private static HashSet<string> Announced(string log) =>
        log.Split('\n').Where(l => l.Contains("announced NLRI 11.0.", StringComparison.Ordinal))
            .Select(l => l[l.IndexOf("announced NLRI", StringComparison.Ordinal)..].Trim()).ToHashSet();
}
