using BgpKit.Bgp.Wire.Capture;
using BgpKit.Bgp.Wire.Mrt;
using BgpKit.Fuzz.Harnesses;

namespace BgpKit.Bgp.Wire.Tests.Fuzz;

/// <summary>
/// The hand-built seeds in fuzz/corpus/HARNESS/seed-*.bin are where AFL++ starts: each must be a valid input
/// that reaches the deep end of its decoder, or the fuzzer spends its time rediscovering the header.
/// </summary>
public class SyntheticSeedTests
{
    private static readonly BgpDecodeContext[] Contexts =
    [
        BgpDecodeContext.Default,
        BgpDecodeContext.FourOctetAsDefault,
        BgpDecodeContext.FourOctetAsDefault.WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Both),
    ];

    [Fact]
    public void Every_BGP_seed_decodes_in_some_session_context()
    {
        var messages = SyntheticSeeds.Updates()
            .Concat(SyntheticSeeds.NotificationsAndRefresh())
            .Append(SyntheticSeeds.Open())
            .Append(SyntheticSeeds.OpenExtended())
            .ToList();
        foreach (var message in messages)
        {
            var decoded = Contexts.Count(context =>
            {
                try
                {
                    return BgpMessage.Decode(message, context).ToArray(context).Length > 0;
                }
                catch (BgpWireException)
                {
                    return false;
                }
            });
            Assert.True(decoded > 0, $"seed {Convert.ToHexString(message)} decodes in no context");
        }
    }

    [Fact]
    public void Capture_seeds_yield_the_session_messages_and_the_BFD_packet()
    {
        foreach (var capture in SyntheticSeeds.Captures())
        {
            using var decoder = CaptureDecoder.Open(new MemoryStream(capture), out var problem);
            Assert.NotNull(decoder);
            var kinds = new List<CaptureItemKind>();
            while (decoder.TryRead(out var item))
            {
                kinds.Add(item.Kind);
            }
            // OPEN + KEEPALIVE one way, OPEN + KEEPALIVE + an UPDATE split across two segments the other.
            Assert.Equal(5, kinds.Count(k => k == CaptureItemKind.BgpMessage));
            Assert.Equal(1, kinds.Count(k => k == CaptureItemKind.BfdPacket));
        }
    }

    [Fact]
    public void Mrt_seeds_are_whole_records()
    {
        foreach (var dump in SyntheticSeeds.Mrt())
        {
            using var reader = new MrtReader(new MemoryStream(dump));
            var records = 0;
            while (reader.TryReadRecord(out _))
            {
                records++;
            }
            Assert.True(records > 0);
            Assert.Null(reader.Problem);
        }
    }
}
