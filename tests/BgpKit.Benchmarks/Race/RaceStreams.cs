using System.Buffers;
using BgpKit.Bgp.Wire;

namespace BgpKit.Benchmarks.Race;

/// <summary>The two UPDATE streams of the ingest race, encoded once with Bgp.Wire and sent byte for byte to every receiver.</summary>
internal static class RaceStreams
{
    /// <summary>192.0.2.254: GoBGP 3.10 treats a loopback NEXT_HOP as a withdrawal (INTEROP.md).</summary>
    public const uint NextHop = 0xC00002FE;

    /// <summary>
    /// Whole BGP messages (headers included) announcing <paramref name="routes"/> /32 prefixes from 11.0.0.0.
    /// Shared: one attribute set, packed into 4096-octet UPDATEs. Distinct: one prefix and one attribute set per
    /// UPDATE (MED and a community carry the route's number), the shape of a table of many small announcements.
    /// </summary>
    public static byte[] Encode(string shape, int routes)
    {
        var context = BgpDecodeContext.FourOctetAsDefault;
        var builder = new UpdateBuilder(context);
        var output = new ArrayBufferWriter<byte>(routes * (shape == "shared" ? 5 : 64) + 65536);
        if (shape == "shared")
        {
            var attributes = new PathAttributes
            {
                Origin = Origin.Igp,
                AsPath = AsPath.Sequence(65001),
                NextHop = NextHop,
                Communities = [new Community(65001, 1)],
            };
            var nlri = new Nlri[routes];
            for (var i = 0; i < routes; i++)
            {
                nlri[i] = Prefix.FromIPv4(0x0B000000u + (uint)i, 32);
            }
            builder.WriteAnnouncements(output, attributes, nlri);
            return output.WrittenSpan.ToArray();
        }
        if (shape != "distinct")
        {
            throw new ArgumentException($"unknown shape '{shape}' (shared, distinct)", nameof(shape));
        }
        Span<Nlri> one = new Nlri[1];
        for (var i = 0; i < routes; i++)
        {
            var attributes = new PathAttributes
            {
                Origin = Origin.Igp,
                AsPath = AsPath.Sequence(65001),
                NextHop = NextHop,
                MultiExitDisc = (uint)i,
                Communities = [new Community(65001, (ushort)i)],
            };
            one[0] = Prefix.FromIPv4(0x0B000000u + (uint)i, 32);
            builder.WriteAnnouncements(output, attributes, one);
        }
        return output.WrittenSpan.ToArray();
    }
}
