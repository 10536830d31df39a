using System.Net;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// Peers' MAC addresses for the echo function, read from the kernel's neighbour table at most once per
/// <see cref="Refresh"/> while known (echo is sent every few tens of milliseconds; reading the table per
/// packet would be wasteful) and at most once per <see cref="Retry"/> while not. A stale MAC lasts at most
/// one refresh; <see cref="Invalidate"/> forces a new read (after a failed send). One thread uses it: the
/// endpoint's loop.
/// </summary>
internal sealed class NeighbourCache
{
    /// <summary>How long a known MAC is used before the table is read again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    /// <summary>How often an unknown neighbour is looked up again.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time;
    private readonly Lookup _lookup;
    private readonly Dictionary<IPAddress, Entry> _entries = new();

    /// <summary>Reads one neighbour's MAC (6 bytes) from the table; false when it has no usable entry.</summary>
    public delegate bool Lookup(IPAddress peer, Span<byte> mac);

    public NeighbourCache(TimeProvider time, Lookup lookup)
    {
        _time = time;
        _lookup = lookup;
    }

    /// <summary>The MAC of <paramref name="peer"/>, from the cache or a fresh lookup; false when unknown.</summary>
    public bool TryGet(IPAddress peer, Span<byte> mac)
    {
        var now = _time.GetTimestamp();
        if (!_entries.TryGetValue(peer, out var entry))
        {
            entry = new Entry();
            _entries.Add(peer, entry);
        }
        else if (_time.GetElapsedTime(entry.CheckedAt, now) < (entry.Known ? Refresh : Retry))
        {
            entry.Mac.CopyTo(mac);
            return entry.Known;
        }
        Span<byte> found = stackalloc byte[6];
        entry.Known = _lookup(peer, found);
        entry.CheckedAt = now;
        if (entry.Known)
        {
            found.CopyTo(entry.Mac);
        }
        entry.Mac.CopyTo(mac);
        return entry.Known;
    }

    /// <summary>Forgets <paramref name="peer"/>'s MAC: the next <see cref="TryGet"/> reads the table.</summary>
    public void Invalidate(IPAddress peer) => _entries.Remove(peer);

    private sealed class Entry
    {
        public readonly byte[] Mac = new byte[6];
        public bool Known;
        public long CheckedAt;
    }
}
