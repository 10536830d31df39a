using System.Diagnostics;
using System.Globalization;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Packets;

/// <summary>
/// Every BFD capture in the shared corpus: tshark extracts each UDP payload and dissects it; our decoder
/// must agree on every field, authentication sections included. The payload bytes come from tshark so
/// this test does not depend on our own capture reader.
/// </summary>
public sealed class CorpusTsharkTests
{
    private static readonly string[] Fields =
    {
        "frame.number", "udp.payload", "bfd.version", "bfd.diag", "bfd.sta", "bfd.flags.p", "bfd.flags.f", "bfd.flags.c",
        "bfd.flags.a", "bfd.flags.d", "bfd.flags.m", "bfd.detect_time_multiplier", "bfd.message_length", "bfd.my_discriminator",
        "bfd.your_discriminator", "bfd.desired_min_tx_interval", "bfd.required_min_rx_interval", "bfd.required_min_echo_interval",
        "bfd.auth.type", "bfd.auth.len", "bfd.auth.key", "bfd.auth.password", "bfd.auth.seq_num", "bfd.checksum",
    };

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(SharedData.Corpus).Select(Path.GetFileName).Order())
        {
            if (path!.StartsWith("fcontat_scapy_bfd") || path.StartsWith("lantamer_bfd") || path == "ndpi_bfd.pcap"
                || path == "nwl_bfd-control-message.pcapng" || path.StartsWith("tcpdump_bfd") || path == "tcpdump_hoobr_bfd_print.pcap")
            {
                data.Add(path);
            }
        }
        return data;
    }

    [Fact]
    public void The_corpus_has_the_expected_captures() => Assert.True(Captures().Count >= 15, $"found {Captures().Count} BFD captures");

    [Theory]
    [MemberData(nameof(Captures))]
    public void Every_payload_matches_tshark(string capture)
    {
        var rows = Tshark(SharedData.CorpusFile(capture));
        var compared = 0;
        foreach (var row in rows)
        {
            var f = Fields.Select((name, i) => (name, value: i < row.Length ? row[i] : "")).ToDictionary(x => x.name, x => x.value);
            if (f["udp.payload"].Length == 0)
            {
                continue;
            }
            var payload = Convert.FromHexString(f["udp.payload"].Replace(":", ""));
            var error = BfdControlPacket.TryDecode(payload, out var p);
            if (f["bfd.version"].Length == 0)
            {
                // Not dissected as BFD Control (e.g. the truncated echo-port datagram in hoobr): must not throw, nothing to compare.
                continue;
            }
            var where = $"{capture} frame {f["frame.number"]}";
            Assert.True(error == BfdDecodeError.None, $"{where}: {error}");
            Assert.Equal(Int(f["bfd.version"]), p.Version);
            Assert.Equal(Int(f["bfd.diag"]), (int)p.Diagnostic);
            Assert.Equal(Int(f["bfd.sta"]), (int)p.State);
            Assert.Equal(Flag(f["bfd.flags.p"]), p.Poll);
            Assert.Equal(Flag(f["bfd.flags.f"]), p.Final);
            Assert.Equal(Flag(f["bfd.flags.c"]), p.ControlPlaneIndependent);
            Assert.Equal(Flag(f["bfd.flags.a"]), p.AuthenticationPresent);
            Assert.Equal(Flag(f["bfd.flags.d"]), p.Demand);
            Assert.Equal(Flag(f["bfd.flags.m"]), p.Multipoint);
            Assert.Equal(Int(f["bfd.detect_time_multiplier"]), p.DetectMultiplier);
            Assert.Equal(Int(f["bfd.message_length"]), p.Length);
            Assert.Equal(UInt(f["bfd.my_discriminator"]), p.MyDiscriminator);
            Assert.Equal(UInt(f["bfd.your_discriminator"]), p.YourDiscriminator);
            Assert.Equal(UInt(f["bfd.desired_min_tx_interval"]), p.DesiredMinTxInterval);
            Assert.Equal(UInt(f["bfd.required_min_rx_interval"]), p.RequiredMinRxInterval);
            Assert.Equal(UInt(f["bfd.required_min_echo_interval"]), p.RequiredMinEchoRxInterval);
            if (p.Authentication is { } auth)
            {
                Assert.Equal(Int(f["bfd.auth.type"]), (int)auth.Type);
                Assert.Equal(Int(f["bfd.auth.len"]), auth.Length);
                Assert.Equal(Int(f["bfd.auth.key"]), auth.KeyId);
                if (auth.Type == BfdAuthenticationType.SimplePassword)
                {
                    Assert.Equal(f["bfd.auth.password"], System.Text.Encoding.ASCII.GetString(auth.Value.Span));
                }
                else
                {
                    Assert.Equal(UInt(f["bfd.auth.seq_num"]), auth.SequenceNumber);
                    Assert.Equal(f["bfd.checksum"].Replace(":", ""), Convert.ToHexString(auth.Value.Span), ignoreCase: true);
                }
            }
            else
            {
                Assert.Equal("", f["bfd.auth.type"]);
            }
            // Our encoder gives back the same bytes.
            var again = new byte[BfdControlPacket.MaximumLength];
            Assert.True(p.TryEncode(again, out var written));
            Assert.Equal(Convert.ToHexString(payload, 0, p.Length), Convert.ToHexString(again, 0, written));
            compared++;
        }
        if (capture != "tcpdump_hoobr_bfd_print.pcap")
        {
            Assert.True(compared > 0, $"{capture}: no BFD Control packet compared");
        }
    }

    private static int Int(string s) => (int)UInt(s);

    private static uint UInt(string s) =>
        s.StartsWith("0x") ? uint.Parse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : uint.Parse(s, CultureInfo.InvariantCulture);

    private static bool Flag(string s) => s is "1" or "True" or "true";

    private static List<string[]> Tshark(string file)
    {
        var info = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-r", file, "-Y", "bfd || udp.port == 3785", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f" })
        {
            info.ArgumentList.Add(a);
        }
        foreach (var field in Fields)
        {
            info.ArgumentList.Add("-e");
            info.ArgumentList.Add(field);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string[]>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line.Split('\t'));
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "tshark failed: " + stderr.Result);
        return lines;
    }
}
