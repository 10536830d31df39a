using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bgp.Wire.Tests.Primitives;

public class PrimitiveProperties
{
    [Fact]
    public void Prefix_text_and_nlri_round_trip() =>
        Check.One(WireArbitrary.Config(500), Prop.ForAll(Arb.From(WireArbitrary.AnyPrefix), p =>
        {
            var buffer = new byte[20];
            var written = NlriCodec.Write(buffer, new Nlri(p), addPath: false);
            NlriCodec.TryValidate(buffer.AsSpan(0, written), p.IsIPv6, false, out var count);
            NlriCodec.Read(buffer, 0, p.IsIPv6, false, out var back);
            return Prefix.Parse(p.ToString()) == p && Prefix.Create(p.Address, p.Length) == p && p.Contains(p)
                && written == 1 + p.ByteCount && count == 1 && back.Prefix == p;
        }));

    [Fact]
    public void Communities_round_trip_through_text() =>
        Check.One(WireArbitrary.Config(500), Prop.ForAll(Arb.From(WireArbitrary.Community), Arb.From(WireArbitrary.LargeCommunity), Arb.From(WireArbitrary.ExtendedCommunity),
            (c, l, e) => Community.Parse(c.ToString()) == c && LargeCommunity.Parse(l.ToString()) == l
                && ExtendedCommunity.TryParse(e.ToString(), out var back) && back == e));
}
