using BgpKit.Bgp.Wire.Capture;

namespace BgpKit.Cli.Decode;

/// <summary>
/// What one captured BGP connection negotiated, learnt from the OPEN seen in each direction: it decides
/// how UPDATEs are read (2- or 4-octet AS_PATH, ADD-PATH NLRI, message size).
/// </summary>
internal sealed class BgpSessionView
{
    private CaptureFlow? _first;

    /// <summary>The capabilities each direction's OPEN announced (index 0: the first direction seen).</summary>
    public OpenSeen?[] Opens { get; } = new OpenSeen?[2];

    /// <summary>Whether the session uses 4-octet AS numbers; null while unknown (no OPEN captured).</summary>
    public bool? FourOctetAs => Opens[0] is { } a && Opens[1] is { } b ? a.FourOctetAs && b.FourOctetAs : null;

    public int DirectionOf(CaptureFlow flow)
    {
        _first ??= flow;
        return ReferenceEquals(flow, _first) ? 0 : 1;
    }

    /// <summary>The capabilities one OPEN announced that change how later messages are read.</summary>
    /// <param name="FourOctetAs">The 4-octet AS capability (RFC 6793).</param>
    /// <param name="AddPath">(AFI, SAFI, send/receive) of the ADD-PATH capability (RFC 7911).</param>
    /// <param name="ExtendedMessage">The extended message capability (RFC 8654).</param>
    internal sealed record OpenSeen(bool FourOctetAs, IReadOnlyList<(ushort Afi, byte Safi, byte Mode)> AddPath, bool ExtendedMessage);
}
