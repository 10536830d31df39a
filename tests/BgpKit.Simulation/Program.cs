using System.Diagnostics;
using System.Globalization;

namespace BgpKit.Simulation;

/// <summary>
/// <c>dotnet run -c Release --project tests/BgpKit.Simulation -- --seed N [--trace]</c> replays one seed (with its
/// whole step trace); <c>-- --seeds 1..100000 [--parallel 2] [--steps 200]</c> runs a range and prints every
/// failing seed with the command that replays it; <c>--hashes</c> prints every seed's whole trace hash (to check
/// that a change to the simulation left its traces alone). Each seed is single-threaded; --parallel only runs several
/// seeds at once.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        int? seed = null;
        (int From, int To)? range = null;
        var trace = false;
        var parallel = 1;
        var steps = SimulationRunner.DefaultSteps;
        var hashes = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seed":
                    seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seeds":
                    var parts = args[++i].Split("..");
                    range = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
                    break;
                case "--trace":
                    trace = true;
                    break;
                case "--parallel":
                    parallel = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--steps":
                    steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--hashes":
                    hashes = true;
                    break;
                default:
                    Console.Error.WriteLine("usage: --seed N [--trace] [--steps S] | --seeds A..B [--parallel P] [--steps S] [--hashes]");
                    return 2;
            }
        }
        if (seed is { } one)
        {
            var cluster = new Cluster(one, keepTrace: trace);
            var result = cluster.Run(steps);
            if (trace)
            {
                foreach (var line in cluster.Trace.Lines)
                {
                    Console.WriteLine(line);
                }
            }
            Console.WriteLine(SimulationRunner.Describe(result));
            return result.Passed ? 0 : 1;
        }
        if (range is not { } r)
        {
            Console.Error.WriteLine("give --seed N or --seeds A..B");
            return 2;
        }
        var watch = Stopwatch.StartNew();
        var all = new SortedDictionary<int, string>();
        var summary = SimulationRunner.RunRange(r.From, r.To, steps, parallel, failure => Console.WriteLine(SimulationRunner.Describe(failure)),
            progress => Console.Error.WriteLine(progress.Describe(watch.Elapsed)), hashes ? result => all[result.Seed] = result.TraceHash : null);
        foreach (var (s, hash) in all)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {s} trace {hash}"));
        }
        Console.WriteLine(summary.Describe(watch.Elapsed));
        return summary.Failures.Count == 0 ? 0 : 1;
    }
}
