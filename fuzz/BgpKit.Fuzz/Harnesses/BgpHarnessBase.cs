using BgpKit.Bgp.Wire;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>Shared checks: only <see cref="BgpWireException"/> escapes a decode, and decode -> encode -> decode is stable.</summary>
internal static class BgpChecks
{
    public static readonly BgpDecodeContext[] Contexts =
    [
        BgpDecodeContext.Default,
        BgpDecodeContext.FourOctetAsDefault,
        new BgpDecodeContext { FourOctetAs = true, ExtendedMessage = true }
            .WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Both)
            .WithAddPath(AfiSafi.IPv6Unicast, AddPathDirection.Both),
    ];

    /// <summary>
    /// The issue's "an error is always our typed error with the offset": the offset is set and points into the
    /// input the decoder was given: at most its length (a field cut off by the end of the input starts there),
    /// at most <paramref name="limit"/> when the decoder reads no further.
    /// </summary>
    public static void CheckOffset(BgpError error, int inputLength, int? limit = null)
    {
        var end = Math.Min(limit ?? inputLength, inputLength);
        if (error.Offset is not { } offset || offset < 0 || offset > end)
        {
            throw new FuzzPropertyException($"error offset {error.Offset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"} outside a {inputLength}-octet input: {error}");
        }
    }

    /// <summary>Decodes a whole message; when it decodes, its encoding must decode to a message that encodes the same.</summary>
    public static void DecodeAndRoundTrip(ReadOnlySpan<byte> message, BgpDecodeContext context)
    {
        BgpMessage decoded;
        try
        {
            decoded = BgpMessage.Decode(message, context);
        }
        catch (BgpWireException e)
        {
            CheckOffset(e.Error, message.Length);
            return;
        }
        if (decoded is UpdateMessage { Error: { } lesser })
        {
            CheckOffset(lesser, message.Length);
        }
        byte[] first;
        try
        {
            first = decoded.ToArray(context);
        }
        catch (InvalidOperationException)
        {
            // The message decoded under this context but exceeds what the context lets us send
            // (e.g. an UPDATE longer than 4096 octets read leniently): nothing to compare.
            return;
        }
        BgpMessage again;
        try
        {
            again = BgpMessage.Decode(first, context);
        }
        catch (BgpWireException e)
        {
            throw new FuzzPropertyException($"re-encoded {decoded.Type} does not decode: {e.Error}");
        }
        var second = again.ToArray(context);
        if (!first.AsSpan().SequenceEqual(second))
        {
            throw new FuzzPropertyException($"{decoded.Type}: decode -> encode -> decode -> encode is not stable");
        }
    }
}
