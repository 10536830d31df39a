using System.Text;

namespace BgpKit.Cli.Decode;

/// <summary>The counts printed on stderr when decoding ends: items by kind and type, errors, skips.</summary>
internal sealed class DecodeSummary
{
    private readonly SortedDictionary<string, SortedDictionary<string, long>> _byKind = new(StringComparer.Ordinal);

    public long Errors { get; set; }

    public long Skipped { get; set; }

    public List<string> Problems { get; } = [];

    // A dump repeats one (kind, type) for long runs of records: those are counted here and added to the
    // sorted tables when the pair changes or the counts are read, not looked up record by record.
    private string? _runKind;
    private string? _runType;
    private long _run;

    public void Count(string kind, string type)
    {
        if (ReferenceEquals(kind, _runKind) && ReferenceEquals(type, _runType))
        {
            _run++;
            return;
        }
        EndRun();
        _runKind = kind;
        _runType = type;
        _run = 1;
    }

    private void EndRun()
    {
        if (_runKind is null)
        {
            return;
        }
        Add(_runKind, _runType!, _run);
        _runKind = null;
        _runType = null;
        _run = 0;
    }

    private void Add(string kind, string type, long count)
    {
        if (!_byKind.TryGetValue(kind, out var types))
        {
            types = new SortedDictionary<string, long>(StringComparer.Ordinal);
            _byKind[kind] = types;
        }
        types[type] = types.GetValueOrDefault(type) + count;
    }

    public long Total(string kind)
    {
        EndRun();
        return _byKind.TryGetValue(kind, out var types) ? types.Values.Sum() : 0;
    }

    public long CountOf(string kind, string type)
    {
        EndRun();
        return _byKind.TryGetValue(kind, out var types) ? types.GetValueOrDefault(type) : 0;
    }

    public void Report(string what)
    {
        if (Problems.Count < 20)
        {
            Problems.Add(what);
        }
    }

    /// <summary>One line: <c>bgpkit decode: bgp 12 (OPEN 2, UPDATE 8, KEEPALIVE 2); bfd 0; errors 0; skipped 0</c>.</summary>
    public string Format()
    {
        EndRun();
        var line = new StringBuilder("bgpkit decode:");
        foreach (var kind in new[] { "bgp", "bfd", "mrt" })
        {
            line.Append(' ').Append(kind).Append(' ').Append(Total(kind));
            if (_byKind.TryGetValue(kind, out var types) && types.Count > 0)
            {
                line.Append(" (").AppendJoin(", ", types.Select(t => $"{t.Key} {t.Value}")).Append(')');
            }
            line.Append(';');
        }
        line.Append(" errors ").Append(Errors).Append("; skipped ").Append(Skipped);
        return line.ToString();
    }
}
