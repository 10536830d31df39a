using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Transport-level interop with FRR bgpd 8.4: the RFC 9687 send hold timer with a peer that stops reading, and GTSM (RFC 5082).</summary>
[Trait("Category", "Interop")]
public class FrrTransportTests
{
    private static Task<FrrBgpd> Frr(int ourPort, int frrPort, string? extra = null) =>
        FrrBgpd.StartAsync(FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, ourPort, extra: extra), frrPort);

    [Fact]
    public async Task A_peer_that_stops_reading_holds_our_queue_to_its_bound_and_the_send_hold_timer_closes_the_session()
    {
        const int queueBound = 64 * 1024;
        const int Routes = 2000;
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(us.Port, frrPort);
        // The receive hold time (30 s) outlasts the send hold time (3 s): only the send side can close the session.
        await us.AddPeerAsync(65002, frrPort, p => p with
        {
            SendHoldTime = TimeSpan.FromSeconds(3),
            Transport = p.Transport with { SendQueueBytes = queueBound },
        });
        await us.EstablishedAsync();
        var session = us.Speaker.Session(OurSide.Them);

        frr.Freeze();
        try
        {
            // 2,000 routes, each with its own 2,000 communities (8 KB): 16 MB of UPDATEs, more than FRR's unread
            // socket buffer and our send buffer hold, so most of it has to wait in our bounded queue.
            var routes = FrrRouteTests.Hosts(Routes);
            for (var i = 0; i < Routes; i++)
            {
                var communities = Enumerable.Range(0, 2000).Select(c => new Community((ushort)(i + 1), (ushort)c)).ToArray();
                await us.Speaker.AnnounceAsync([routes[i]], new PathAttributes { Communities = communities });
            }
            long mostQueued = 0;
            await Poll.UntilAsync(() =>
            {
                mostQueued = Math.Max(mostQueued, session.SendQueuedBytes);
                // RFC 9687 section 3: the session goes down with NOTIFICATION code 8, Send Hold Timer Expired.
                return us.Status.LastError?.Contains("NOTIFICATION SendHoldTimerExpired", StringComparison.Ordinal) == true;
            }, $"the send hold timer to expire", TimeSpan.FromSeconds(25)).ContinueWith(t => t.IsFaulted
                ? throw new Xunit.Sdk.XunitException($"{t.Exception!.InnerException!.Message}; state {us.Status.State}, last error {us.Status.LastError}, queued {session.SendQueuedBytes} (most {mostQueued}), UPDATEs sent {us.Status.Counters.UpdatesSent}, pending {session.AdjRibOut.PendingCount}")
                : t, TaskScheduler.Default);

            // Back-pressure, not growth: at most the bound plus one batch of UPDATEs was ever queued, and the
            // routes that did not fit were still waiting in the Adj-RIB-Out, not encoded.
            Assert.InRange(mostQueued, 1, queueBound + 192 * 1024);
            Assert.NotEqual(SessionState.Established, us.Status.State);
            Assert.True(us.Status.Counters.NotificationsSent >= 1);
            Assert.True(us.Status.Counters.UpdatesSent < Routes, $"{us.Status.Counters.UpdatesSent} UPDATEs were produced for a peer that read none");
        }
        finally
        {
            frr.Thaw();
        }
    }

    [Fact]
    public async Task GTSM_with_FRR_ttl_security_establishes()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        await using var frr = await Frr(us.Port, frrPort, extra: " neighbor 127.0.0.1 ttl-security hops 1");
        await us.AddPeerAsync(65002, frrPort, p => p with { Transport = p.Transport with { Ttl = null, TtlSecurityHops = 1 } });
        await us.EstablishedAsync();
        await Poll.UntilAsync(() => frr.NeighborState("127.0.0.1") == "Established", "FRR Established");
    }

    [Fact]
    public async Task GTSM_refuses_a_peer_that_sends_a_low_TTL()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        // FRR without ttl-security sends TTL 1 to an eBGP peer; our minimum TTL 255 drops its segments.
        await using var frr = await Frr(us.Port, frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { Transport = p.Transport with { Ttl = null, TtlSecurityHops = 1 } });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < deadline)
        {
            Assert.NotEqual(SessionState.Established, us.Status.State);
            Assert.NotEqual("Established", frr.NeighborState("127.0.0.1"));
            await Task.Delay(250);
        }
        Assert.Equal(0, us.Status.Counters.OpensReceived);
    }
}
