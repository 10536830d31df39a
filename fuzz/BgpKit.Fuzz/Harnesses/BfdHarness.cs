using BgpKit.Bfd;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>BFD control packets (src/Bfd): decode reports errors as values, and decode -> encode -> decode is stable.</summary>
internal sealed class BfdHarness : Harness
{
    public override string Name => "bfd";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => Harnesses.SyntheticSeeds.Bfd().ToList();

    public override IReadOnlyList<byte[]> LoadSeeds(string? corpus) => [.. SyntheticSeeds(), .. Seeds.BfdPackets(corpus)];

    public override void Execute(byte[] input)
    {
        Echo(input);
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

    /// <summary>Our echo payload: read never throws, and what it reads writes back to the same 16 octets it came from.</summary>
    private static void Echo(byte[] input)
    {
        if (!BfdEchoPacket.TryRead(input, out var discriminator, out var nonce))
        {
            return;
        }
        var written = new byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(written, discriminator, nonce);
        if (!BfdEchoPacket.TryRead(written, out var again, out var againNonce) || again != discriminator || againNonce != nonce)
        {
            throw new FuzzPropertyException("BFD echo read -> write -> read is not stable");
        }
    }
}
