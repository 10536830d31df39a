using System.Text;

namespace BgpKit.Cli.Decode;

/// <summary>The counts printed on stderr when decoding ends: items by kind and type, errors, skips.</summary>
internal sealed class DecodeSummary
{
    private readonly SortedDictionary<string, SortedDictionary<string, long>> _byKind = new(StringComparer.Ordinal);

    public long Errors { get; set; }

    public long Skipped { get; set; }

    public List<string> Problems { get; } = [];

    public void Count(string kind, string type)
    {
        if (!_byKind.TryGetValue(kind, out var types))
        {
            types = new SortedDictionary<string, long>(StringComparer.Ordinal);
            _byKind[kind] = types;
        }
        types[type] = types.GetValueOrDefault(type) + 1;
    }

    public long Total(string kind) => _byKind.TryGetValue(kind, out var types) ? types.Values.Sum() : 0;

    public long CountOf(string kind, string type) =>
        _byKind.TryGetValue(kind, out var types) ? types.GetValueOrDefault(type) : 0;

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
