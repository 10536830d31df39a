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
        usage: BgpKit.Fuzz all|HARNESS [--seconds N] [--seed S] [--replay]
               BgpKit.Fuzz replay [all|HARNESS]     every file of fuzz/corpus/HARNESS and fuzz/regressions/HARNESS (CI)
               BgpKit.Fuzz afl HARNESS              one input per AFL++ execution (SharpFuzz; see fuzz/run.sh)
               BgpKit.Fuzz libfuzzer HARNESS        the same under libFuzzer (libfuzzer-dotnet)
               BgpKit.Fuzz seed-corpus [all|HARNESS] write the hand-built seeds to fuzz/corpus/HARNESS/seed-*.bin
          harnesses: framing update open notification mrt bfd pcap manifest admission l2
          all          run every harness; --seconds is split evenly between them
          HARNESS      run the built-in mutator on one harness for --seconds (default 30)
          --seed S     start the mutation sequence from S (default: from the clock), printed for replay
          --replay     only run the saved regression inputs under fuzz/regressions/
        Coverage-guided runs: fuzz/run.sh HARNESS SECONDS (instruments the assemblies, runs afl-fuzz at nice 19).
        """;

    /// <summary>Runs the named harness (or all) and returns non-zero when a property failed or a decoder crashed.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        switch (args[0])
        {
            case "replay":
                return ReplayCorpus(Select(args.Length > 1 ? args[1] : "all"));
            case "seed-corpus":
                return WriteSeeds(Select(args.Length > 1 ? args[1] : "all"));
            case "afl" when args.Length == 2:
                return Afl(Select(args[1]));
            case "libfuzzer" when args.Length == 2:
                return LibFuzzer(Select(args[1]));
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
        var harnesses = Select(args[0]);
        if (harnesses.Count == 0)
        {
            Console.Error.WriteLine($"unknown harness {args[0]}\n{Usage}");
            return 2;
        }
        var corpus = FuzzPaths.Corpus;
        var failures = 0;
        foreach (var harness in harnesses)
        {
            harness.Warm();
            failures += Replay(harness);
            if (!replayOnly)
            {
                failures += Fuzz(harness, corpus, TimeSpan.FromSeconds(seconds / harnesses.Count), seed);
            }
        }
        Console.Error.WriteLine(failures == 0 ? "fuzz: no failures" : $"fuzz: {failures} failing inputs saved under fuzz/regressions/");
        return failures == 0 ? 0 : 1;
    }

    private static IReadOnlyList<Harness> Select(string name) =>
        name == "all" ? Harness.All : Harness.All.Where(h => h.Name == name).ToList();

    /// <summary>
    /// AFL++ persistent mode through SharpFuzz: each input runs <see cref="Harness.Check"/>; a failed property
    /// or an unexpected exception escapes and AFL++ records the input as a crash.
    /// </summary>
    private static int Afl(IReadOnlyList<Harness> harnesses)
    {
        if (harnesses.Count != 1)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var harness = harnesses[0];
        var warm = false;
        // SharpFuzz's instrumentation writes to AFL's shared map, which exists only inside Run: nothing
        // instrumented may run before it, so the warm-up happens with the first input.
        SharpFuzz.Fuzzer.Run(stream =>
        {
            if (!warm)
            {
                harness.Warm();
                warm = true;
            }
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            harness.Check(copy.ToArray());
        });
        return 0;
    }

    private static int LibFuzzer(IReadOnlyList<Harness> harnesses)
    {
        if (harnesses.Count != 1)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var harness = harnesses[0];
        var warm = false;
        SharpFuzz.Fuzzer.LibFuzzer.Run(span =>
        {
            if (!warm)
            {
                harness.Warm();
                warm = true;
            }
            harness.Check(span.ToArray());
        });
        return 0;
    }

    /// <summary>
    /// The CI replay: every kept corpus input and every regression through every property of its harness.
    /// Prints one line per harness and a closing "fuzz replay: N passed, N failed" (one test per harness).
    /// </summary>
    private static int ReplayCorpus(IReadOnlyList<Harness> harnesses)
    {
        if (harnesses.Count == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        int passed = 0, failed = 0;
        foreach (var harness in harnesses)
        {
            harness.Warm();
            var files = new[] { FuzzPaths.CorpusOf(harness.Name), FuzzPaths.Regressions(harness.Name) }
                .Where(Directory.Exists)
                .SelectMany(folder => Directory.EnumerateFiles(folder, "*.bin"))
                .Order(StringComparer.Ordinal)
                .ToList();
            var clock = Stopwatch.StartNew();
            var failing = 0;
            foreach (var file in files)
            {
                if (RunOne(harness, File.ReadAllBytes(file)) is { } problem)
                {
                    Console.Error.WriteLine($"replay {harness.Name}: {Path.GetRelativePath(FuzzPaths.RepoRoot, file)}: {problem}");
                    failing++;
                }
            }
            Console.WriteLine($"replay {harness.Name}: {files.Count} inputs in {clock.Elapsed.TotalSeconds:F1} s, {failing} failing");
            if (failing == 0 && files.Count > 0)
            {
                passed++;
            }
            else
            {
                failed++;
            }
        }
        Console.WriteLine($"fuzz replay: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static int WriteSeeds(IReadOnlyList<Harness> harnesses)
    {
        foreach (var harness in harnesses)
        {
            var folder = FuzzPaths.CorpusOf(harness.Name);
            Directory.CreateDirectory(folder);
            var seeds = harness.SyntheticSeeds();
            for (var i = 0; i < seeds.Count; i++)
            {
                File.WriteAllBytes(Path.Combine(folder, $"seed-{i:D2}.bin"), seeds[i]);
            }
            Console.WriteLine($"{harness.Name}: {seeds.Count} seeds in {Path.GetRelativePath(FuzzPaths.RepoRoot, folder)}");
        }
        return 0;
    }

    /// <summary>Runs one input; null when every property held, otherwise what went wrong.</summary>
    public static string? RunOne(Harness harness, byte[] input)
    {
        try
        {
            harness.Check(input);
            return null;
        }
        catch (FuzzPropertyException e)
        {
            return "property: " + e.Message;
        }
        catch (Exception e)
        {
            return "crash: " + e.GetType().Name + ": " + e.Message + (Environment.GetEnvironmentVariable("FUZZ_STACK") == "1" ? "\n" + e.StackTrace : "");
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
            seeds = harness.SyntheticSeeds();
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
