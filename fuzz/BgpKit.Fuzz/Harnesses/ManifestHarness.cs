using System.Text;
using BgpKit.MetalLb.Model;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// The manifest reader (multi-document YAML or JSON, <c>List</c> kinds) that reads a manifest directory
/// and every object from the API server: nothing throws; every problem names the file and a line.
/// </summary>
internal sealed class ManifestHarness : Harness
{
    private const string File = "fuzz.yaml";

    public override string Name => "manifest";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => Harnesses.SyntheticSeeds.Manifests().ToList();

    // YamlDotNet's representation model keeps a node object per scalar and the reader a string per field.
    public override long AllocationBound(int inputLength) => (4L << 20) + 4096L * inputLength;

    public override void Execute(byte[] input)
    {
        var set = ManifestSet.Parse(Encoding.UTF8.GetString(input), File);
        foreach (var problem in set.Problems)
        {
            if (problem.File != File || problem.Line < 0 || string.IsNullOrEmpty(problem.Message))
            {
                throw new FuzzPropertyException($"a problem does not name the file and line: {problem.File}:{problem.Line} {problem.Message}");
            }
        }
    }
}
