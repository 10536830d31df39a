using System.Text;
using System.Text.RegularExpressions;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Model.Tests.Seeds;

/// <summary>One YAML example found in a seed document.</summary>
public sealed record SeedExample(string Seed, int Line, string Yaml)
{
    public string Id => $"{Seed}:{Line}";

    public override string ToString() => Id;
}

/// <summary>
/// Extracts the YAML examples of the seed documents at test time. Markdown seeds fence them with
/// ``` (only fences that hold an apiVersion count); plain-text seeds (copied from rendered docs)
/// have them inline: an example starts at an "apiVersion:" line and runs while lines are indented,
/// list items, "---", comments or Kubernetes top-level keys.
/// </summary>
public static partial class SeedExamples
{
    private static readonly string[] TopLevelKeys = ["apiVersion:", "kind:", "metadata:", "spec:", "data:", "stringData:", "type:", "items:", "status:", "endpoints:", "addressType:", "ports:"];

    public static string Directory => SharedData.Seeds;

    public static IReadOnlyList<SeedExample> All() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.txt").Order(StringComparer.Ordinal).SelectMany(Extract).ToList();

    public static IEnumerable<SeedExample> Extract(string file)
    {
        var lines = File.ReadAllLines(file);
        string seed = Path.GetFileName(file);
        int i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                int start = i + 1;
                int end = start;
                while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    end++;
                }
                var body = lines[start..Math.Min(end, lines.Length)].ToList();
                // Seeds converted from PDF split one example across page breaks into several fences
                // separated only by blank lines: join them back.
                while (true)
                {
                    int next = end + 1;
                    while (next < lines.Length && lines[next].Trim().Length == 0)
                    {
                        next++;
                    }
                    if (next >= lines.Length || lines[next].Trim() != "```")
                    {
                        break;
                    }
                    int close = next + 1;
                    while (close < lines.Length && !lines[close].TrimStart().StartsWith("```", StringComparison.Ordinal))
                    {
                        close++;
                    }
                    body.AddRange(lines[(next + 1)..Math.Min(close, lines.Length)]);
                    end = close;
                }
                int indent = body.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
                if (body.Any(l => l.TrimStart().StartsWith("apiVersion:", StringComparison.Ordinal)))
                {
                    yield return new SeedExample(seed, start + 1, string.Join("\n", body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())));
                }
                i = end + 1;
                continue;
            }
            if (line.StartsWith("apiVersion:", StringComparison.Ordinal))
            {
                int start = i;
                var text = new StringBuilder();
                while (i < lines.Length && BelongsToYaml(lines[i]))
                {
                    text.AppendLine(lines[i]);
                    i++;
                }
                yield return new SeedExample(seed, start + 1, text.ToString().TrimEnd());
                continue;
            }
            i++;
        }
    }

    private static bool BelongsToYaml(string line) =>
        line.StartsWith(' ') || line.StartsWith('-') || line.StartsWith('#') && !line.StartsWith("##", StringComparison.Ordinal)
        || TopLevelKeys.Any(k => line.StartsWith(k, StringComparison.Ordinal));
}
