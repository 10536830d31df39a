using System.Globalization;
using BgpKit.MetalLb.Model.Resources;
using YamlDotNet.RepresentationModel;

namespace BgpKit.MetalLb.Model.Reading;

/// <summary>What one resource's readers share: where it is, and the problems found so far.</summary>
internal sealed class ResourceContext(string file, string kind, string name, List<Problem> problems, ReadMode mode = ReadMode.Manifest)
{
    public string File { get; } = file;
    public ReadMode Mode { get; } = mode;
    public string Kind { get; } = kind;
    public string Name { get; set; } = name;
    public Dictionary<string, int> FieldLines { get; } = new(StringComparer.Ordinal);

    public void Report(ProblemSeverity severity, int line, string field, string message) =>
        problems.Add(new Problem { Severity = severity, File = File, Line = line, Kind = Kind, Name = Name, Field = field, Message = message });
}

/// <summary>
/// Reads one YAML mapping field by field. Every key asked for becomes a known key, so that
/// <see cref="Done"/> can report the keys nobody asked for, with the closest known name.
/// </summary>
internal sealed class FieldReader(ResourceContext context, YamlMappingNode node, string path)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public ResourceContext Context => context;
    public int Line => (int)node.Start.Line;
    public string Path => path;

    private string FieldPath(string key) => path.Length == 0 ? key : $"{path}.{key}";

    public YamlNode? Get(string key)
    {
        _known.Add(key);
        foreach (var (k, v) in node.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                context.FieldLines[FieldPath(key)] = (int)k.Start.Line;
                return v is YamlScalarNode { Value: null or "" or "null" or "~", Style: YamlDotNet.Core.ScalarStyle.Plain } ? null : v;
            }
        }
        return null;
    }

    public void Error(string key, string message, YamlNode? at = null) =>
        context.Report(ProblemSeverity.Error, at is null ? Line : (int)at.Start.Line, FieldPath(key), message);

    public string? String(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return null;
        }
        if (value is YamlScalarNode scalar)
        {
            return scalar.Value;
        }
        Error(key, "expected a string", value);
        return null;
    }

    public bool? Bool(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return null;
        }
        if (value is YamlScalarNode { Value: "true" or "True" or "TRUE" } )
        {
            return true;
        }
        if (value is YamlScalarNode { Value: "false" or "False" or "FALSE" })
        {
            return false;
        }
        Error(key, $"expected true or false, got '{Text(value)}'", value);
        return null;
    }

    /// <summary>An integer field; quoted numbers are refused as Kubernetes' strict decoding does.</summary>
    public long? Integer(string key, long min, long max)
    {
        var value = Get(key);
        if (value is null)
        {
            return null;
        }
        if (value is YamlScalarNode scalar && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain
            && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
        {
            if (number < min || number > max)
            {
                Error(key, $"{number} is out of range {min}..{max}", value);
                return null;
            }
            return number;
        }
        Error(key, $"expected an integer, got '{Text(value)}'", value);
        return null;
    }

    /// <summary>A metav1.Duration field in Go syntax (3s, 1m, 5m30s).</summary>
    public TimeSpan? Duration(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return null;
        }
        if (value is YamlScalarNode scalar && GoDuration.TryParse(scalar.Value ?? "", out var duration))
        {
            return duration;
        }
        string hint = value is YamlScalarNode { Value: var v } && long.TryParse(v, out _) ? $" (a duration needs a unit, e.g. \"{v}s\")" : "";
        Error(key, $"invalid duration '{Text(value)}'{hint}", value);
        return null;
    }

    public IReadOnlyList<string> Strings(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return [];
        }
        if (value is YamlSequenceNode sequence)
        {
            var list = new List<string>();
            foreach (var item in sequence)
            {
                if (item is YamlScalarNode s && s.Value is not null)
                {
                    list.Add(s.Value);
                }
                else
                {
                    Error(key, "expected a list of strings", item);
                }
            }
            return list;
        }
        Error(key, "expected a list", value);
        return [];
    }

    public IReadOnlyDictionary<string, string> StringMap(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return ObjectMeta.NoLabels;
        }
        if (value is YamlMappingNode map)
        {
            var dict = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in map.Children)
            {
                if (k is YamlScalarNode ks && v is YamlScalarNode vs)
                {
                    dict[ks.Value ?? ""] = vs.Value ?? "";
                }
                else
                {
                    Error(key, "expected a map of strings", k);
                }
            }
            return dict;
        }
        Error(key, "expected a map", value);
        return ObjectMeta.NoLabels;
    }

    public FieldReader? Map(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return null;
        }
        if (value is YamlMappingNode map)
        {
            return new FieldReader(context, map, FieldPath(key));
        }
        Error(key, "expected an object", value);
        return null;
    }

    public IReadOnlyList<FieldReader> Maps(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return [];
        }
        if (value is YamlSequenceNode sequence)
        {
            var list = new List<FieldReader>();
            int i = 0;
            foreach (var item in sequence)
            {
                if (item is YamlMappingNode map)
                {
                    list.Add(new FieldReader(context, map, $"{FieldPath(key)}[{i}]"));
                }
                else
                {
                    Error(key, "expected a list of objects", item);
                }
                i++;
            }
            return list;
        }
        Error(key, "expected a list", value);
        return [];
    }

    public LabelSelector? Selector(string key)
    {
        var map = Map(key);
        return map is null ? null : ReadSelector(map);
    }

    public IReadOnlyList<LabelSelector> Selectors(string key) => Maps(key).Select(ReadSelector).ToList();

    private static LabelSelector ReadSelector(FieldReader reader)
    {
        var labels = reader.StringMap("matchLabels");
        var expressions = new List<LabelRequirement>();
        foreach (var e in reader.Maps("matchExpressions"))
        {
            string key = e.String("key") ?? "";
            string op = e.String("operator") ?? "";
            var values = e.Strings("values");
            if (key.Length == 0)
            {
                e.Error("key", "a match expression needs a key");
            }
            if (op is not ("In" or "NotIn" or "Exists" or "DoesNotExist"))
            {
                e.Error("operator", $"unknown operator '{op}' (In, NotIn, Exists, DoesNotExist)");
            }
            else if (op is "In" or "NotIn" && values.Count == 0)
            {
                e.Error("values", $"operator {op} needs values");
            }
            else if (op is "Exists" or "DoesNotExist" && values.Count > 0)
            {
                e.Error("values", $"operator {op} takes no values");
            }
            e.Done();
            expressions.Add(new LabelRequirement(key, op, values));
        }
        reader.Done();
        return new LabelSelector(labels, expressions);
    }

    /// <summary>
    /// Reports every key that no reader asked for, with the closest known name: an error for a manifest
    /// file; for an object from the API server, nothing when upstream's CRD has the field at its default,
    /// otherwise a warning (see <see cref="ReadMode.ApiServer"/> and <see cref="UpstreamFields"/>).
    /// </summary>
    public void Done()
    {
        foreach (var (k, value) in node.Children)
        {
            if (k is not YamlScalarNode { Value: { } key } || _known.Contains(key))
            {
                continue;
            }
            string? suggestion = Suggest(key, _known);
            string unknown = $"unknown field \"{key}\"" + (suggestion is null ? "" : $"; did you mean \"{suggestion}\"?");
            if (context.Mode == ReadMode.Manifest)
            {
                context.Report(ProblemSeverity.Error, (int)k.Start.Line, FieldPath(key), unknown);
                continue;
            }
            string schemaPath = UpstreamFields.SchemaPath(FieldPath(key));
            if (UpstreamFields.Find(context.Kind, schemaPath) is not { } field)
            {
                if (context.Mode == ReadMode.Admission)
                {
                    context.Report(ProblemSeverity.Error, (int)k.Start.Line, FieldPath(key), unknown);
                    continue;
                }
                context.Report(ProblemSeverity.Warning, (int)k.Start.Line, FieldPath(key), unknown + " (not in MetalLB's CRD as BgpKit knows it; ignored)");
            }
            else if (!UpstreamFields.IsDefault(context.Kind, field, value))
            {
                context.Report(ProblemSeverity.Warning, (int)k.Start.Line, FieldPath(key),
                    $"\"{key}\" is not implemented by BgpKit; the value {ValueText(value)} is ignored" + (field.Default is null ? "" : $" (upstream's default is {field.Default})"));
            }
        }
    }

    internal static string? Suggest(string key, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known.Order(StringComparer.Ordinal))
        {
            int distance = string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase) ? 0 : Levenshtein(key.ToLowerInvariant(), candidate.ToLowerInvariant()) + 1;
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best is not null && bestDistance <= Math.Max(3, key.Length / 3 + 1) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string Text(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : node.NodeType.ToString().ToLowerInvariant();

    /// <summary>A value as a warning shows it: scalars as written, a list or object by its shape.</summary>
    private static string ValueText(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        YamlSequenceNode sequence => $"a list of {sequence.Children.Count}",
        YamlMappingNode => "an object",
        _ => node.NodeType.ToString().ToLowerInvariant(),
    };
}
