using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bgp.Wire.Tests.Messages;

/// <summary>encode(decode(x)) == x for canonical x of every message type (FsCheck, fixed seed).</summary>
public class MessageRoundTripProperties
{
    private static bool RoundTrips(BgpMessage message, BgpDecodeContext context)
    {
        var bytes = message.ToArray(context);
        var decoded = BgpMessage.Decode(bytes, context);
        return decoded.Type == message.Type && decoded.ToArray(context).AsSpan().SequenceEqual(bytes);
    }

    [Fact]
    public void Update_round_trips()
    {
        var prop = Prop.ForAll(Arb.From(WireArbitrary.Update), t =>
        {
            var (context, update) = t;
            var bytes = update.ToArray(context);
            var decoded = (UpdateMessage)BgpMessage.Decode(bytes, context);
            return decoded.ToArray(context).AsSpan().SequenceEqual(bytes)
                && decoded.Nlri.SequenceEqual(update.Nlri)
                && decoded.Withdrawn.SequenceEqual(update.Withdrawn)
                && Equals(decoded.Attributes, update.Attributes)
                && Equals(decoded.MpReach, update.MpReach)
                && Equals(decoded.MpUnreach, update.MpUnreach);
        });
        Check.One(WireArbitrary.Config(400), prop);
    }

    [Fact]
    public void Update_reader_sees_what_the_materialized_form_holds()
    {
        var prop = Prop.ForAll(Arb.From(WireArbitrary.Update), t =>
        {
            var (context, update) = t;
            var reader = UpdateReader.ReadMessage(update.ToArray(context), context);
            var nlri = new List<Nlri>();
            foreach (var n in reader.Nlri)
            {
                nlri.Add(n);
            }
            var withdrawn = new List<Nlri>();
            foreach (var n in reader.Withdrawn)
            {
                withdrawn.Add(n);
            }
            return nlri.SequenceEqual(update.Nlri) && withdrawn.SequenceEqual(update.Withdrawn);
        });
        Check.One(WireArbitrary.Config(200), prop);
    }

    [Fact]
    public void Open_round_trips() =>
        Check.One(WireArbitrary.Config(), Prop.ForAll(Arb.From(WireArbitrary.Open), open =>
        {
            var decoded = (OpenMessage)BgpMessage.Decode(open.ToArray());
            return RoundTrips(open, BgpDecodeContext.Default) && decoded.Capabilities.SequenceEqual(open.Capabilities) && decoded.Asn == open.Asn;
        }));

    [Fact]
    public void Notification_keepalive_and_route_refresh_round_trip() =>
        Check.One(WireArbitrary.Config(), Prop.ForAll(Arb.From(WireArbitrary.SmallMessage), m => RoundTrips(m, BgpDecodeContext.Default)));

    [Fact]
    public void Chunked_framing_gives_the_same_messages()
    {
        var gen = from messages in Gen.ArrayOf(WireArbitrary.SmallMessage)
                  from chunk in Gen.Choose(1, 64)
                  select (messages, chunk);
        Check.One(WireArbitrary.Config(100), Prop.ForAll(Arb.From(gen), t =>
        {
            var stream = t.messages.SelectMany(m => m.ToArray()).ToArray();
            var pending = new List<byte>();
            var decoded = new List<byte[]>();
            for (var i = 0; i < stream.Length; i += t.chunk)
            {
                pending.AddRange(stream.Skip(i).Take(t.chunk));
                var buffer = new System.Buffers.ReadOnlySequence<byte>(pending.ToArray());
                while (BgpMessageHeader.TryReadMessage(ref buffer, BgpDecodeContext.Default, out _, out var message))
                {
                    decoded.Add(BgpMessage.Decode(message).ToArray());
                }
                pending = System.Buffers.BuffersExtensions.ToArray(buffer).ToList();
            }
            return pending.Count == 0 && decoded.Count == t.messages.Length && decoded.SelectMany(d => d).SequenceEqual(stream);
        }));
    }
}
