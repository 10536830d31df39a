using System.Globalization;
using System.Text;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>
/// The labels of one series, sorted by name and already rendered as <c>{a="1",b="2"}</c> (empty
/// when there are none), so that equal tag sets in any order find the same series.
/// </summary>
internal readonly record struct LabelSet(string Rendered)
{
    // A tag whose key mentions one of these never becomes a label: passwords and keys stay secret.
    private static readonly string[] SecretWords = ["password", "secret", "passwd", "key"];

    public static LabelSet Empty => new(string.Empty);

    public static LabelSet From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return Empty;
        }
        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            if (IsSecret(tag.Key))
            {
                continue;
            }
            pairs.Add((PrometheusText.LabelName(tag.Key), Text(tag.Value)));
        }
        if (pairs.Count == 0)
        {
            return Empty;
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var builder = new StringBuilder("{");
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }
            builder.Append(pairs[i].Name).Append("=\"").Append(PrometheusText.EscapeLabelValue(pairs[i].Value)).Append('"');
        }
        return new LabelSet(builder.Append('}').ToString());
    }

    /// <summary>A tag's value as label text: invariant culture, booleans in lower case.</summary>
    public static string Text(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? string.Empty,
    };

    /// <summary>These labels plus one more at the end (<c>le</c> of a histogram bucket).</summary>
    public string With(string name, string value)
    {
        var extra = name + "=\"" + PrometheusText.EscapeLabelValue(value) + "\"";
        return Rendered.Length == 0 ? "{" + extra + "}" : Rendered[..^1] + "," + extra + "}";
    }

    internal static bool IsSecret(string key)
    {
        foreach (var word in SecretWords)
        {
            if (key.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
