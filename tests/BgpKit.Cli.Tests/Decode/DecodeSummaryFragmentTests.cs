using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary>The stderr summary says when IP fragments were reassembled or dropped, so a capture that yields nothing says why.</summary>
public sealed class DecodeSummaryFragmentTests
{
    [Fact]
    public void A_capture_whose_only_IP_fragment_never_completes_reports_the_dropped_fragment()
    {
        // A fuzzed capture: one snapped first fragment whose other fragments were never captured.
        var result = OurDecode.Run(SharedData.CorpusFile("tcpdump_bgp_pmsi_tunnel-oobr.pcap"));

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Lines);
        Assert.Contains("0 IP datagrams reassembled from fragments, 1 fragments dropped", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capture_without_fragments_says_nothing_about_them()
    {
        var result = OurDecode.Run(SharedData.CorpusFile("bgprs_bgp-add-path.cap"));

        Assert.DoesNotContain("fragment", result.Stderr, StringComparison.Ordinal);
    }
}
