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

    /// <summary>Where the malformed field starts in the decoder's input (<see cref="BgpError.Offset"/>).</summary>
    public int? Offset => Error.Offset;

    /// <summary>
    /// The same error seen from an enclosing input: an inner decoder's offset plus where its input starts
    /// (<paramref name="origin"/>), or <paramref name="origin"/> itself when the inner decoder gave none.
    /// </summary>
    internal BgpWireException From(int origin) => new(Error.At(origin + (Error.Offset ?? 0)));
}
