using System.Net;
using BgpKit.Bfd.Transport;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>
/// The echo function's neighbour cache: one read of the interface's table serves every peer for a second,
/// a missing peer is looked for every 100 ms, and a failed send forces a read.
/// </summary>
public sealed class NeighbourCacheTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("fd00:b6d::2");
    private static readonly IPAddress OtherPeer = IPAddress.Parse("fd00:b6d::3");
    private readonly ManualTimeProvider _time = new();
    private readonly Dictionary<IPAddress, byte[]> _kernel = new()
    {
        [Peer] = [0x02, 0, 0, 0, 0, 0x02],
        [OtherPeer] = [0x02, 0, 0, 0, 0, 0x03],
    };
    private int _reads;

    private NeighbourCache Cache() => new(_time, table =>
    {
        _reads++;
        foreach (var (address, mac) in _kernel)
        {
            table[address] = (byte[])mac.Clone();
        }
    });

    [Fact]
    public void One_read_a_second_serves_every_peer_not_one_per_packet()
    {
        var cache = Cache();
        var mac = new byte[6];
        // Two sessions' echo every 50 ms for just under a second: one read.
        for (var i = 0; i < 20; i++)
        {
            Assert.True(cache.TryGet(Peer, mac));
            Assert.Equal(0x02, mac[5]);
            Assert.True(cache.TryGet(OtherPeer, mac));
            Assert.Equal(0x03, mac[5]);
            _time.Advance(TimeSpan.FromMilliseconds(49));
        }
        Assert.Equal(1, _reads);

        // At the refresh boundary (1 s after the read) the table is read again, and a moved peer is seen.
        _kernel[Peer] = [0x02, 0, 0, 0, 0, 0x09];
        _time.Advance(TimeSpan.FromMilliseconds(1000 - 20 * 49 - 1));
        Assert.True(cache.TryGet(Peer, mac));
        Assert.Equal(0x02, mac[5]);
        Assert.Equal(1, _reads);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(cache.TryGet(Peer, mac));
        Assert.Equal(2, _reads);
        Assert.Equal(0x09, mac[5]);
    }

    [Fact]
    public void A_missing_peer_is_looked_for_every_100_ms_and_a_failed_send_forces_a_read()
    {
        var cache = Cache();
        var mac = new byte[6];
        var missing = IPAddress.Parse("fd00:b6d::4");
        Assert.False(cache.TryGet(missing, mac));
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(cache.TryGet(missing, mac));
        Assert.Equal(1, _reads);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _kernel[missing] = [0x02, 0, 0, 0, 0, 0x04];
        Assert.True(cache.TryGet(missing, mac));
        Assert.Equal(2, _reads);
        Assert.Equal(0x04, mac[5]);

        cache.Invalidate();
        Assert.True(cache.TryGet(Peer, mac));
        Assert.Equal(3, _reads);
    }
}
