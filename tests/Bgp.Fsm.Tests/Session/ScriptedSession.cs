using System.Buffers;
using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>A real loopback session driven by a <see cref="FakePeer"/>: establish it, send UPDATEs and wait until the session handled them.</summary>
internal static class ScriptedSession
{
    internal static readonly PathAttributes Attributes = new() { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002), NextHop = 0xC0000201 };

    internal static async Task<BgpSession> Establish(FakePeer fake, BgpSpeaker speaker, BgpPeerOptions peer, params Capability[] extra)
    {
        await speaker.AddPeerAsync(peer);
        var session = speaker.Session(IPAddress.Loopback);
        await fake.AcceptAsync();
        await fake.ReadUntilAsync<OpenMessage>();
        fake.SendOpen(65002, 9, "10.0.0.2", [new MultiprotocolCapability(AfiSafi.IPv6Unicast), .. extra]);
        await fake.ReadUntilAsync<KeepaliveMessage>();
        fake.SendKeepalive();
        await Poll.UntilAsync(() => session.State == SessionState.Established, "Established");
        return session;
    }

    internal static Nlri[] V4Prefixes(int from, int count) =>
        Enumerable.Range(from, count).Select(i => (Nlri)Prefix.FromIPv4(0x0B000000u + ((uint)i << 8), 24)).ToArray();

    /// <summary>Sends UPDATEs (announcements, or withdrawals when <paramref name="withdraw"/>) and waits until the session has handled them.</summary>
    internal static async Task Send(FakePeer fake, BgpSession session, Nlri[] nlri, bool withdraw = false, BgpDecodeContext? context = null)
    {
        var output = new ArrayBufferWriter<byte>();
        var builder = new UpdateBuilder(context ?? BgpDecodeContext.FourOctetAsDefault);
        if (withdraw)
        {
            builder.WriteWithdrawals(output, nlri);
        }
        else
        {
            builder.WriteAnnouncements(output, Attributes, nlri, IPAddress.Parse("2001:db8::2"));
        }
        await SendRaw(fake, session, output.WrittenSpan.ToArray());
    }

    internal static async Task SendRaw(FakePeer fake, BgpSession session, byte[] messages)
    {
        var updates = 0;
        for (var at = 0; at < messages.Length; at += System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(messages.AsSpan(at + 16)))
        {
            updates++;
        }
        var expected = Volatile.Read(ref session.Counters.UpdatesReceived) + updates;
        fake.Send(messages);
        await Poll.UntilAsync(() => Volatile.Read(ref session.Counters.UpdatesReceived) >= expected, "UPDATEs received");
        await session.BarrierAsync();
    }

    internal static async Task<SessionState> Settled(BgpSession session)
    {
        await session.BarrierAsync();
        return session.State;
    }
}
