using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// The echo tests' fault: the peer's kernel stops routing our echo packets back (an nftables drop of forwarded
/// UDP 3785 in its namespace) while control packets, which are delivered to the peer itself, still pass.
/// </summary>
internal static class EchoDrop
{
    /// <summary>
    /// Drops forwarded echo in <paramref name="peerNamespace"/> and asserts that <paramref name="session"/>
    /// goes from Up to Down with diagnostic 2 (Echo Function Failed), never with a control detection timeout,
    /// and, when <paramref name="controlPackets"/> is above 0, that that many more control packets arrive after it.
    /// </summary>
    public static async Task AssertOnlyEchoFailsAsync(BfdSession session, string peerNamespace, int controlPackets)
    {
        var changes = new List<BfdStateChange>();
        session.StateChanged += (_, change) => { lock (changes) { changes.Add(change); } };
        var controlBefore = session.GetStatus().ControlPacketsReceived;

        NetNamespacePair.Exec(peerNamespace, "nft", "add", "table", "inet", "bkecho");
        NetNamespacePair.Exec(peerNamespace, "nft", "add", "chain", "inet", "bkecho", "echofilter", "{ type filter hook forward priority 0 ; }");
        NetNamespacePair.Exec(peerNamespace, "nft", "add", "rule", "inet", "bkecho", "echofilter", "udp", "dport", "3785", "drop");

        await Poll.UntilAsync(() => { lock (changes) { return changes.Any(c => c is { Previous: BfdState.Up, Current: BfdState.Down, Diagnostic: BfdDiagnostic.EchoFunctionFailed }); } },
            $"{session.LocalAddress}: down with Echo Function Failed", TimeSpan.FromSeconds(10));
        if (controlPackets > 0)
        {
            await Poll.UntilAsync(() => session.GetStatus().ControlPacketsReceived > controlBefore + controlPackets,
                $"{session.LocalAddress}: control packets from the peer after the echo drop", TimeSpan.FromSeconds(15));
        }
        lock (changes)
        {
            Assert.DoesNotContain(changes, c => c.Diagnostic == BfdDiagnostic.ControlDetectionTimeExpired);
        }
    }
}
