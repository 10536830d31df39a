namespace BgpKit.Simulation.Api;

/// <summary>
/// The normalized texts of one cluster's informers, one string per distinct text. <c>ManifestSet.Parse</c> keeps
/// what it read per string object, so an object's text read by one process (or before a relist) is then not
/// read again by the next: equal strings, so no process sees anything else. Bounded: past the limit it starts
/// again, which only costs a few readings.
/// </summary>
internal sealed class SharedTexts
{
    private const int Limit = 4096;

    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);

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
}
