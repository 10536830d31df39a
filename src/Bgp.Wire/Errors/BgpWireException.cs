namespace BgpKit.Bgp.Wire;

/// <summary>
/// The only exception the decoders throw: wire data that breaks the protocol. <see cref="Error"/>
/// holds the NOTIFICATION to send. Short data is never an error (framing returns false instead).
/// </summary>
public sealed class BgpWireException : Exception
{
    /// <summary>Wraps a wire error.</summary>
    public BgpWireException(BgpError error)
        : base(error?.ToString())
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The error with its NOTIFICATION code, subcode and data.</summary>
    public BgpError Error { get; }
}
