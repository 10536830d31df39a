using BgpKit.Bfd;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>BFD control packets (src/Bfd): decode reports errors as values, and decode -> encode -> decode is stable.</summary>
internal sealed class BfdHarness : Harness
{
    public override string Name => "bfd";

    public override IReadOnlyList<byte[]> LoadSeeds(string? corpus) => Seeds.BfdPackets(corpus);

    public override void Execute(byte[] input)
    {
        if (BfdControlPacket.TryDecode(input, out var packet) != BfdDecodeError.None)
        {
            return;
        }
        var first = new byte[BfdControlPacket.MaximumLength + 64];
        if (!packet.TryEncode(first, out var written))
        {
            throw new FuzzPropertyException("a decoded BFD packet does not encode");
        }
        var error = BfdControlPacket.TryDecode(first.AsSpan(0, written), out var again);
        if (error != BfdDecodeError.None)
        {
            throw new FuzzPropertyException($"a re-encoded BFD packet does not decode: {error}");
        }
        var second = new byte[first.Length];
        again.TryEncode(second, out var secondWritten);
        if (!first.AsSpan(0, written).SequenceEqual(second.AsSpan(0, secondWritten)))
        {
            throw new FuzzPropertyException("BFD decode -> encode -> decode -> encode is not stable");
        }
    }
}
