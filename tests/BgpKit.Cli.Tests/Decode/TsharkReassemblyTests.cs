using System.Diagnostics;
using System.Text.Json;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary>
/// Captures with the TCP cases that cost messages on captures from elsewhere (issue 16): data on a SYN,
/// a retransmitted SYN, sequence numbers that wrap at 2^32, retransmissions whose bytes differ, out-of-order
/// and overlapping segments, and an OPEN whose My AS is AS_TRANS. Each is built by scapy
/// (<c>Captures/make_captures.py</c>) into a temporary folder and decoded by us and by tshark; both must
/// give the same messages and we must skip nothing.
/// </summary>
/// <remarks>
/// tshark runs with <c>tcp.reassemble_out_of_order:TRUE</c>: with its default (FALSE) it drops messages of
/// out-of-order and overlapping segments, which we do not. Everything else is tshark's default: overlapping
/// octets that differ are taken from the segment seen first.
/// </remarks>
public sealed class TsharkReassemblyTests : IClassFixture<TsharkReassemblyTests.GeneratedCaptures>
{
    private readonly GeneratedCaptures _captures;

    public TsharkReassemblyTests(GeneratedCaptures captures) => _captures = captures;

    /// <summary>The script's captures, written once per test run into a temporary folder removed afterwards.</summary>
    public sealed class GeneratedCaptures : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("bgpkit-decode-").FullName;

        public GeneratedCaptures()
        {
            var script = Path.Combine(SharedData.RepoRoot, "tests", "BgpKit.Cli.Tests", "Decode", "Captures", "make_captures.py");
            // Debian's interpreter, where python3-scapy (.ci/deps.sh) installs scapy.
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(Folder);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{script} failed (is python3-scapy installed? .ci/deps.sh installs it):\n{error}");
            }
        }

        public string File(string name) => Path.Combine(Folder, name);

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    public static TheoryData<string> Cases() =>
    [
        "as_trans_open.pcap",
        "syn_data.pcap",
        "syn_data_retransmitted.pcap",
        "sequence_wrap.pcap",
        "sequence_wrap_at_syn.pcap",
        "sequence_wrap_out_of_order.pcap",
        "retransmission_different_bytes.pcap",
        "retransmission_different_bytes_longer.pcap",
        "retransmission_different_bytes_held.pcap",
        "out_of_order.pcap",
        "overlapping.pcap",
    ];

    private static Task<string> Tshark(string path) =>
        ExternalTool.RunAsync("tshark", "-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", path, "-Y", "bgp", "-T", "ek");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Decode_gives_the_messages_tshark_gives_and_skips_nothing(string name)
    {
        var path = _captures.File(name);
        var ours = OurDecode.Run(path);
        Assert.Equal(0, ours.ExitCode);
        Assert.Contains("; skipped 0", ours.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("octets of BGP streams skipped", ours.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(ours.Lines, line => line.Str("kind") != "bgp");

        var theirs = TsharkView.FromEk(await Tshark(path));
        var differences = theirs.Differences(TsharkView.FromOurs(ours.Lines));
        Assert.True(differences.Count == 0, $"{name}:\n" + string.Join("\n", differences));
        // The same messages in the same order, by type and announced prefix (the view above compares multisets).
        Assert.Equal(Sequence(TsharkMessages(await Tshark(path))), Sequence(ours.Lines.Select(l => (l.Str("type")!, OurPrefix(l)))));
    }

    [Fact]
    public async Task An_open_shows_the_wire_my_as_and_the_four_octet_as_each_under_its_own_name()
    {
        var path = _captures.File("as_trans_open.pcap");
        var opens = OurDecode.Run(path).Lines.Where(l => l.Str("type") == "OPEN").ToList();
        Assert.Equal([4200000001u, 65002u], opens.Select(o => o.GetProperty("myAsn").GetUInt32()));
        Assert.Equal([23456u, 65002u], opens.Select(o => o.GetProperty("myAsnWire").GetUInt32()));

        var tsharkMyAs = new List<uint>();
        foreach (var line in (await Tshark(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("layers", out var layers) && layers.TryGetProperty("bgp", out var bgp)
                && bgp.TryGetProperty("bgp_bgp_open_myas", out var myAs))
            {
                tsharkMyAs.Add(uint.Parse(myAs.GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        Assert.Equal(opens.Select(o => o.GetProperty("myAsnWire").GetUInt32()), tsharkMyAs);
    }

    private static string Sequence(IEnumerable<(string Type, string? Prefix)> messages) =>
        string.Join(" ", messages.Select(m => m.Prefix is null ? m.Type : $"{m.Type}({m.Prefix})"));

    private static string? OurPrefix(JsonElement line) =>
        line.Arr("nlri").Select(OurDecode.PrefixOf).Select(p => p[..p.IndexOf('/', StringComparison.Ordinal)]).FirstOrDefault();

    private static readonly string[] TypeNames = ["?", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"];

    /// <summary>tshark's messages in frame order; a frame may carry several (ek then gives arrays per field).</summary>
    private static IEnumerable<(string Type, string? Prefix)> TsharkMessages(string ek)
    {
        foreach (var line in ek.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            if (!document.RootElement.TryGetProperty("layers", out var layers) || !layers.TryGetProperty("bgp", out var bgp))
            {
                continue;
            }
            foreach (var message in bgp.ValueKind == JsonValueKind.Array ? bgp.EnumerateArray().ToList() : [bgp])
            {
                var types = Strings(message, "bgp_bgp_type");
                var prefixes = new Queue<string>(Strings(message, "bgp_bgp_nlri_prefix"));
                foreach (var type in types)
                {
                    var t = int.Parse(type, System.Globalization.CultureInfo.InvariantCulture);
                    // Each UPDATE of these captures announces exactly one prefix.
                    yield return (TypeNames[t], t == 2 && prefixes.Count > 0 ? prefixes.Dequeue() : null);
                }
            }
        }
    }

    private static List<string> Strings(JsonElement message, string key) =>
        !message.TryGetProperty(key, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!).ToList()
        : [value.GetString()!];
}
