using System.Diagnostics;
using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using Xunit.Abstractions;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// A BGP session bound to BFD against FRR as a router runs it (zebra, bgpd with <c>neighbor X bfd</c>, bfdd)
/// in a network namespace joined to ours by a veth pair. Freezing the path with nftables (BFD and BGP dropped,
/// the link stays up, no socket notices) must take our BGP session down through BFD, long before the 90 s
/// hold timer; thawing it must bring BFD and BGP back.
/// </summary>
[Trait("Category", "Interop")]
public sealed class BgpWithBfdFrrTests(ITestOutputHelper output)
{
    private const int IntervalMs = 100;
    private const int Multiplier = 3;

    [Fact]
    public async Task Frozen_path_takes_BGP_down_through_BFD_long_before_the_hold_timer_and_both_recover()
    {
        if (!FrrRouter.IsAvailable)
        {
            output.WriteLine("skipped: FRR zebra/bgpd/bfdd or iproute2 not installed");
            return;
        }
        using var ns = NetNamespace.Create("bgpkit-bgpbfd");
        var us = ns.OuterAddress;
        var router = ns.InnerAddress;
        using var frr = FrrRouter.Start(ns, $"""
            router bgp 64512
             bgp router-id {router}
             no bgp ebgp-requires-policy
             no bgp network import-check
             neighbor {us} remote-as 64513
             neighbor {us} timers 30 90
             neighbor {us} timers connect 2
             neighbor {us} bfd
             neighbor {us} bfd profile fast
            """, $"""
            bfd
             profile fast
              receive-interval {IntervalMs}
              transmit-interval {IntervalMs}
              detect-multiplier {Multiplier}
            """);

        await using var bfd = new BfdEndpoint();
        var bfdSession = bfd.StartSession(new BfdSessionOptions(us, router)
        {
            Profile = new BfdProfile
            {
                ReceiveInterval = TimeSpan.FromMilliseconds(IntervalMs),
                TransmitInterval = TimeSpan.FromMilliseconds(IntervalMs),
                DetectMultiplier = Multiplier,
            },
        });
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 64513, RouterId = us, ListenAddress = null });
        await speaker.StartAsync();
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = router,
            RemoteAs = 64512,
            HoldTime = TimeSpan.FromSeconds(90),
            IdleHoldTime = TimeSpan.FromMilliseconds(500),
            Transport = new TransportOptions { LocalAddress = us, ConnectRetryTime = TimeSpan.FromSeconds(2) },
        });
        using var binding = speaker.BindLiveness(router, bfdSession);
        await speaker.AnnounceAsync(Prefix.Parse("10.99.0.1/32"), new PathAttributes(), router);

        await Poll.UntilAsync(() => bfdSession.State == BfdState.Up && frr.BfdPeer(us.ToString())?["status"]?.GetValue<string>() == "up",
            "BFD Up on both sides", TimeSpan.FromSeconds(30)).WithLogs(frr);
        await Poll.UntilAsync(() => speaker.GetStatus(router).State == SessionState.Established && frr.NeighborState(us.ToString()) == "Established"
            && PrefixesReceived(frr, us) == 1, "BGP Established with the route at FRR", TimeSpan.FromSeconds(60)).WithLogs(frr);
        var detectionTime = bfdSession.GetStatus().DetectionTime;
        Assert.Equal(TimeSpan.FromMilliseconds(IntervalMs * Multiplier), detectionTime);

        // Record when each layer leaves Up, as the events happen (polling would add its own period).
        var clock = new Stopwatch();
        var bfdDownAt = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bgpDownAt = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        bfdSession.StateChanged += (_, change) =>
        {
            if (change.Previous == BfdState.Up)
            {
                bfdDownAt.TrySetResult(clock.Elapsed);
            }
        };
        speaker.PeerStateChanged += (_, change) =>
        {
            if (change.State != SessionState.Established)
            {
                bgpDownAt.TrySetResult(clock.Elapsed);
            }
        };

        using (NftDrop.Install(ns, "udp dport 3784", "tcp dport 179", "tcp sport 179"))
        {
            clock.Start();
            var bgpDown = await bgpDownAt.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var bfdDown = await bfdDownAt.Task;
            output.WriteLine($"detection time {detectionTime.TotalMilliseconds} ms; BFD down after {bfdDown.TotalMilliseconds:0} ms, BGP down after {bgpDown.TotalMilliseconds:0} ms");
            var status = speaker.GetStatus(router);
            Assert.Equal(BfdDiagnostic.ControlDetectionTimeExpired, bfdSession.GetStatus().LastDiagnostic);
            Assert.False(status.LivenessUp);
            Assert.Contains("Cease/10", status.LastError ?? "", StringComparison.Ordinal); // RFC 9384 subcode 10, BFD Down
            // Detection time plus one interval (the last packet may have left just before the freeze) plus a
            // scheduling margin for a loaded 2-core machine: seconds, where the hold timer would take 90.
            Assert.True(bfdDown < detectionTime + TimeSpan.FromMilliseconds(IntervalMs) + TimeSpan.FromSeconds(2), $"BFD took {bfdDown}");
            Assert.True(bgpDown - bfdDown < TimeSpan.FromSeconds(1), $"BGP followed BFD after {bgpDown - bfdDown}");

            // FRR's side sees the same: bfdd down, and bgpd drops the session on bfdd's word.
            await Poll.UntilAsync(() => frr.BfdPeer(us.ToString())?["status"]?.GetValue<string>() == "down"
                && frr.NeighborState(us.ToString()) != "Established", "FRR's BFD and BGP down", TimeSpan.FromSeconds(20)).WithLogs(frr);
            // Frozen: we stay down (BFD holds BGP down) instead of flapping against a dead path.
            Assert.NotEqual(SessionState.Established, speaker.GetStatus(router).State);
        }

        // Thawed: BFD comes up first on both sides, then BGP re-establishes and the route is back at FRR.
        await Poll.UntilAsync(() => bfdSession.State == BfdState.Up && frr.BfdPeer(us.ToString())?["status"]?.GetValue<string>() == "up",
            "BFD Up again on both sides", TimeSpan.FromSeconds(30)).WithLogs(frr);
        await Poll.UntilAsync(() => speaker.GetStatus(router).State == SessionState.Established && frr.NeighborState(us.ToString()) == "Established"
            && PrefixesReceived(frr, us) == 1, "BGP Established again with the route at FRR", TimeSpan.FromSeconds(60)).WithLogs(frr);
        Assert.True(speaker.GetStatus(router).LivenessUp);
    }

    private static int PrefixesReceived(FrrRouter frr, IPAddress neighbor) =>
        frr.BgpdJson("show bgp ipv4 unicast summary json")["peers"]?[neighbor.ToString()]?["pfxRcd"]?.GetValue<int>() ?? -1;
}

internal static class FrrRouterPollLogs
{
    /// <summary>Adds FRR's logs to a polling timeout.</summary>
    public static async Task WithLogs(this Task poll, FrrRouter frr)
    {
        try
        {
            await poll;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + frr.Logs(), e);
        }
    }
}
