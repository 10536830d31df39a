using BgpKit.Bgp.Wire;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>UPDATE bodies under 2- and 4-octet AS and ADD-PATH contexts: the zero-allocation reader and the message decoder.</summary>
internal sealed class UpdateHarness : Harness
{
    public override string Name => "update";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => Harnesses.SyntheticSeeds.Updates().Select(m => m[19..]).ToList();

    public override IReadOnlyList<byte[]> LoadSeeds(string? corpus) =>
        [.. SyntheticSeeds(), .. Seeds.BgpMessages(corpus).Where(m => m.Length > 19 && m[18] == 2).Select(m => m[19..])];

    public override void Execute(byte[] input)
    {
        var message = Wrap(2, input);
        foreach (var context in BgpChecks.Contexts)
        {
            try
            {
                var reader = UpdateReader.Read(input, context);
                if (reader.Error is { } lesser)
                {
                    BgpChecks.CheckOffset(lesser, input.Length);
                }
                foreach (var _ in reader.Withdrawn)
                {
                }
                foreach (var _ in reader.Attributes)
                {
                }
                foreach (var _ in reader.Nlri)
                {
                }
            }
            catch (BgpWireException e)
            {
                BgpChecks.CheckOffset(e.Error, input.Length);
            }
            if (message.Length <= ushort.MaxValue)
            {
                BgpChecks.DecodeAndRoundTrip(message, context);
            }
        }
    }

    internal static byte[] Wrap(byte type, byte[] body)
    {
        var message = new byte[19 + body.Length];
        message.AsSpan(0, 16).Fill(0xFF);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(16), (ushort)Math.Min(message.Length, ushort.MaxValue));
        message[18] = type;
        body.CopyTo(message, 19);
        return message;
    }
}

/// <summary>OPEN bodies: optional parameters, capabilities (RFC 9072 extended length included).</summary>
internal sealed class OpenHarness : Harness
{
    public override string Name => "open";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => [Harnesses.SyntheticSeeds.Open()[19..], Harnesses.SyntheticSeeds.OpenExtended()[19..]];

    public override IReadOnlyList<byte[]> LoadSeeds(string? corpus) =>
        [.. SyntheticSeeds(), .. Seeds.BgpMessages(corpus).Where(m => m.Length > 19 && m[18] == 1).Select(m => m[19..])];

    public override void Execute(byte[] input)
    {
        var message = UpdateHarness.Wrap(1, input);
        if (message.Length <= ushort.MaxValue)
        {
            BgpChecks.DecodeAndRoundTrip(message, BgpDecodeContext.Default);
        }
    }
}
