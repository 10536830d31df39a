using System.Diagnostics;
using System.Globalization;
using BgpKit.BgpKit.Cli.Tests.Speaker;
using BgpKit.TestSupport;
using Xunit.Abstractions;

namespace BgpKit.BgpKit.Cli.Tests.Interop;

/// <summary>
/// Issue 14's scenario on the wire (see <see cref="Layer2Fixture"/>): the elected node, and only it, answers ARP and
/// NDP from the client with its MAC; killing its speaker moves the addresses to the other node within the failover
/// bound, with gratuitous ARP and an unsolicited NA that tshark sees and that move the client's neighbour entry;
/// restarting it gives them back with no moment where both answer. <c>interfaces</c>, <c>nodeSelectors</c> and
/// externalTrafficPolicy Local decide who answers; malformed frames are counted and ignored.
/// The failover is measured over <c>BGPKIT_L2_FAILOVER_KILLS</c> kills (3 by default; 20 for the issue's measurement:
/// <c>BGPKIT_L2_FAILOVER_KILLS=20 dotnet test tests/BgpKit.Cli.Tests -c Release --filter FullyQualifiedName~Layer2EndToEnd</c>).
/// </summary>
[Trait("Category", "Interop")]
public sealed class Layer2EndToEndTests : IClassFixture<Layer2Fixture>
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(90); // dotnet processes starting on a loaded 2-core machine
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    // A killed speaker's Lease expires after the lease duration, seen at the next renew interval; the rest is slack
    // for a loaded machine (the measured values are printed and are what the report quotes).
    private static readonly TimeSpan FailoverBound = Layer2Fixture.LeaseDuration + Layer2Fixture.RenewInterval * 2 + TimeSpan.FromSeconds(8);

    private readonly Layer2Fixture _l2;
    private readonly ITestOutputHelper _output;

    public Layer2EndToEndTests(Layer2Fixture l2, ITestOutputHelper output)
    {
        _l2 = l2;
        _output = output;
    }

    private int Owner => Layer2Fixture.Preferred(_l2.Vip4);

    [Fact]
    public async Task The_elected_node_alone_answers_ARP_and_NDP_with_its_MAC_and_publishes_ServiceL2Status()
    {
        var l2 = _l2;
        l2.Reset();
        var owner = Owner;
        var other = 1 - owner;
        var mac = l2.Nodes[owner].Mac;
        await Poll.UntilAsync(() => l2.Arping(l2.Vip4) is [var m] && m == mac, $"{Layer2Fixture.NodeName(owner)} to answer ARP for {l2.Vip4}", Start).WithText(l2.Logs);
        // The other node may have answered while both started (before it saw the owner's Lease, it was the only live
        // candidate); from now on it must not answer at all.
        var otherBefore = Layer2Fixture.Counter(l2.SpeakerMetrics(other), $"metallb_layer2_responses_sent{{ip=\"{l2.Vip4}\"}}");
        // Five requests, every answer from the owner and one per request (arping counts extra answers too).
        var answers = l2.Arping(l2.Vip4, count: 5, seconds: 6);
        Assert.Equal(Enumerable.Repeat(mac, 5), answers);
        var ndp = await Poll.ForAsync(() => l2.Ndisc(l2.Vip6), m => m is not null, $"an NDP answer for {l2.Vip6}", Settle).WithText(l2.Logs);
        Assert.Equal(mac, ndp);
        Assert.True(l2.Reachable(l2.Vip4), $"{l2.Vip4} is not reachable from the client");
        Assert.Equal(mac, l2.ClientNeighbour(l2.Vip4));

        // ServiceL2Status: one, from the owner, naming the interface it answers on.
        var status = await Poll.ForAsync(() => l2.L2Statuses().Where(s => s!["status"]?["serviceName"]?.GetValue<string>() == "web").ToArray(),
            s => s.Length == 1 && s[0]!["status"]!["node"]!.GetValue<string>() == Layer2Fixture.NodeName(owner), "web's ServiceL2Status", Settle).WithText(l2.Logs);
        Assert.Equal("default", status[0]!["status"]!["serviceNamespace"]!.GetValue<string>());
        Assert.Equal([l2.Nodes[owner].Device], status[0]!["status"]!["interfaces"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()));
        Assert.Equal(Layer2Fixture.NodeName(owner), status[0]!["metadata"]!["labels"]!["metallb.io/node"]!.GetValue<string>());

        // show l2 on both nodes; the metrics under MetalLB's names.
        var mine = l2.SpeakerL2(owner)["addresses"]!.AsArray().Where(a => a!["service"]!.GetValue<string>() == "default/web").ToArray();
        Assert.Equal(2, mine.Length);
        Assert.All(mine, a => Assert.True(a!["answering"]!.GetValue<bool>()));
        var theirs = l2.SpeakerL2(other)["addresses"]!.AsArray().Where(a => a!["service"]!.GetValue<string>() == "default/web").ToArray();
        Assert.All(theirs, a =>
        {
            Assert.False(a!["answering"]!.GetValue<bool>());
            Assert.Contains("not owner", a["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        });
        var metrics = l2.SpeakerMetrics(owner);
        Assert.True(Layer2Fixture.Counter(metrics, $"metallb_layer2_requests_received{{ip=\"{l2.Vip4}\"}}") >= 5, metrics);
        Assert.True(Layer2Fixture.Counter(metrics, $"metallb_layer2_responses_sent{{ip=\"{l2.Vip4}\"}}") >= 5, metrics);
        Assert.True(Layer2Fixture.Counter(metrics, $"metallb_layer2_responses_sent{{ip=\"{l2.Vip6}\"}}") >= 1, metrics);
        Assert.Equal(otherBefore, Layer2Fixture.Counter(l2.SpeakerMetrics(other), $"metallb_layer2_responses_sent{{ip=\"{l2.Vip4}\"}}"));
        Assert.Empty(l2.Denials);
    }

    [Fact]
    public async Task Killing_the_owner_moves_the_addresses_within_the_bound_and_its_return_takes_them_back_without_overlap()
    {
        var l2 = _l2;
        l2.Reset();
        var owner = Owner;
        var other = 1 - owner;
        var (ownerMac, otherMac) = (l2.Nodes[owner].Mac, l2.Nodes[other].Mac);
        var kills = int.TryParse(Environment.GetEnvironmentVariable("BGPKIT_L2_FAILOVER_KILLS"), CultureInfo.InvariantCulture, out var k) ? k : 3;
        await Poll.UntilAsync(() => l2.Arping(l2.Vip4) is [var m] && m == ownerMac, "the owner to answer", Start).WithText(l2.Logs);
        await Poll.UntilAsync(() => l2.SpeakerL2(other)["live"]?.AsArray().Count == 2, "the other node to see both speakers alive", Start).WithText(l2.Logs);

        var capture = Path.Combine(Path.GetTempPath(), $"bgpkit-l2-{Guid.NewGuid():N}.pcap");
        using var tcpdump = Process.Start(new ProcessStartInfo("tcpdump", ["-i", l2.BridgeDevice, "--immediate-mode", "-U", "-n", "-w", capture, "arp or icmp6"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var failovers = new List<TimeSpan>();
        var returns = new List<TimeSpan>();
        try
        {
            await Task.Delay(1000); // tcpdump attached (a real program starting, not a protocol timer)
            for (var kill = 0; kill < kills; kill++)
            {
                Assert.Equal([ownerMac], l2.Arping(l2.Vip4)); // an answer from the owner in the capture before each kill
                Assert.True(l2.Reachable(l2.Vip4), "not reachable before the kill");
                Assert.Equal(ownerMac, l2.ClientNeighbour(l2.Vip4));
                var killed = Stopwatch.GetTimestamp();
                l2.Speaker(owner).Kill();
                await Poll.UntilAsync(() => l2.Arping(l2.Vip4, 1, 0.5) is [var m] && m == otherMac, "the other node to answer", FailoverBound + Settle).WithText(l2.Logs);
                var failover = Stopwatch.GetElapsedTime(killed);
                failovers.Add(failover);
                // The gratuitous ARP moved the client's existing entry; traffic now reaches the new owner.
                await Poll.UntilAsync(() => l2.ClientNeighbour(l2.Vip4) == otherMac, "the client's neighbour entry to move", Settle).WithText(l2.Logs);
                Assert.True(l2.Reachable(l2.Vip4), "not reachable after the failover");
                Note($"kill {kill + 1}: {Layer2Fixture.NodeName(other)} answers {failover.TotalMilliseconds:0} ms after SIGKILL");

                // The owner comes back: the hash gives it the address again, after the other stopped.
                var restarted = Stopwatch.GetTimestamp();
                l2.StartSpeaker(owner);
                await Poll.UntilAsync(() => l2.Arping(l2.Vip4, 1, 0.5) is [var m] && m == ownerMac, "the restarted owner to answer again", Start).WithText(l2.Logs);
                returns.Add(Stopwatch.GetElapsedTime(restarted));
            }

            // tcpdump writes a packet when it is next scheduled; on a loaded machine that came after the half second
            // this test used to allow, and the returning owner's last answer was missing from the capture. Wait until
            // the capture holds it (or the bound passes, and the judgement below says what is missing).
            var written = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(written) < Settle && (await Replies(capture, l2.Vip4)).LastOrDefault() != ownerMac)
            {
                await Task.Delay(200);
            }
        }
        finally
        {
            // Stopped with SIGINT, not SIGKILL: tcpdump then writes every packet the kernel has handed it. Killed, it
            // lost the last answer (the returning owner's) in CI on a loaded machine.
            await Task.Delay(500);
            using (var interrupt = Process.Start("kill", ["-INT", tcpdump.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }
            if (!tcpdump.WaitForExit(10_000))
            {
                tcpdump.Kill();
                tcpdump.WaitForExit(5000);
            }
        }
        var sorted = failovers.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        Note($"failover over {kills} SIGKILLs (lease {Layer2Fixture.LeaseDuration.TotalSeconds} s, renew {Layer2Fixture.RenewInterval.TotalSeconds} s): " +
            $"median {median.TotalMilliseconds:0} ms, worst {sorted[^1].TotalMilliseconds:0} ms, best {sorted[0].TotalMilliseconds:0} ms; " +
            $"return after restart (process start included): median {returns.Order().ElementAt(returns.Count / 2).TotalMilliseconds:0} ms");
        Assert.True(sorted[^1] < FailoverBound, $"worst failover {sorted[^1]} exceeds {FailoverBound}");

        // tshark, the judge: the answers to the client's requests change hands exactly twice per kill (never back and
        // forth, as they would if both nodes answered at once), and every takeover announced itself.
        var replies = await Replies(capture, l2.Vip4);
        var changes = replies.Zip(replies.Skip(1)).Count(p => p.First != p.Second);
        Assert.True(changes == 2 * kills, $"answers changed hands {changes} times over {kills} kills: {string.Join(" ", replies.Select(r => r == ownerMac ? "O" : r == otherMac ? "N" : "?"))}");
        Assert.All(replies, r => Assert.Contains(r, new[] { ownerMac, otherMac }));
        var gratuitous = await Tshark(capture, $"arp.isgratuitous == 1 && arp.src.proto_ipv4 == {l2.Vip4}", "arp.src.hw_mac");
        Assert.True(gratuitous.Count(g => g.Trim() == otherMac) >= kills, $"gratuitous ARP from the new owner: {string.Join(",", gratuitous)}");
        Assert.True(gratuitous.Count(g => g.Trim() == ownerMac) >= kills, $"gratuitous ARP from the returning owner: {string.Join(",", gratuitous)}");
        var unsolicited = await Tshark(capture, $"icmpv6.type == 136 && icmpv6.nd.na.flag.s == 0 && icmpv6.nd.na.target_address == {l2.Vip6}", "eth.src");
        Assert.True(unsolicited.Count(u => u.Trim() == otherMac) >= kills, $"unsolicited NA from the new owner: {string.Join(",", unsolicited)}");
        File.Delete(capture);
        Assert.Empty(l2.Denials);
    }

    [Fact]
    public async Task NodeSelectors_interfaces_and_externalTrafficPolicy_Local_decide_who_answers()
    {
        var l2 = _l2;
        l2.Reset();
        var owner = Owner;
        var other = 1 - owner;
        await Poll.UntilAsync(() => l2.Arping(l2.Vip4) is [var m] && m == l2.Nodes[owner].Mac, "the owner to answer", Start).WithText(l2.Logs);

        // nodeSelectors: only the other node's zone may announce.
        l2.PutAdvertisement($$$"""
            "nodeSelectors":[{"matchLabels":{"zone":"z{{{other + 1}}}"}}]
            """);
        await Poll.UntilAsync(() => l2.Arping(l2.Vip4) is [var m] && m == l2.Nodes[other].Mac, "the selected node to answer", Settle).WithText(l2.Logs);
        Assert.Equal(Enumerable.Repeat(l2.Nodes[other].Mac, 3), l2.Arping(l2.Vip4, 3, 4));
        Assert.Contains("nodeSelectors", WebReason(owner), StringComparison.Ordinal);

        // interfaces: an interface neither node has: the owner is elected but answers nowhere.
        l2.PutAdvertisement("""
            "interfaces":["nosuch0"]
            """);
        await Poll.UntilAsync(() => WebReason(owner).Contains("no allowed interface", StringComparison.Ordinal),
            "the owner to find no allowed interface", Settle).WithText(l2.Logs);
        Assert.Empty(l2.Arping(l2.Vip4, 3, 3));
        // The owner's own interface: it answers again.
        l2.PutAdvertisement($$$"""
            "interfaces":["{{{l2.Nodes[owner].Device}}}"]
            """);
        await Poll.UntilAsync(() => l2.Arping(l2.Vip4) is [var m] && m == l2.Nodes[owner].Mac, "the owner to answer on its allowed interface", Settle).WithText(l2.Logs);

        // externalTrafficPolicy Local: the node with the endpoint answers, and the address moves with the endpoint.
        l2.PutAdvertisement("");
        var local = 1 - Layer2Fixture.Preferred(l2.LocalVip);
        await Poll.UntilAsync(() => l2.Arping(l2.LocalVip) is [var m] && m == l2.Nodes[local].Mac, "the endpoint's node to answer for the Local Service", Settle).WithText(l2.Logs);
        l2.PutEndpoints("local", [1 - local]);
        await Poll.UntilAsync(() => l2.Arping(l2.LocalVip) is [var m] && m == l2.Nodes[1 - local].Mac, "the address to follow the endpoint", Settle).WithText(l2.Logs);
        Assert.Empty(l2.Denials);
    }

    [Fact]
    public async Task Malformed_ARP_and_ND_frames_are_counted_and_ignored()
    {
        var l2 = _l2;
        l2.Reset();
        var owner = Owner;
        await Poll.UntilAsync(() => l2.Arping(l2.Vip4) is [var m] && m == l2.Nodes[owner].Mac, "the owner to answer", Start).WithText(l2.Logs);
        var before = l2.SpeakerMetrics(owner);
        // Raw frames from the client: a truncated ARP, an ARP with a hardware length of 8, an ARP reply claiming the
        // address for another MAC, a Neighbor Solicitation with a bad checksum, one with hop limit 64, one with a
        // zero-length option, and an ARP request from the owner's own MAC (its own frame looped back).
        var script = """
            import socket, struct, sys
            dev, vip4, vip6, own = sys.argv[1], sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4].replace(':', ''))
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((dev, 0)); mac = s.getsockname()[4]
            bc = b'\xff' * 6; ip4 = socket.inet_aton(vip4); me = bytes(4)
            arp = lambda hlen, op: struct.pack('!HHBBH', 1, 0x0800, hlen, 4, op) + mac + me + bytes(6) + ip4
            src = bytes.fromhex('fe80000000000000000000fffe000001'); dst = bytes.fromhex('ff0200000000000000000001ff000100')
            tgt = socket.inet_pton(socket.AF_INET6, vip6)
            def ns(hop, opt, good):
                icmp = struct.pack('!BBHI', 135, 0, 0, 0) + tgt + opt
                total = sum(struct.unpack('!%dH' % (len(src + dst) // 2), src + dst)) + len(icmp) + 58
                total += sum(struct.unpack('!%dH' % (len(icmp) // 2), icmp))
                while total >> 16: total = (total & 0xffff) + (total >> 16)
                c = (~total & 0xffff) if good else 0x1234
                icmp = icmp[:2] + struct.pack('!H', c) + icmp[4:]
                return b'\x33\x33\xff\x00\x01\x00' + mac + b'\x86\xdd' + struct.pack('!IHBB', 0x60000000, len(icmp), 58, hop) + src + dst + icmp
            frames = [bc + mac + b'\x08\x06' + arp(6, 1)[:12], bc + mac + b'\x08\x06' + arp(8, 1), bc + mac + b'\x08\x06' + arp(6, 2),
                      ns(255, b'\x01\x01' + mac, False), ns(64, b'\x01\x01' + mac, True), ns(255, b'\x01\x00' + mac, True),
                      bc + own + b'\x08\x06' + arp(6, 1)]
            for f in frames: s.send(f)
            print(len(frames))
            """;
        var (code, output) = Sh.Try("ip", "netns", "exec", l2.ClientNamespace, "python3", "-c", script, l2.ClientDevice, l2.Vip4.ToString(), l2.Vip6.ToString(), l2.Nodes[owner].Mac);
        Assert.True(code == 0, output);
        await Poll.UntilAsync(() =>
        {
            var after = l2.SpeakerMetrics(owner);
            return new[] { "truncated", "bad_length", "not_request", "bad_checksum", "bad_option", "own" }.All(r =>
                Layer2Fixture.Counter(after, $"bgpkit_layer2_frames_ignored_total{{reason=\"{r}\"}}") > Layer2Fixture.Counter(before, $"bgpkit_layer2_frames_ignored_total{{reason=\"{r}\"}}"));
        }, "the malformed frames to be counted", Settle).WithText(l2.Logs);
        // None of them was answered: the responses counted are the ones to the probes before and after.
        var metrics = l2.SpeakerMetrics(owner);
        Assert.Equal(Layer2Fixture.Counter(before, $"metallb_layer2_responses_sent{{ip=\"{l2.Vip4}\"}}"), Layer2Fixture.Counter(metrics, $"metallb_layer2_responses_sent{{ip=\"{l2.Vip4}\"}}"));
        Assert.False(l2.Speaker(owner).HasExited);
        Assert.Equal([l2.Nodes[owner].Mac], l2.Arping(l2.Vip4));
        Assert.Equal(l2.Nodes[owner].Mac, l2.Ndisc(l2.Vip6));
    }

    /// <summary>Why node <paramref name="i"/> does or does not answer for web's first address (show l2).</summary>
    private string WebReason(int i) =>
        _l2.SpeakerL2(i)["addresses"]!.AsArray().First(a => a!["service"]!.GetValue<string>() == "default/web")!["reason"]!.GetValue<string>();

    /// <summary>The MACs answering the client's ARP requests for <paramref name="vip"/>, in capture order.</summary>
    private static async Task<string[]> Replies(string capture, System.Net.IPAddress vip)
    {
        // Not cached: the capture may still be growing. tshark reads a capture cut mid-packet up to the cut.
        var lines = await ExternalTool.RunUncachedAsync("tshark", "-r", capture, "-Y",
            $"arp.opcode == 2 && arp.src.proto_ipv4 == {vip} && arp.dst.proto_ipv4 != {vip}", "-T", "fields", "-e", "arp.src.hw_mac");
        return lines.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    private static async Task<string[]> Tshark(string capture, string filter, string field) =>
        (await ExternalTool.RunAsync("tshark", "-r", capture, "-Y", filter, "-T", "fields", "-e", field))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private void Note(string line)
    {
        _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        Console.WriteLine($"[layer2] {line}");
    }
}
