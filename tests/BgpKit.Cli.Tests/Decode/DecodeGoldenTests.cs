using System.Security.Cryptography;
using System.Text;
using BgpKit.Cli.Decode;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary>
/// <c>bgpkit decode</c> prints exactly what it printed before the read-ahead pipeline and the
/// allocation-free writers: for every corpus file (and four damaged dumps cut from corpus files), the
/// SHA-256 of stdout, of stderr (file paths made relative) and the exit code are those in
/// DecodeGolden.tsv, recorded with the commit before that work (b7d80f0).
/// </summary>
/// <remarks>
/// A change that means to alter the output regenerates the file: for each corpus file, from the corpus
/// directory, <c>bgpkit decode NAME</c>, then <c>NAME TAB exit TAB sha256(stdout) TAB sha256(stderr)</c>.
/// </remarks>
public class DecodeGoldenTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadLines(GoldenPath))
        {
            data.Add(line.Split('\t')[0]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Output_is_byte_identical_to_the_recorded_one(string name)
    {
        var expected = File.ReadLines(GoldenPath).Select(l => l.Split('\t')).Single(f => f[0] == name);
        var (directory, path) = name.StartsWith("damaged/", StringComparison.Ordinal)
            ? (DamagedDirectory.Value, Path.Combine(DamagedDirectory.Value, name["damaged/".Length..]))
            : (SharedData.Corpus, SharedData.CorpusFile(name));
        var output = new MemoryStream();
        var error = new StringWriter();
        var exit = DecodeRunner.Run(path, [], output, error);
        var stderr = error.ToString().Replace(directory + "/", "", StringComparison.Ordinal);
        Assert.Equal(expected[1], exit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected[2], Sha256(output.ToArray()));
        Assert.Equal(expected[3], Sha256(Encoding.UTF8.GetBytes(stderr)));
    }

    private static string GoldenPath => Path.Combine(SharedData.RepoRoot, "tests/BgpKit.Cli.Tests/Decode/DecodeGolden.tsv");

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Dumps damaged the way downloads and disks damage them: cut short, and 40-50 octets flipped in the
    /// middle of the compressed stream (the same octets each run).
    /// </summary>
    private static readonly Lazy<string> DamagedDirectory = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("bgpkit-damaged-").FullName;
        var bview = File.ReadAllBytes(SharedData.CorpusFile("bgpdump_bview.20020722.2337.gz"));
        File.WriteAllBytes(Path.Combine(directory, "bview-truncated.gz"), bview[..600_000]);
        File.WriteAllBytes(Path.Combine(directory, "bview-corrupted.gz"), Flip(bview, 600_000, 50));
        var jinx = File.ReadAllBytes(SharedData.CorpusFile("libbgpstream_routeviews.jinx.updates.1427846400.bz2"));
        File.WriteAllBytes(Path.Combine(directory, "jinx-truncated.bz2"), jinx[..20_000]);
        File.WriteAllBytes(Path.Combine(directory, "jinx-corrupted.bz2"), Flip(jinx, 20_000, 40));
        return directory;
    });

    private static byte[] Flip(byte[] bytes, int from, int count)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = from; i < from + count; i++)
        {
            copy[i] ^= 0x55;
        }
        return copy;
    }
}
