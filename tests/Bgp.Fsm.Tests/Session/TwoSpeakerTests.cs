using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>Two BgpSpeakers on loopback (127.0.0.1 and 127.0.0.2), real time, each connecting to the other at once.</summary>
public class TwoSpeakerTests
{
    internal static (BgpSpeaker A, BgpSpeaker B) Pair(uint asA = 65001, uint asB = 65002, string? password = null, string? passwordB = null, bool keepIn = false)
    {
        var portA = FreePort.Tcp(IPAddress.Parse("127.0.0.1"));
        var portB = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
        var a = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = asA, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = IPAddress.Parse("127.0.0.1"), ListenPort = portA });
        var b = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = asB, RouterId = IPAddress.Parse("10.0.0.2"), ListenAddress = IPAddress.Parse("127.0.0.2"), ListenPort = portB });
        a.StartAsync().GetAwaiter().GetResult();
        b.StartAsync().GetAwaiter().GetResult();
        a.AddPeerAsync(PeerOf("127.0.0.2", asB, portB, "127.0.0.1", password) with { KeepAdjRibIn = keepIn }).GetAwaiter().GetResult();
        b.AddPeerAsync(PeerOf("127.0.0.1", asA, portA, "127.0.0.2", passwordB ?? password) with { KeepAdjRibIn = keepIn }).GetAwaiter().GetResult();
        return (a, b);
    }

    private static BgpPeerOptions PeerOf(string address, uint asn, int port, string local, string? password) => new()
    {
        Address = IPAddress.Parse(address),
        RemoteAs = asn,
        HoldTime = TimeSpan.FromSeconds(30),
        IdleHoldTime = TimeSpan.FromMilliseconds(200),
        IdleHoldTimeMax = TimeSpan.FromSeconds(2),
        Transport = new TransportOptions { RemotePort = port, LocalAddress = IPAddress.Parse(local), ConnectRetryTime = TimeSpan.FromSeconds(2), Password = password, Ttl = 64 },
    };

    [Fact]
    public async Task Simultaneous_connects_resolve_the_collision_and_establish_one_session()
    {
        var (a, b) = Pair();
        await using var _ = a;
        await using var __ = b;
        var peerB = IPAddress.Parse("127.0.0.2");
        var peerA = IPAddress.Parse("127.0.0.1");
        await Poll.UntilAsync(() => a.GetStatus(peerB).State == SessionState.Established && b.GetStatus(peerA).State == SessionState.Established, "both Established");
        var status = a.GetStatus(peerB);
        Assert.Equal(65002u, status.PeerAs);
        Assert.Contains("mp-IPv6/Unicast", status.Capabilities);
        Assert.Contains("route-refresh", status.Capabilities);
        Assert.Equal(TimeSpan.FromSeconds(10), status.KeepaliveTime);
    }

    [Fact]
    public async Task Administrative_shutdown_message_reaches_the_peer_and_restart_works()
    {
        var (a, b) = Pair(asA: 4200000001, asB: 4200000002);
        await using var _ = a;
        await using var __ = b;
        var peerB = IPAddress.Parse("127.0.0.2");
        var peerA = IPAddress.Parse("127.0.0.1");
        await a.WaitForStateAsync(peerB, SessionState.Established).WaitAsync(TimeSpan.FromSeconds(30));
        await a.ShutdownPeerAsync(peerB, "maintenance window 42");
        await Poll.UntilAsync(() => b.GetStatus(peerA).LastError?.Contains("maintenance window 42", StringComparison.Ordinal) == true, "B sees the shutdown communication");
        Assert.Equal(SessionState.Idle, a.GetStatus(peerB).State);
        await a.StartPeerAsync(peerB);
        await Poll.UntilAsync(() => a.GetStatus(peerB).State == SessionState.Established, "re-established");
    }

    [Fact]
    public async Task Liveness_down_sends_Cease_BFD_Down_and_holds_the_session_until_it_is_back()
    {
        var (a, b) = Pair();
        await using var _ = a;
        await using var __ = b;
        var peerB = IPAddress.Parse("127.0.0.2");
        var peerA = IPAddress.Parse("127.0.0.1");
        await a.WaitForStateAsync(peerB, SessionState.Established).WaitAsync(TimeSpan.FromSeconds(30));
        await a.SetPeerLivenessAsync(peerB, false);
        await Poll.UntilAsync(() => b.GetStatus(peerA).LastError?.Contains("Cease/10", StringComparison.Ordinal) == true, "B sees Cease/BFD Down");
        Assert.Equal(SessionState.Idle, a.GetStatus(peerB).State);
        Assert.False(a.GetStatus(peerB).LivenessUp);
        await a.SetPeerLivenessAsync(peerB, true);
        await Poll.UntilAsync(() => a.GetStatus(peerB).State == SessionState.Established, "re-established after liveness is back");
    }

    [Fact]
    public async Task Tcp_md5_mismatch_never_establishes_and_match_does()
    {
        var (a, b) = Pair(password: "one", passwordB: "two");
        await using (a)
        await using (b)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.NotEqual(SessionState.Established, a.GetStatus(IPAddress.Parse("127.0.0.2")).State);
            Assert.DoesNotContain("one", a.GetStatus(IPAddress.Parse("127.0.0.2")).ToString(), StringComparison.Ordinal);
        }
        var (c, d) = Pair(password: "same-key");
        await using (c)
        await using (d)
        {
            await Poll.UntilAsync(() => c.GetStatus(IPAddress.Parse("127.0.0.2")).State == SessionState.Established, "MD5 session Established");
        }
    }

    [Theory]
    [InlineData(65001u, 65002u)]
    [InlineData(65001u, 65001u)]
    public async Task Routes_flow_both_ways_with_attributes_and_withdrawals_and_come_back_after_a_reset(uint asA, uint asB)
    {
        var (a, b) = Pair(asA, asB, keepIn: true);
        await using var _ = a;
        await using var __ = b;
        var peerB = IPAddress.Parse("127.0.0.2");
        var peerA = IPAddress.Parse("127.0.0.1");
        var attributes = new PathAttributes
        {
            MultiExitDisc = 42,
            LocalPref = asA == asB ? 250u : null,
            Communities = [new Community(65001, 100)],
            LargeCommunities = [new LargeCommunity(65001, 7, 8)],
        };
        var v4 = Enumerable.Range(0, 300).Select(i => Prefix.FromIPv4(0x0B000000u + (uint)i, 32)).ToList();
        var v6 = Enumerable.Range(0, 50).Select(i => Prefix.FromIPv6(0x20010db800000000UL + (ulong)i, 0, 64)).ToList();
        await a.AnnounceAsync(v4.Concat(v6), attributes);
        await b.AnnounceAsync(Prefix.Parse("12.0.0.0/24"), new PathAttributes());

        await Poll.UntilAsync(() => b.GetReceivedRoutes(peerA).Count == 350, "B receives 350 routes");
        await Poll.UntilAsync(() => a.GetReceivedRoutes(peerB).Count == 1, "A receives B's route");
        var got = b.GetReceivedRoutes(peerA).First(r => r.Prefix == v4[0]).Attributes!;
        Assert.Equal(42u, got.MultiExitDisc);
        Assert.Equal([new Community(65001, 100)], got.Communities);
        Assert.Equal([new LargeCommunity(65001, 7, 8)], got.LargeCommunities);
        Assert.Equal(IPAddress.Parse("127.0.0.1"), got.NextHopAddress);
        if (asA == asB)
        {
            Assert.Equal(250u, got.LocalPref);
            Assert.Equal(0, got.AsPath!.Length);
        }
        else
        {
            Assert.Null(got.LocalPref);
            Assert.Equal(65001u, got.AsPath!.FirstAs);
        }
        var v6Route = b.GetReceivedRoutes(peerA).First(r => r.Prefix == v6[0]);
        Assert.NotNull(v6Route.Attributes);

        await a.WithdrawAsync(v4.Take(100));
        await Poll.UntilAsync(() => b.GetReceivedRoutes(peerA).Count == 250, "B sees 100 withdrawals");
        Assert.True(a.GetStatus(peerB).Counters.UpdatesSent < 20, "prefixes are packed, not one UPDATE each");

        await a.ShutdownPeerAsync(peerB, "reset");
        await Poll.UntilAsync(() => b.GetReceivedRoutes(peerA).Count == 0, "routes gone with the session");
        await a.StartPeerAsync(peerB);
        await Poll.UntilAsync(() => b.GetReceivedRoutes(peerA).Count == 250, "everything re-announced after reconnect");
    }
}
