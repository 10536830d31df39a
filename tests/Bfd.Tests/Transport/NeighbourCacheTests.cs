using System.Net;
using BgpKit.Bfd.Transport;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>The echo function's neighbour cache: the table is read once a second while the MAC is known, every 100 ms while not, and again after a failed send.</summary>
public sealed class NeighbourCacheTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("fd00:b6d::2");
    private readonly ManualTimeProvider _time = new();
    private int _lookups;
    private byte[]? _table = [0x02, 0, 0, 0, 0, 0x02];

    private NeighbourCache Cache() => new(_time, (_, mac) =>
    {
        _lookups++;
        if (_table is null)
        {
            return false;
        }
        _table.CopyTo(mac);
        return true;
    });

    [Fact]
    public void A_known_MAC_is_read_once_per_second_not_per_packet()
    {
        var cache = Cache();
        var mac = new byte[6];
        // Echo every 50 ms for just under a second: one read.
        for (var i = 0; i < 20; i++)
        {
            Assert.True(cache.TryGet(Peer, mac));
            _time.Advance(TimeSpan.FromMilliseconds(49));
        }
        Assert.Equal(1, _lookups);
        Assert.Equal(new byte[] { 0x02, 0, 0, 0, 0, 0x02 }, mac);

        // At the refresh boundary (1 s after the read), the table is read again and a moved peer is seen.
        _table = [0x02, 0, 0, 0, 0, 0x03];
        _time.Advance(TimeSpan.FromMilliseconds(1000 - 20 * 49 - 1));
        Assert.True(cache.TryGet(Peer, mac));
        Assert.Equal(1, _lookups);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(cache.TryGet(Peer, mac));
        Assert.Equal(2, _lookups);
        Assert.Equal(0x03, mac[5]);
    }

    [Fact]
    public void An_unknown_neighbour_is_retried_every_100_ms_and_a_failed_send_forces_a_read()
    {
        _table = null;
        var cache = Cache();
        var mac = new byte[6];
        Assert.False(cache.TryGet(Peer, mac));
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(cache.TryGet(Peer, mac));
        Assert.Equal(1, _lookups);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _table = [0x02, 0, 0, 0, 0, 0x04];
        Assert.True(cache.TryGet(Peer, mac));
        Assert.Equal(2, _lookups);

        cache.Invalidate(Peer);
        Assert.True(cache.TryGet(Peer, mac));
        Assert.Equal(3, _lookups);
    }
}
