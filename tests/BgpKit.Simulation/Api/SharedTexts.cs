using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.Simulation.Api;

/// <summary>
/// What one cluster's informers and invariants derive from the same objects, derived once. Every process of a
/// cluster normalizes the same watch events and plans from equal texts; doing that work once per process was most
/// of a seed's time. Nothing here changes what any process sees: equal strings, the same normalized text, a parse
/// that nobody writes to.
/// <list type="bullet">
/// <item><see cref="Share"/>: one string per distinct normalized text. <c>ManifestSet.Parse</c> keeps what it read
/// per string object, so an object's text read by one process (or before a relist) is not read again by the next.
/// Bounded: past the limit it starts again, which only costs a few readings.</item>
/// <item><see cref="Normalize"/>: a watch event's object normalized once for every informer that receives it
/// (the event's object is the server's own copy, never changed after it was logged).</item>
/// <item><see cref="Parse"/>: a text's JSON, parsed once for the invariants, which only read it.</item>
/// </list>
/// </summary>
internal sealed class SharedTexts
{
    private const int Limit = 4096;

    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<JsonObject, Normalized> _normalized = new();
    private readonly ConditionalWeakTable<string, JsonObject> _parsed = new();

    public string Share(string text)
    {
        if (_texts.TryGetValue(text, out var shared))
        {
            return shared;
        }
        if (_texts.Count >= Limit)
        {
            _texts.Clear();
        }
        _texts[text] = text;
        return text;
    }

    /// <summary><paramref name="reflector"/>'s normalized text of <paramref name="obj"/>, shared; <paramref name="kind"/> is what the text depends on besides the object.</summary>
    public string Normalize(JsonObject obj, KubernetesResourceKind kind, ResourceReflector reflector)
    {
        if (_normalized.TryGetValue(obj, out var done) && done.Kind == kind)
        {
            return done.Text;
        }
        var text = Share(reflector.Normalize(obj));
        _normalized.AddOrUpdate(obj, new Normalized(kind, text));
        return text;
    }

    /// <summary>The JSON of <paramref name="text"/>, parsed once per string; callers must not change it.</summary>
    public JsonObject Parse(string text)
    {
        if (!_parsed.TryGetValue(text, out var parsed))
        {
            parsed = (JsonObject)JsonNode.Parse(text)!;
            _parsed.AddOrUpdate(text, parsed);
        }
        return parsed;
    }

    private sealed record Normalized(KubernetesResourceKind Kind, string Text);
}
