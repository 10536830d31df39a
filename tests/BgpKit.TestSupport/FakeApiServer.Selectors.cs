using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>fieldSelector and labelSelector on LIST and WATCH, as far as clients here use them.</summary>
public sealed partial class FakeApiServer
{
    /// <summary>
    /// Field selectors on metadata.name and metadata.namespace (<c>=</c>, <c>==</c>, <c>!=</c>),
    /// which kubectl's delete --wait and single-object watches use; label selectors with
    /// <c>k=v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c> and <c>k in (a,b)</c>.
    /// </summary>
    private sealed class Selector
    {
        private readonly List<Func<JsonObject, bool>> _terms = [];

        public bool IsEmpty => _terms.Count == 0;

        public static Selector Parse(string? fields, string? labels)
        {
            var selector = new Selector();
            foreach (var term in Terms(fields))
            {
                var (key, negate, value) = Split(term);
                var read = key switch
                {
                    "metadata.name" => (Func<JsonObject, string?>)(o => o["metadata"]?["name"]?.GetValue<string>()),
                    "metadata.namespace" => o => o["metadata"]?["namespace"]?.GetValue<string>(),
                    _ => o => Path(o, key),
                };
                selector._terms.Add(o => (read(o) == value) != negate);
            }
            foreach (var term in Terms(labels))
            {
                if (term.Contains(" in ", StringComparison.Ordinal) || term.Contains(" notin ", StringComparison.Ordinal))
                {
                    var notIn = term.Contains(" notin ", StringComparison.Ordinal);
                    var parts = term.Split(notIn ? " notin " : " in ", 2);
                    var set = parts[1].Trim().Trim('(', ')').Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
                    var label = parts[0].Trim();
                    selector._terms.Add(o => Label(o, label) is { } v ? set.Contains(v) != notIn : notIn);
                }
                else if (term.Contains('=', StringComparison.Ordinal))
                {
                    var (key, negate, value) = Split(term);
                    selector._terms.Add(o => (Label(o, key) == value) != negate);
                }
                else if (term.StartsWith('!'))
                {
                    selector._terms.Add(o => Label(o, term[1..]) is null);
                }
                else
                {
                    selector._terms.Add(o => Label(o, term) is not null);
                }
            }
            return selector;
        }

        public bool Matches(JsonObject obj) => _terms.All(t => t(obj));

        // Splits on commas outside parentheses: "a in (x,y),b=c" is two terms.
        private static IEnumerable<string> Terms(string? text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                yield break;
            }
            var depth = 0;
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i == text.Length || text[i] == ',' && depth == 0)
                {
                    var term = text[start..i].Trim();
                    if (term.Length > 0)
                    {
                        yield return term;
                    }
                    start = i + 1;
                }
                else if (text[i] == '(')
                {
                    depth++;
                }
                else if (text[i] == ')')
                {
                    depth--;
                }
            }
        }

        private static (string Key, bool Negate, string Value) Split(string term)
        {
            if (term.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0)
            {
                return (term[..ne].Trim(), true, term[(ne + 2)..].Trim());
            }
            var eq = term.IndexOf('=', StringComparison.Ordinal);
            var value = term[(eq + 1)..].TrimStart('=').Trim();
            return (term[..eq].Trim(), false, value);
        }

        private static string? Label(JsonObject obj, string key) => obj["metadata"]?["labels"]?[key]?.GetValue<string>();

        private static string? Path(JsonObject obj, string dotted)
        {
            JsonNode? node = obj;
            foreach (var part in dotted.Split('.'))
            {
                node = node?[part];
            }
            return node is JsonValue value ? value.ToString() : null;
        }
    }
}
