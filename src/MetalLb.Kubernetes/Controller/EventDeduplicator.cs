namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// Keeps a stuck Service from writing an Event per resync: per Service, the Events of the last
/// pass that had any are remembered, and a pass whose Events were all seen then emits none. A
/// Service whose outcome changes (failed, then allocated, then failed again) gets each new Event.
/// </summary>
internal sealed class EventDeduplicator
{
    private readonly Dictionary<string, HashSet<(string Reason, string Message)>> _last = new(StringComparer.Ordinal);

    /// <summary>The Events of one pass worth emitting; call <see cref="Emitted"/> once they are written.</summary>
    public IReadOnlyList<ServiceEvent> Filter(IEnumerable<ServiceEvent> events)
    {
        var result = new List<ServiceEvent>();
        foreach (var group in events.GroupBy(e => e.Service.Key, StringComparer.Ordinal))
        {
            if (_last.TryGetValue(group.Key, out var seen) && group.All(e => seen.Contains((e.Reason, e.Message))))
            {
                continue;
            }
            result.AddRange(group);
        }
        return result;
    }

    /// <summary>Remembers <paramref name="events"/> as their Services' last ones.</summary>
    public void Emitted(IEnumerable<ServiceEvent> events)
    {
        foreach (var group in events.GroupBy(e => e.Service.Key, StringComparer.Ordinal))
        {
            _last[group.Key] = group.Select(e => (e.Reason, e.Message)).ToHashSet();
        }
    }

    /// <summary>Forgets Services that no longer exist.</summary>
    public void Retain(IEnumerable<string> serviceKeys)
    {
        var keep = serviceKeys.ToHashSet(StringComparer.Ordinal);
        foreach (var key in _last.Keys.Where(k => !keep.Contains(k)).ToArray())
        {
            _last.Remove(key);
        }
    }

    /// <summary>Forgets everything (a new leadership term: the new leader says once what holds).</summary>
    public void Clear() => _last.Clear();
}
