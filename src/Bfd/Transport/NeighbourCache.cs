using System.Net;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// Peers' MAC addresses for the echo function: a copy of one interface's neighbour table, read again at most
/// once per <see cref="Refresh"/> while the wanted peer is in it (echo goes out every few tens of milliseconds
/// per session; reading the table per packet, or per peer, would be wasteful) and at most once per
/// <see cref="Retry"/> while it is not. One read serves every session on the interface. A stale MAC lasts at
/// most one refresh; <see cref="Invalidate"/> forces a new read (after a failed send). One thread uses it:
/// the endpoint's loop.
/// </summary>
internal sealed class NeighbourCache
{
    /// <summary>How long the copy is used for a peer found in it.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    /// <summary>How often the table is read again while a wanted peer is missing from it.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time;
    private readonly Read _read;
    private readonly Dictionary<IPAddress, byte[]> _table = new();
    private long _readAt;
    private bool _valid;

    /// <summary>Fills <paramref name="table"/> with the interface's usable neighbours (address to 6-byte MAC).</summary>
    public delegate void Read(Dictionary<IPAddress, byte[]> table);

    public NeighbourCache(TimeProvider time, Read read)
    {
        _time = time;
        _read = read;
    }

    /// <summary>The MAC of <paramref name="peer"/>, from the copy or a fresh read; false when the table has none.</summary>
    public bool TryGet(IPAddress peer, Span<byte> mac)
    {
        var now = _time.GetTimestamp();
        var known = _table.TryGetValue(peer, out var found);
        if (!_valid || _time.GetElapsedTime(_readAt, now) >= (known ? Refresh : Retry))
        {
            _table.Clear();
            _read(_table);
            _readAt = now;
            _valid = true;
            known = _table.TryGetValue(peer, out found);
        }
        if (!known || found!.Length != mac.Length)
        {
            return false;
        }
        found.CopyTo(mac);
        return true;
    }

    /// <summary>Forgets the copy: the next <see cref="TryGet"/> reads the table.</summary>
    public void Invalidate() => _valid = false;
}
