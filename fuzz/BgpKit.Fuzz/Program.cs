using System.Diagnostics;
using System.Security.Cryptography;

namespace BgpKit.Fuzz;

/// <summary>
/// Mutation fuzzer over seeds from the shared corpus, one harness per decoder entry point.
/// </summary>
/// <remarks>
/// <code>
/// dotnet run -c Release --project fuzz/BgpKit.Fuzz -- all --seconds 30        # CI smoke: the seconds are split across harnesses
/// dotnet run -c Release --project fuzz/BgpKit.Fuzz -- update --seconds 14400  # four hours on one harness
/// dotnet run -c Release --project fuzz/BgpKit.Fuzz -- all --seconds 36000 --seed 7
/// </code>
/// Crashers (an exception other than the typed decode error, or a failed round-trip property) are saved
/// under fuzz/regressions/HARNESS/ and replayed by tests/Bgp.Wire.Tests/Fuzz.
/// </remarks>
public static class Program
{
    private const string Usage = """
        usage: BgpKit.Fuzz all|framing|update|open|mrt|bfd [--seconds N] [--seed S] [--replay]
          all          run every harness; --seconds is split evenly between them (CI runs `all --seconds 30`)
          HARNESS      run one harness for --seconds (default 30)
          --seed S     start the mutation sequence from S (default: from the clock), printed for replay
          --replay     only run the saved regression inputs under fuzz/regressions/
        To fuzz for hours, give one harness the whole budget and run it in the background, e.g.
          nohup dotnet run -c Release --project fuzz/BgpKit.Fuzz -- update --seconds 14400 > fuzz-update.log &
        and repeat per harness (one per core). New crashers appear under fuzz/regressions/HARNESS/.
        """;

    /// <summary>Runs the named harness (or all) and returns non-zero when a property failed or a decoder crashed.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var seconds = 30.0;
        var seed = (int)(Stopwatch.GetTimestamp() & 0x7FFFFFFF);
        var replayOnly = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length:
                    seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--seed" when i + 1 < args.Length:
                    seed = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--replay":
                    replayOnly = true;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        var harnesses = args[0] == "all" ? Harness.All : Harness.All.Where(h => h.Name == args[0]).ToList();
        if (harnesses.Count == 0)
        {
            Console.Error.WriteLine($"unknown harness {args[0]}\n{Usage}");
            return 2;
        }
        var corpus = FuzzPaths.Corpus;
        var failures = 0;
        foreach (var harness in harnesses)
        {
            failures += Replay(harness);
            if (!replayOnly)
            {
                failures += Fuzz(harness, corpus, TimeSpan.FromSeconds(seconds / harnesses.Count), seed);
            }
        }
        Console.Error.WriteLine(failures == 0 ? "fuzz: no failures" : $"fuzz: {failures} failing inputs saved under fuzz/regressions/");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Runs one input; null when every property held, otherwise what went wrong.</summary>
    public static string? RunOne(Harness harness, byte[] input)
    {
        try
        {
            harness.Execute(input);
            return null;
        }
        catch (FuzzPropertyException e)
        {
            return "property: " + e.Message;
        }
        catch (Exception e)
        {
            return "crash: " + e.GetType().Name + ": " + e.Message;
        }
    }

    private static int Replay(Harness harness)
    {
        var folder = FuzzPaths.Regressions(harness.Name);
        if (!Directory.Exists(folder))
        {
            return 0;
        }
        var failures = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.bin"))
        {
            if (RunOne(harness, File.ReadAllBytes(file)) is { } problem)
            {
                Console.Error.WriteLine($"{harness.Name}: regression {Path.GetFileName(file)} still fails: {problem}");
                failures++;
            }
        }
        return failures;
    }

    private static int Fuzz(Harness harness, string? corpus, TimeSpan budget, int seed)
    {
        var seeds = harness.LoadSeeds(corpus);
        if (seeds.Count == 0)
        {
            seeds = [new byte[] { 0 }];
        }
        var random = new Random(seed ^ harness.Name.GetHashCode(StringComparison.Ordinal));
        var mutator = new Mutator(random);
        var clock = Stopwatch.StartNew();
        long executions = 0;
        var saved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in seeds)
        {
            executions++;
            if (RunOne(harness, input) is { } problem)
            {
                Save(harness, input, problem, saved);
            }
        }
        while (clock.Elapsed < budget)
        {
            var input = mutator.Mutate(seeds[random.Next(seeds.Count)], seeds);
            executions++;
            if (RunOne(harness, input) is { } problem)
            {
                Save(harness, input, problem, saved);
            }
        }
        Console.Error.WriteLine($"fuzz {harness.Name}: {executions} inputs in {clock.Elapsed.TotalSeconds:F1} s from {seeds.Count} seeds (seed {seed}), {saved.Count} failing");
        return saved.Count;
    }

    private static void Save(Harness harness, byte[] input, string problem, HashSet<string> saved)
    {
        // One file per distinct problem, so that a single bug does not flood the folder.
        var key = problem.Length > 120 ? problem[..120] : problem;
        if (!saved.Add(key))
        {
            return;
        }
        var folder = FuzzPaths.Regressions(harness.Name);
        Directory.CreateDirectory(folder);
        var name = Convert.ToHexStringLower(SHA256.HashData(input))[..16] + ".bin";
        File.WriteAllBytes(Path.Combine(folder, name), input);
        Console.Error.WriteLine($"fuzz {harness.Name}: {problem} -> fuzz/regressions/{harness.Name}/{name}");
    }
}
