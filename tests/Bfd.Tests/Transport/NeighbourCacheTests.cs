using System.Net;
using BgpKit.Bfd.Transport;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>
/// The echo function's neighbour cache (IPv4 and IPv6 alike): one read of the interface's table serves every
/// peer for a second, a missing peer is looked for every 100 ms, a failed send forces a read, and an echo that
/// did not come back makes the session's next echo read the table, so a peer's new MAC is used one echo
/// interval later instead of up to a second later.
/// </summary>
public sealed class NeighbourCacheTests
{
    private const uint Session = 1;
    private const uint OtherSession = 2;
    private static readonly IPAddress Peer = IPAddress.Parse("fd00:b6d::2");
    private static readonly IPAddress OtherPeer = IPAddress.Parse("10.0.0.3");
    private static readonly TimeSpan EchoInterval = TimeSpan.FromMilliseconds(50);
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
    public void One_read_a_second_serves_every_peer_while_their_echoes_come_back()
    {
        var cache = Cache();
        var mac = new byte[6];
        // Two sessions' echo every 49 ms for just under a second, each one returned: one read.
        for (var i = 0; i < 20; i++)
        {
            Assert.True(cache.TryGet(Peer, Session, mac));
            Assert.Equal(0x02, mac[5]);
            cache.Returned(Session);
            Assert.True(cache.TryGet(OtherPeer, OtherSession, mac));
            Assert.Equal(0x03, mac[5]);
            cache.Returned(OtherSession);
            _time.Advance(TimeSpan.FromMilliseconds(49));
        }
        Assert.Equal(1, _reads);

        // At the refresh boundary (1 s after the read) the table is read again, and a moved peer is seen.
        _kernel[Peer] = [0x02, 0, 0, 0, 0, 0x09];
        _time.Advance(TimeSpan.FromMilliseconds(1000 - 20 * 49 - 1));
        Assert.True(cache.TryGet(Peer, Session, mac));
        cache.Returned(Session);
        Assert.Equal(0x02, mac[5]);
        Assert.Equal(1, _reads);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(cache.TryGet(Peer, Session, mac));
        Assert.Equal(2, _reads);
        Assert.Equal(0x09, mac[5]);
    }

    [Fact]
    public void A_missing_peer_is_looked_for_every_100_ms_and_a_failed_send_forces_a_read()
    {
        var cache = Cache();
        var mac = new byte[6];
        var missing = IPAddress.Parse("fd00:b6d::4");
        Assert.False(cache.TryGet(missing, Session, mac));
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(cache.TryGet(missing, Session, mac));
        Assert.Equal(1, _reads);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _kernel[missing] = [0x02, 0, 0, 0, 0, 0x04];
        Assert.True(cache.TryGet(missing, Session, mac));
        Assert.Equal(2, _reads);
        Assert.Equal(0x04, mac[5]);

        cache.Invalidate();
        Assert.True(cache.TryGet(Peer, OtherSession, mac));
        Assert.Equal(3, _reads);
    }

    [Fact]
    public void A_peer_whose_MAC_changes_while_Up_gets_the_next_echo_at_its_new_MAC_one_echo_interval_later()
    {
        var cache = Cache();
        var mac = new byte[6];
        Assert.True(cache.TryGet(Peer, Session, mac));
        cache.Returned(Session);
        _time.Advance(EchoInterval);

        // The peer moves (a new NIC, a failover): the kernel learns its new MAC (gratuitous ARP, unsolicited
        // NA), our copy still has the old one, and the echo sent to it is lost.
        _kernel[Peer] = [0x02, 0, 0, 0, 0, 0x09];
        Assert.True(cache.TryGet(Peer, Session, mac));
        Assert.Equal(0x02, mac[5]);
        Assert.Equal(1, _reads);

        // One echo interval later, with no echo back, the next echo reads the table first: it goes to the new
        // MAC, 100 ms after the move, where the echo detection time (multiplier 3 x 50 ms) is still running.
        _time.Advance(EchoInterval);
        Assert.True(cache.TryGet(Peer, Session, mac));
        Assert.Equal(2, _reads);
        Assert.Equal(0x09, mac[5]);
        cache.Returned(Session);

        // Back to one read a second.
        for (var i = 0; i < 19; i++)
        {
            _time.Advance(EchoInterval);
            Assert.True(cache.TryGet(Peer, Session, mac));
            cache.Returned(Session);
        }
        Assert.Equal(2, _reads);
    }

    [Fact]
    public void Lost_echoes_of_many_sessions_cost_one_read_per_echo_interval_not_one_per_session()
    {
        var cache = Cache();
        var mac = new byte[6];
        var peers = Enumerable.Range(1, 100).Select(i => IPAddress.Parse($"10.0.{i / 250}.{i % 250 + 1}")).ToArray();
        foreach (var peer in peers)
        {
            _kernel[peer] = [0x02, 0, 0, 0, 0, 0x05];
        }
        // The link to every peer is cut: 100 sessions, each sending every 50 ms (spread over the interval),
        // none returned, for half a second.
        for (var tick = 0; tick < 500; tick++)
        {
            for (var s = tick % 50; s < peers.Length; s += 50)
            {
                Assert.True(cache.TryGet(peers[s], (uint)s + 1, mac));
            }
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }
        // The first read, then about one per 50 ms: the first lost echo after a read reads again, and that
        // read serves every session whose lost echo left before it.
        Assert.InRange(_reads, 9, 11);
    }

    [Fact]
    public void An_echo_that_comes_back_or_a_read_after_it_left_needs_no_new_read()
    {
        var cache = Cache();
        var mac = new byte[6];
        Assert.True(cache.TryGet(Peer, Session, mac));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        // Another session's failed send makes it read after our echo left: our lost echo is covered.
        cache.Invalidate();
        Assert.True(cache.TryGet(OtherPeer, OtherSession, mac));
        Assert.Equal(2, _reads);
        _time.Advance(EchoInterval);
        Assert.True(cache.TryGet(Peer, Session, mac));
        Assert.Equal(2, _reads);

        // A returned echo from a session the cache does not know changes nothing.
        cache.Returned(99);
        _time.Advance(EchoInterval);
        Assert.True(cache.TryGet(Peer, Session, mac));
        Assert.Equal(3, _reads);
    }
}
