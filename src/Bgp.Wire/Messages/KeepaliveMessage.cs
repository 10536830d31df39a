namespace BgpKit.Bgp.Wire;

/// <summary>KEEPALIVE (RFC 4271 section 4.4): a header with no body.</summary>
public sealed class KeepaliveMessage : BgpMessage
{
    /// <summary>The one instance; KEEPALIVE carries nothing.</summary>
    public static KeepaliveMessage Instance { get; } = new();

    private static readonly byte[] Encoded = Instance.ToArray();

    private KeepaliveMessage()
    {
    }

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Keepalive;

    /// <summary>The 19 octets of a KEEPALIVE, ready to send.</summary>
    public static ReadOnlySpan<byte> Bytes => Encoded;

    internal static KeepaliveMessage DecodeBody(ReadOnlySpan<byte> body) =>
        body.IsEmpty ? Instance : throw new BgpWireException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageLength, [(byte)((19 + body.Length) >> 8), (byte)(19 + body.Length)], "KEEPALIVE with a body", 0));

    private protected override int GetBodyLength(BgpDecodeContext context) => 0;

    private protected override void WriteBody(Span<byte> body, BgpDecodeContext context)
    {
    }

    /// <summary>"KEEPALIVE".</summary>
    public override string ToString() => "KEEPALIVE";
}
