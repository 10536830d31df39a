using System.Collections.Concurrent;
using System.Net;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// Peers' MAC addresses for the echo function: a copy of one interface's neighbour table (ARP for IPv4, the
/// IPv6 neighbour table), read again at most once per <see cref="Refresh"/> while the wanted peer is in it (echo
/// goes out every few tens of milliseconds per session; reading the table per packet, or per peer, would be
/// wasteful) and at most once per <see cref="Retry"/> while it is not. One read serves every session on the
/// interface. A MAC that changes while echo runs is caught sooner than the refresh: when a session's echo did
/// not come back before its next one is due (one echo interval), that next one reads the table first unless it
/// was read since the lost echo left. <see cref="Invalidate"/> forces a read (after a failed send).
/// <see cref="TryGet"/> and <see cref="Invalidate"/> run on one thread (the endpoint's loop);
/// <see cref="Returned"/> on the echo socket's receive thread.
/// </summary>
internal sealed class NeighbourCache
{
    /// <summary>How long the copy is used for a peer found in it.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    /// <summary>How often the table is read again while a wanted peer is missing from it.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A session whose echo has not gone out for this long is forgotten (it ended, or stopped echo); echo
    /// intervals are at most 60 s, so a running session is not.
    /// </summary>
    public static readonly TimeSpan Forget = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time;
    private readonly Read _read;
    private readonly Dictionary<IPAddress, byte[]> _table = new();
    // By the session's discriminator (what a returned echo carries): its last echo, and whether it came back.
    private readonly ConcurrentDictionary<uint, Echo> _echoes = new();
    private long _readAt;
    private bool _valid;

    /// <summary>Fills <paramref name="table"/> with the interface's usable neighbours (address to 6-byte MAC).</summary>
    public delegate void Read(Dictionary<IPAddress, byte[]> table);

    public NeighbourCache(TimeProvider time, Read read)
    {
        _time = time;
        _read = read;
    }

    /// <summary>
    /// The MAC to send <paramref name="session"/>'s next echo to <paramref name="peer"/> with, from the copy or
    /// a fresh read; false when the table has none. True means the echo goes now: it is then waited for.
    /// </summary>
    public bool TryGet(IPAddress peer, uint session, Span<byte> mac)
    {
        var now = _time.GetTimestamp();
        var echo = _echoes.GetOrAdd(session, static (_, now) => new Echo { SentAt = now }, now);
        // Lost and the table not read since it left: the peer's MAC may have changed (RFC 5880 6.8.5 leaves
        // the echo detection time, our multiplier x echo interval, to catch it; one interval is early enough).
        var lost = echo.Waiting && _readAt <= echo.SentAt;
        var known = _table.TryGetValue(peer, out var found);
        if (!_valid || lost || _time.GetElapsedTime(_readAt, now) >= (known ? Refresh : Retry))
        {
            ReadTable(now);
            known = _table.TryGetValue(peer, out found);
        }
        if (!known || found!.Length != mac.Length)
        {
            echo.Waiting = false;
            return false;
        }
        found.CopyTo(mac);
        // Before the send, so that an echo back within microseconds is not taken for the previous one.
        echo.SentAt = now;
        echo.Waiting = true;
        return true;
    }

    /// <summary>An echo of <paramref name="session"/> came back (any thread).</summary>
    public void Returned(uint session)
    {
        if (_echoes.TryGetValue(session, out var echo))
        {
            echo.Waiting = false;
        }
    }

    /// <summary>Forgets the copy: the next <see cref="TryGet"/> reads the table.</summary>
    public void Invalidate() => _valid = false;

    private void ReadTable(long now)
    {
        _table.Clear();
        _read(_table);
        _readAt = now;
        _valid = true;
        foreach (var (session, echo) in _echoes)
        {
            if (_time.GetElapsedTime(echo.SentAt, now) >= Forget)
            {
                _echoes.TryRemove(session, out _);
            }
        }
    }

    private sealed class Echo
    {
        // Written on the loop; Waiting also cleared by the receive thread.
        public long SentAt;
        public volatile bool Waiting;
    }
}
