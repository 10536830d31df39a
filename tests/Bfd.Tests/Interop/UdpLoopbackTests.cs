using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>Two of our endpoints over real UDP on loopback (own addresses, a free port): the transport, TTL and auth.</summary>
[Trait("Category", "Interop")]
public sealed class UdpLoopbackTests
{
    private static readonly IPAddress A = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress B = IPAddress.Parse("127.0.0.4");

    // batched: recvmmsg/sendmmsg driven by the loop (Linux); false: the portable path, a receive thread per link.
    private static BfdEndpoint Endpoint(int port, int seed, bool batched = true) =>
        new(TimeProvider.System, new Random(seed), null, null, null, port, inline: false, batched: batched);

    private static int SharedFreePort()
    {
        for (var i = 0; i < 20; i++)
        {
            var port = FreePort.Udp(A);
            if (port == FreePort.Udp(B) || IsFree(B, port))
            {
                return port;
            }
        }
        throw new InvalidOperationException("no UDP port free on both addresses");
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var s = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            s.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static readonly BfdProfile Fast = new() { TransmitInterval = TimeSpan.FromMilliseconds(50), ReceiveInterval = TimeSpan.FromMilliseconds(50) };

    [Theory]
    [InlineData(BfdAuthenticationType.SimplePassword)]
    [InlineData(BfdAuthenticationType.KeyedSha1)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedMd5)]
    public async Task Authenticated_session_comes_up_and_a_wrong_key_stays_down(BfdAuthenticationType type)
    {
        var port = SharedFreePort();
        await using var a = Endpoint(port, 1);
        await using var b = Endpoint(port, 2);
        var key = BfdAuthenticationKey.FromString(type, 3, "loopback-key");
        var sa = a.StartSession(new BfdSessionOptions(A, B) { Profile = Fast, Authentication = key });
        var sb = b.StartSession(new BfdSessionOptions(B, A) { Profile = Fast, Authentication = key });
        Assert.True(await Bfdd.WaitForState(sa, BfdState.Up));
        Assert.True(await Bfdd.WaitForState(sb, BfdState.Up));
        await sb.DisposeAsync();
        Assert.True(await Bfdd.WaitForState(sa, BfdState.Down));

        var wrong = b.StartSession(new BfdSessionOptions(B, A) { Profile = Fast, Authentication = BfdAuthenticationKey.FromString(type, 3, "other-key") });
        Assert.False(Bfdd.WaitFor(() => sa.State == BfdState.Up || wrong.State != BfdState.Down, 1.5));
        // Our first session keeps its stale Your Discriminator until its detection time (3 s at the slow-start
        // rate) passes; after that the wrong-key packets reach the new session and are refused there.
        Assert.True(Bfdd.WaitFor(() => wrong.GetStatus().ControlPacketsReceived > 0, 10), "packets never reached the wrong-key session");
        Assert.Equal(BfdState.Down, wrong.State);
        Assert.Equal(BfdState.Down, sa.State);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Wildcard_endpoint_demultiplexes_by_destination_address(bool batched)
    {
        var port = SharedFreePort();
        var c = IPAddress.Parse("127.0.0.5");
        // A listens on 0.0.0.0:port for two local addresses; B binds 127.0.0.4:port (more specific, so it gets its own packets).
        // Batched, A sends both sessions' packets through one socket, each from its own address (IP_PKTINFO):
        // B checks the source against the session, so a wrong source would keep them Down.
        await using var a = new BfdEndpoint(TimeProvider.System, new Random(4), null, null, null, port, inline: false, listenOnAnyAddress: true, batched: batched);
        await using var b = Endpoint(port, 5, batched);
        var a1 = a.StartSession(new BfdSessionOptions(A, B) { Profile = Fast });
        var a2 = a.StartSession(new BfdSessionOptions(c, B) { Profile = Fast });
        var b1 = b.StartSession(new BfdSessionOptions(B, A) { Profile = Fast });
        var b2 = b.StartSession(new BfdSessionOptions(B, c) { Profile = Fast });
        foreach (var s in new[] { a1, a2, b1, b2 })
        {
            Assert.True(await Bfdd.WaitForState(s, BfdState.Up), s.ToString());
        }
        Assert.Equal(b1.LocalDiscriminator, a1.GetStatus().RemoteDiscriminator);
        Assert.Equal(b2.LocalDiscriminator, a2.GetStatus().RemoteDiscriminator);
    }

    [Fact]
    public async Task Ipv6_session_to_itself_reads_the_hop_limit()
    {
        // ::1 is the only IPv6 loopback address, so the session talks to itself: its own packets come back
        // with hop limit 255 and drive it Down -> Init -> Up like a peer's would.
        int port;
        using (var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetworkV6, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        await using var endpoint = Endpoint(port, 3);
        var session = endpoint.StartSession(new BfdSessionOptions(IPAddress.IPv6Loopback, IPAddress.IPv6Loopback) { Profile = Fast });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up));
    }
}
