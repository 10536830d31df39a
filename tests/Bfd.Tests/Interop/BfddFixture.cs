using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>Shared pieces of the FRR bfdd interop tests: addresses per INTEROP.md and bounded polling.</summary>
internal static class Bfdd
{
    /// <summary>bfdd's side: it binds 0.0.0.0:3784 and speaks from 127.0.0.1.</summary>
    public static readonly IPAddress DaemonAddress = IPAddress.Parse("127.0.0.1");

    /// <summary>Our side binds its own address.</summary>
    public static readonly IPAddress OurAddress = IPAddress.Parse("127.0.0.2");

    public static string PeerConfig(string options = "", int txMs = 300, int rxMs = 300, int multiplier = 3) =>
        $"bfd\n peer {OurAddress} local-address {DaemonAddress}\n  receive-interval {rxMs}\n  transmit-interval {txMs}\n  detect-multiplier {multiplier}\n{options}";

    public static bool WaitFor(Func<bool> condition, double seconds = 20) => FrrBfdd.WaitUntil(condition, TimeSpan.FromSeconds(seconds));

    public static async Task<bool> WaitForState(BfdSession session, BfdState state, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (session.State == state)
            {
                return true;
            }
            await Task.Delay(50);
        }
        return session.State == state;
    }

    /// <summary>
    /// With bfdd at 300 ms x 3 and <paramref name="session"/> Up: freezes bfdd (SIGSTOP), asserts our session goes
    /// Down with diagnostic 1 within the detection time plus one interval (and not early), thaws it, and asserts
    /// both sides are Up again (<paramref name="peerOnBfdd"/> is our address as bfdd names the peer).
    /// </summary>
    public static async Task AssertFreezeIsDetectedAndRecoveredAsync(FrrBfdd bfdd, BfdSession session, string peerOnBfdd)
    {
        Assert.True(WaitFor(() => session.GetStatus().DetectionTime == TimeSpan.FromMilliseconds(900)));
        var down = new TaskCompletionSource<(BfdStateChange Change, TimeSpan At)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopwatch = new System.Diagnostics.Stopwatch();
        // The latency is read where the session reports the change, not after the awaiting continuation is
        // scheduled: on a loaded 2-core machine the thread pool alone added ~100 ms (CI saw 1,294 ms in all).
        session.StateChanged += (_, c) => { if (c.Current == BfdState.Down) down.TrySetResult((c, stopwatch.Elapsed)); };
        // kill(2) returns once bfdd is stopped, so the clock starts when its last packet is already sent.
        bfdd.Suspend();
        stopwatch.Start();
        try
        {
            var (change, latency) = await down.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(BfdDiagnostic.ControlDetectionTimeExpired, change.Diagnostic);
            // bfdd's last packet left at most one transmit interval (300 ms) before the freeze, so detection
            // (900 ms after it) falls 600..900 ms after the freeze; 300 ms more is left for thread scheduling.
            Assert.True(latency >= TimeSpan.FromMilliseconds(550), $"detected too early, after {latency.TotalMilliseconds} ms");
            Assert.True(latency <= TimeSpan.FromMilliseconds(1200), $"detected after {latency.TotalMilliseconds} ms");
        }
        finally
        {
            bfdd.Resume();
        }
        Assert.True(await WaitForState(session, BfdState.Up, 30), bfdd.LogText());
        Assert.True(WaitFor(() => bfdd.PeerStatus(peerOnBfdd) == "up"));
    }
}
