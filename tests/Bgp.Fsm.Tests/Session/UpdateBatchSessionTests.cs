using System.Buffers;
using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using static BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606.MalformedUpdate;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>
/// UPDATEs that arrive in one socket read reach the session as one batch (one hand-off, not one per UPDATE); each is
/// still its own UpdateMsg event, in order, and the walk stops where one takes the session down.
/// </summary>
public class UpdateBatchSessionTests
{
    private static byte[] Mandatory65002 => [.. Origin(), .. AsPath(65002), .. NextHop()];

    private static BgpPeerOptions Peer(int port) => new()
    {
        Address = IPAddress.Loopback,
        RemoteAs = 65002,
        HoldTime = TimeSpan.FromSeconds(90),
        Families = [AfiSafi.IPv4Unicast],
        Transport = new TransportOptions { RemotePort = port, ConnectRetryTime = TimeSpan.FromSeconds(30), Ttl = 64 },
        IdleHoldTime = TimeSpan.FromSeconds(30),
        KeepAdjRibIn = true,
    };

    [Fact]
    public async Task Thousands_of_one_prefix_updates_in_one_write_all_reach_the_adj_rib_in()
    {
        await using var fake = new FakePeer();
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });
        var session = await ScriptedSession.Establish(fake, speaker, Peer(fake.Port));
        var output = new ArrayBufferWriter<byte>();
        var builder = new UpdateBuilder(BgpDecodeContext.FourOctetAsDefault);
        for (var i = 0; i < 5000; i++)
        {
            var attributes = new PathAttributes { Origin = Wire.Origin.Igp, AsPath = Wire.AsPath.Sequence(65002), NextHop = 0xC0000201, MultiExitDisc = (uint)i };
            builder.WriteAnnouncements(output, attributes, [Prefix.FromIPv4(0x0B000000u + (uint)i, 32)]);
        }
        // A KEEPALIVE after them: a message of another type ends the batch and is handled after it.
        var before = Volatile.Read(ref session.Counters.KeepalivesReceived);
        await ScriptedSession.SendRaw(fake, session, output.WrittenSpan.ToArray());
        fake.SendKeepalive();
        await Poll.UntilAsync(() => Volatile.Read(ref session.Counters.KeepalivesReceived) > before, "the KEEPALIVE after the UPDATEs");
        Assert.Equal(5000, Volatile.Read(ref session.Counters.UpdatesReceived));
        Assert.Equal(5000, Volatile.Read(ref session.Counters.PrefixesReceived));
        Assert.Equal(SessionState.Established, await ScriptedSession.Settled(session));
    }

    [Fact]
    public async Task A_malformed_update_in_the_middle_of_a_write_applies_those_before_it_and_resets()
    {
        await using var fake = new FakePeer();
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });
        var session = await ScriptedSession.Establish(fake, speaker, Peer(fake.Port));
        var received = new List<Prefix>();
        speaker.RouteReceived += (_, route) =>
        {
            lock (received)
            {
                received.Add(route.Prefix);
            }
        };
        byte[] stream =
        [
            .. Message(Body([.. Mandatory65002, .. Med(1)], V4(10, 0, 1))),
            .. Message(Body([.. Mandatory65002, .. Med(2)], V4(10, 0, 2))),
            // RFC 7606 section 5.3: a malformed Withdrawn Routes field resets the session.
            .. Message(Body([.. Mandatory65002, .. Med(3)], V4(10, 0, 3), withdrawn: [40, 10, 0, 0, 0, 0, 0])),
            .. Message(Body([.. Mandatory65002, .. Med(4)], V4(10, 0, 4))),
        ];
        fake.Send(stream);
        var notification = await fake.ReadUntilAsync<NotificationMessage>();
        Assert.Equal(BgpErrorCode.UpdateMessageError, notification.Code);
        Assert.Equal((byte)UpdateMessageErrorSubcode.InvalidNetworkField, notification.Subcode);
        Assert.NotEqual(SessionState.Established, await ScriptedSession.Settled(session));
        // The two before it were applied (and heard); the one after it never was.
        Assert.Equal(3, Volatile.Read(ref session.Counters.UpdatesReceived));
        lock (received)
        {
            Assert.Contains(Prefix.Parse("10.0.1.0/24"), received);
            Assert.Contains(Prefix.Parse("10.0.2.0/24"), received);
            Assert.DoesNotContain(Prefix.Parse("10.0.4.0/24"), received);
        }
    }
}
