using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bgp.Wire.Tests.Attributes;

/// <summary>Every attribute type round-trips through its encoding (FsCheck, fixed seed).</summary>
public class AttributeRoundTripProperties
{
    [Fact]
    public void Path_attributes_round_trip_on_both_as_sizes()
    {
        var gen = from fourOctet in Gen.Elements(true, false)
                  from attributes in WireArbitrary.Attributes(fourOctet)
                  select (fourOctet, attributes);
        Check.One(WireArbitrary.Config(400), Prop.ForAll(Arb.From(gen), t =>
        {
            var context = new BgpDecodeContext { FourOctetAs = t.fourOctet };
            var field = new byte[t.attributes.GetEncodedLength(context)];
            var written = t.attributes.Write(field, context);
            var decoded = PathAttributes.Decode(field, context, out var reach, out var unreach);
            return written == field.Length && reach is null && unreach is null && Equals(decoded, t.attributes)
                && decoded!.GetHashCode() == t.attributes.GetHashCode();
        }));
    }

    [Fact]
    public void Four_octet_paths_survive_a_two_octet_session()
    {
        // RFC 6793: AS_TRANS in AS_PATH/AGGREGATOR plus AS4_PATH/AS4_AGGREGATOR give back the 4-octet values.
        var asns = Gen.ArrayOf(WireArbitrary.Asn(fourOctet: true)).Select(a => a.Take(20).ToArray()).Where(a => a.Length > 0);
        var gen = from sequence in asns
                  from set in Gen.ArrayOf(WireArbitrary.Asn(fourOctet: true)).Select(a => a.Take(5).ToArray())
                  from aggregator in WireArbitrary.Asn(fourOctet: true)
                  select new PathAttributes
                  {
                      AsPath = new AsPath(set.Length == 0
                          ? [new AsPathSegment(AsPathSegmentType.AsSequence, sequence)]
                          : [new AsPathSegment(AsPathSegmentType.AsSequence, sequence), new AsPathSegment(AsPathSegmentType.AsSet, set)]),
                      Aggregator = new Aggregator(aggregator, 1),
                  };
        Check.One(WireArbitrary.Config(300), Prop.ForAll(Arb.From(gen), attributes =>
        {
            var context = BgpDecodeContext.Default;
            var field = new byte[attributes.GetEncodedLength(context)];
            attributes.Write(field, context);
            var decoded = PathAttributes.Decode(field, context, out _, out _)!;
            return Equals(decoded.AsPath, attributes.AsPath) && decoded.Aggregator == attributes.Aggregator;
        }));
    }
}
