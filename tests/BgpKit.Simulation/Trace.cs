using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BgpKit.Simulation;

/// <summary>
/// The step trace of one seed: every line goes into a SHA-256 (two runs of a seed must give the same hash), the
/// last lines are kept for a failure report, and all of them when asked (<c>--trace</c>).
/// </summary>
internal sealed class Trace(bool keepAll)
{
    private const int Tail = 60;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Queue<string> _tail = new();
    private readonly List<string>? _all = keepAll ? [] : null;

    public IReadOnlyList<string> Lines => _all ?? (IReadOnlyList<string>)_tail.ToArray();

    public int Count { get; private set; }

    public void Add(double seconds, string text)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{seconds,6:F1}s {text}");
        _hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
        Count++;
        _all?.Add(line);
        _tail.Enqueue(line);
        if (_tail.Count > Tail)
        {
            _tail.Dequeue();
        }
    }

    public string Hash() => Convert.ToHexString(_hash.GetCurrentHash());
}

/// <summary>What a seed did: faults injected per kind, steps.</summary>
internal sealed class SimStats
{
    public SortedDictionary<string, long> Faults { get; } = new(StringComparer.Ordinal);

    public int Steps { get; set; }

    public void Count(string kind) => Faults[kind] = Faults.GetValueOrDefault(kind) + 1;

    public void Add(SimStats other)
    {
        Steps += other.Steps;
        foreach (var (k, v) in other.Faults)
        {
            Faults[k] = Faults.GetValueOrDefault(k) + v;
        }
    }
}

/// <summary>The outcome of one seed.</summary>
internal sealed record SimResult(int Seed, IReadOnlyList<string> Violations, string TraceHash, SimStats Stats, double? ConvergedAfter)
{
    public bool Passed => Violations.Count == 0;

    /// <summary>The command that replays this seed with its whole trace.</summary>
    public string ReplayCommand => $"dotnet run -c Release --project tests/BgpKit.Simulation -- --seed {Seed} --trace";
}
