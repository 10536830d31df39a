using BgpKit.Fuzz;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Wire.Tests.Fuzz;

/// <summary>
/// Replays every input saved under fuzz/regressions/HARNESS/ through its harness (only the typed error may
/// escape, round trips must be stable, allocation stays within the harness's bound), every input of the
/// coverage corpus AFL++ left under fuzz/corpus/HARNESS/, and each harness once over its seeds.
/// </summary>
public class RegressionReplayTests
{
    public static TheoryData<string> Harnesses()
    {
        var data = new TheoryData<string>();
        foreach (var harness in Harness.All)
        {
            data.Add(harness.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Harnesses))]
    public void Saved_regressions_no_longer_fail(string name)
    {
        var harness = Harness.All.Single(h => h.Name == name);
        harness.Warm();
        var folder = Path.Combine(SharedData.RepoRoot, "fuzz", "regressions", name);
        Assert.True(Directory.Exists(folder), $"{folder} is missing");
        foreach (var file in Directory.EnumerateFiles(folder, "*.bin"))
        {
            var problem = BgpKit.Fuzz.Program.RunOne(harness, File.ReadAllBytes(file));
            Assert.True(problem is null, $"{name}/{Path.GetFileName(file)}: {problem}");
        }
    }

    [Theory]
    [MemberData(nameof(Harnesses))]
    public void Corpus_seeds_hold_the_properties(string name)
    {
        var harness = Harness.All.Single(h => h.Name == name);
        harness.Warm();
        var seeds = harness.LoadSeeds(SharedData.Corpus);
        Assert.NotEmpty(seeds);
        foreach (var seed in seeds)
        {
            var problem = BgpKit.Fuzz.Program.RunOne(harness, seed);
            Assert.True(problem is null, $"{name}: {problem}");
        }
    }

    [Theory]
    [MemberData(nameof(Harnesses))]
    public void Coverage_corpus_holds_the_properties(string name)
    {
        var harness = Harness.All.Single(h => h.Name == name);
        harness.Warm();
        var folder = Path.Combine(SharedData.RepoRoot, "fuzz", "corpus", name);
        var files = Directory.EnumerateFiles(folder, "*.bin").ToList();
        // The hand-built seeds at least: an empty folder would make CI's replay vacuous.
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var problem = BgpKit.Fuzz.Program.RunOne(harness, File.ReadAllBytes(file));
            Assert.True(problem is null, $"{name}/{Path.GetFileName(file)}: {problem}");
        }
    }

    [Fact]
    public void An_input_that_makes_a_harness_allocate_past_its_bound_fails_the_check()
    {
        var harness = new Hoarder();
        Assert.Null(BgpKit.Fuzz.Program.RunOne(harness, new byte[16]));
        var problem = BgpKit.Fuzz.Program.RunOne(harness, [0xFF, 0xFF, 0xFF]);
        Assert.NotNull(problem);
        Assert.Contains("allocated", problem, StringComparison.Ordinal);
    }

    /// <summary>Reserves what its first two octets say, as a decoder trusting a length field would.</summary>
    private sealed class Hoarder : Harness
    {
        public override string Name => "hoarder";

        public override IReadOnlyList<byte[]> SyntheticSeeds() => [];

        public override long AllocationBound(int inputLength) => 4096 + 16L * inputLength;

        public override void Execute(byte[] input)
        {
            var length = input.Length >= 2 ? (input[0] << 8 | input[1]) * 64 : 0;
            GC.KeepAlive(new byte[length]);
        }
    }
}
