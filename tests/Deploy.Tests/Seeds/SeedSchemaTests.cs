using BgpKit.MetalLb.Model.Tests.Seeds;
using BgpKit.TestSupport;

namespace BgpKit.Deploy.Tests.Seeds;

/// <summary>
/// The YAML examples of /work/shared/seeds (read in place) and the repository's samples meet the CRDs as
/// `kubectl apply` would: upstream's verdict, example by example. Most are accepted; the few that upstream
/// refuses at the schema are refused here with a message naming the field.
/// </summary>
public class SeedSchemaTests
{
    private const string Advanced = "002_ac234636b56c5e2b.txt", OpenShift = "003_0209080f5d8c5722.txt";

    /// <summary>
    /// The examples upstream's API server refuses (before MetalLB's webhook runs), with a fragment of each
    /// refusal. Mistakes only MetalLB's webhook sees (an undefined community alias, an address range with a
    /// callout number glued to it) are accepted by the schema and are MetalLb.Model's to report.
    /// </summary>
    private static readonly Dictionary<string, string[]> Refused = new()
    {
        // Pasted without "---" between documents.
        [$"{Advanced}:13"] = ["not valid YAML"],
        // Upstream's own documentation writes "localpref".
        [$"{Advanced}:190"] = ["spec.localpref: unknown field \"localpref\"; did you mean \"localPref\"?"],
        // PDF callout numbers left inside the YAML.
        [$"{OpenShift}:49"] = ["metadata.labels: 1 is a number, must be object"],
        [$"{OpenShift}:115"] = ["unknown field \"zone\""],
        [$"{OpenShift}:178"] = ["unknown field \"name\""],
        [$"{OpenShift}:233"] = ["not valid YAML"],
        [$"{OpenShift}:265"] = ["not valid YAML"],
        [$"{OpenShift}:517"] = ["spec.nodeSelector: unknown field \"nodeSelector\"; did you mean \"nodeSelectors\"?"],
        [$"{OpenShift}:785"] = ["not valid YAML"],
        [$"{OpenShift}:1694"] = ["not valid YAML"],
        [$"{OpenShift}:1902"] = ["not valid YAML"],
        [$"{OpenShift}:2023"] = ["not valid YAML"],
        [$"{OpenShift}:2057"] = ["not valid YAML"],
        // FRRConfiguration fields at the wrong level.
        [$"{OpenShift}:2123"] = ["spec.bgp.neighbors: unknown field \"neighbors\""],
        [$"{OpenShift}:2176"] = ["spec.bgp.neighbors: unknown field \"neighbors\""],
        [$"{OpenShift}:2204"] = ["unknown field \"routers\""],
        [$"{OpenShift}:2239"] = ["toAdvertise.prefixes: unknown field \"prefixes\"", "\"all 1\" is not one of"],
        [$"{OpenShift}:2274"] = ["toReceive.allowed.ge: unknown field \"ge\"", "toReceive.allowed.le: unknown field \"le\""],
        [$"{OpenShift}:2332"] = ["spec.bgp.neighbors: unknown field", "spec.bfdProfiles: unknown field"],
        [$"{OpenShift}:2366"] = ["spec.nodeSelector.labelSelector: unknown field"],
        // The operator's MetalLB resource is served by the operator's CRD, not BgpKit's.
        [$"{OpenShift}:2145"] = ["no kind \"MetalLB\" is served"],
        [$"{OpenShift}:2496"] = ["no kind \"MetalLB\" is served"],
    };

    public static TheoryData<string> ExampleIds => new(SeedExamples.All().Select(e => e.Id));

    [Fact]
    public void Every_listed_refusal_is_an_example()
    {
        var ids = SeedExamples.All().Select(e => e.Id).ToHashSet();
        Assert.All(Refused.Keys, id => Assert.Contains(id, ids));
    }

    [Theory]
    [MemberData(nameof(ExampleIds))]
    public void Seed_example_gets_upstreams_verdict(string id)
    {
        var problems = SchemaJudge.Problems(SeedExamples.All().Single(e => e.Id == id).Yaml);
        if (Refused.TryGetValue(id, out var expected))
        {
            Assert.NotEmpty(problems);
            foreach (var fragment in expected)
            {
                Assert.True(problems.Any(p => p.Contains(fragment, StringComparison.Ordinal)), $"{id}: no refusal contains '{fragment}':\n{string.Join("\n", problems)}");
            }
        }
        else
        {
            Assert.True(problems.Count == 0, $"{id} is refused:\n{string.Join("\n", problems)}");
        }
    }

    public static TheoryData<string> SampleFiles => new(
        new[] { "samples/quickstart/manifests", "tests/MetalLb.Model.Tests/Examples" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(SharedData.RepoRoot, d), "*.yaml", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(SharedData.RepoRoot, f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_manifests_are_accepted(string file)
    {
        var problems = SchemaJudge.Problems(File.ReadAllText(Path.Combine(SharedData.RepoRoot, file)));
        Assert.True(problems.Count == 0, $"{file}:\n{string.Join("\n", problems)}");
    }
}
