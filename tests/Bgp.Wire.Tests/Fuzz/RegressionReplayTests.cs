using BgpKit.Fuzz;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Wire.Tests.Fuzz;

/// <summary>
/// Replays every input saved under fuzz/regressions/HARNESS/ through its harness (only the typed error may
/// escape, round trips must be stable), and runs each harness once over its corpus seeds.
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
        var seeds = harness.LoadSeeds(SharedData.Corpus);
        Assert.NotEmpty(seeds);
        foreach (var seed in seeds)
        {
            var problem = BgpKit.Fuzz.Program.RunOne(harness, seed);
            Assert.True(problem is null, $"{name}: {problem}");
        }
    }
}
