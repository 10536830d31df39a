using System.Text.Json;
using BgpKit.TestSupport;
using Xunit.Abstractions;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary>
/// Every capture in the corpus: <c>bgpkit decode</c> agrees with <c>tshark -T ek</c> on message types and
/// counts, prefixes (announced and withdrawn, classic and MP), AS paths, communities, next hops and
/// NOTIFICATION codes. Files where the two legitimately differ are listed with the reason.
/// </summary>
public class CaptureAgreementTests(ITestOutputHelper output)
{
    /// <summary>BGP on another port (corpus README).</summary>
    private static readonly Dictionary<string, int> ExtraPorts = new()
    {
        ["bgprs_BGP_flowspec_v4.cap"] = 1179,
        ["bgprs_BGP_notification_msg.cap"] = 1179,
        ["bgprs_bgp_withdraw.cap"] = 1179,
    };

    /// <summary>Where tshark and we differ on purpose, file by file. These are still decoded: no exception may escape.</summary>
    internal static readonly Dictionary<string, string> Exceptions = new()
    {
        ["tcpdump_bgp-aigp-oobr.pcap"] = "fuzzed: a 65535-octet frame whose TCP stream holds damaged lengths; tshark decodes 9 messages of the first frame and stops, we resynchronise on markers and find 449",
        ["tcpdump_bgp-ub.pcap"] = "fuzzed: tshark shows a type-0 message and malformed UPDATEs inside one frame; we cut the stream on markers and report the damaged UPDATEs as typed errors",
        ["tcpdump_bgp_vpn_rt-oobr.pcap"] = "fuzzed: one frame claims 262144 octets; tshark decodes the snapped frame as one UPDATE plus an unknown type, we find the three whole messages in the stream",
        ["tcpdump_bgp_mvpn_6_and_7_oobr.pcap"] = "fuzzed: tshark reports a second message of type 20 in the snapped frame; we see its header as not a message",
        ["tcpdump_bgp-bgp_capabilities_print-oobr-1.pcap"] = "fuzzed: the only frame is an IPv4 first fragment (More Fragments set, total length 4135) cut by the snap length to 232 octets; its other fragments were never captured, so we (as an IP stack) deliver nothing, while tshark shows the partial OPEN of the unreassembled fragment",
        ["tcpdump_bgp-bgp_capabilities_print-oobr-2.pcap"] = "fuzzed: as -oobr-1",
        ["tcpdump_bgp_pmsi_tunnel-oobr.pcap"] = "fuzzed: as -oobr-1, an IPv4 first fragment (total length 296) cut to 104 octets; tshark shows the partial UPDATE, we deliver nothing",
        ["tcpdump_bgp-addpath.pcap"] = "synthetic UPDATE (no OPEN captured) with two MP_REACH_NLRI and two MP_UNREACH_NLRI; RFC 7606 3(g) makes a repeated MP attribute a session reset, which we report as a typed error, while tshark prints every attribute",
        ["tcpdump_bgp_vpn_attrset.pcap"] = "ATTR_SET (RFC 6368) nests a whole attribute set; tshark decodes its inner AS_PATH as AS numbers of the message, the codec carries ATTR_SET as an unknown optional transitive attribute (hex)",
    };

    private static readonly Lazy<string[]> AllCaptures = new(CaptureNames);
    private static int _prefetched;

    /// <summary>
    /// tshark takes most of a second per file: start every file's run at the first test (two at a time)
    /// so that the theory's cases, which xunit runs one after another, find their answers ready.
    /// </summary>
    private static Task<string> Tshark(string name)
    {
        if (Interlocked.Exchange(ref _prefetched, 1) == 0)
        {
            foreach (var other in AllCaptures.Value)
            {
                if (!Exceptions.ContainsKey(other))
                {
                    _ = TsharkUncached(other);
                }
            }
        }
        return TsharkUncached(name);
    }

    private static Task<string> TsharkUncached(string name)
    {
        var args = new List<string> { "-n", "-r", SharedData.CorpusFile(name), "-Y", "bgp", "-T", "ek" };
        if (ExtraPorts.TryGetValue(name, out var port))
        {
            args.AddRange(["-d", $"tcp.port=={port},bgp"]);
        }
        return ExternalTool.RunAsync("tshark", [.. args]);
    }

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var name in CaptureNames())
        {
            data.Add(name);
        }
        return data;
    }

    private static string[] CaptureNames()
    {
        var data = new List<string>();
        foreach (var path in Directory.EnumerateFiles(SharedData.Corpus).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".pcap", StringComparison.Ordinal) || name.EndsWith(".pcapng", StringComparison.Ordinal)
                || name.EndsWith(".cap", StringComparison.Ordinal) || name.EndsWith(".pcap.gz", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }
        return [.. data];
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public async Task Decode_agrees_with_tshark(string name)
    {
        var path = SharedData.CorpusFile(name);
        var port = ExtraPorts.GetValueOrDefault(name);
        var ours = OurDecode.Run(path, port == 0 ? [] : [port]);
        Assert.Equal(0, ours.ExitCode);
        if (Exceptions.TryGetValue(name, out var reason))
        {
            output.WriteLine("documented difference: " + reason);
            return;
        }
        var ek = await Tshark(name);
        var theirs = TsharkView.FromEk(ek);
        var mine = TsharkView.FromOurs(ours.Lines);
        var differences = theirs.Differences(mine);
        Assert.True(differences.Count == 0, $"{name}:\n" + string.Join("\n", differences));
    }
}
