using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// The peer (namespace B) changes its MAC while the session in namespace A runs echo every 50 ms. B announces
/// the new MAC (gratuitous ARP / unsolicited Neighbor Advertisement) and A's kernel takes it at once; what is
/// tested is how many of A's echo packets still go to the old MAC. A lost echo makes A's next one read the
/// neighbour table again, so one or two are lost; a copy of the table kept for its full second would lose
/// up to 20. Counted in packets, not measured in time, so a loaded machine does not change the answer.
/// </summary>
internal static class EchoMacChange
{
    private const string NewMac = "02:bf:0e:c0:00:02";

    public static async Task AssertFewEchoesGoToTheOldMacAsync(NetNamespacePair pair, BfdSession a)
    {
        await Poll.ForAsync(a.GetStatus, s => s is { State: BfdState.Up, EchoActive: true, EchoPacketsReceived: > 10 },
            "A Up with echo returning", TimeSpan.FromSeconds(30));
        var macA = NetNamespacePair.Exec(pair.NameA, "cat", $"/sys/class/net/{pair.DeviceA}/address").Trim();
        var before = a.GetStatus();
        var unansweredBefore = before.EchoPacketsSent - before.EchoPacketsReceived;

        // A new MAC flushes B's own neighbour table; B's kernel gets A's entry back in the same breath, so that
        // B's forwarding plane (which returns A's echo) is not what this measures.
        NetNamespacePair.Exec(pair.NameB, "sh", "-c",
            $"ip link set dev {pair.DeviceB} address {NewMac} && ip neigh replace {a.LocalAddress} lladdr {macA} dev {pair.DeviceB} nud reachable");

        // Echo returns through the new MAC, and at most 3 more echo packets than before are unanswered
        // (those sent to the old MAC, and one in flight). Waiting for late ones, not for a deadline.
        await Poll.UntilAsync(() =>
        {
            var now = a.GetStatus();
            return now.EchoPacketsReceived > before.EchoPacketsSent + 10 && now.EchoPacketsSent - now.EchoPacketsReceived - unansweredBefore <= 3;
        }, "A's echo returning through B's new MAC with at most 3 lost to the old one", TimeSpan.FromSeconds(10));
        Assert.Contains(NewMac, NetNamespacePair.Exec(pair.NameA, "ip", "neigh", "show", "dev", pair.DeviceA));
    }
}
