using BgpKit.Bgp.Wire;
using BgpKit.Bgp.Wire.Capture;

namespace BgpKit.Cli.Decode;

/// <summary>
/// What one captured BGP connection negotiated, learnt from the OPEN seen in each direction: it decides
/// how UPDATEs are read (2- or 4-octet AS_PATH, ADD-PATH NLRI, message size). Without both OPENs the
/// AS_PATH width is guessed from the AS_PATH itself, as Wireshark does.
/// </summary>
internal sealed class BgpSessionView
{
    private readonly OpenMessage?[] _opens = new OpenMessage?[2];
    private readonly BgpDecodeContext?[] _contexts = new BgpDecodeContext?[2];
    private CaptureFlow? _first;

    private readonly bool[] _guessedAddPath = new bool[2];

    /// <summary>Whether UPDATEs in <paramref name="direction"/> were found to carry path identifiers without an OPEN saying so.</summary>
    public bool GuessedAddPath(int direction) => _guessedAddPath[direction];

    public void GuessAddPath(int direction) => _guessedAddPath[direction] = true;

    public int DirectionOf(CaptureFlow flow)
    {
        _first ??= flow;
        return ReferenceEquals(flow, _first) ? 0 : 1;
    }

    /// <summary>Records the OPEN sent in <paramref name="direction"/>.</summary>
    public void OnOpen(int direction, OpenMessage open)
    {
        _opens[direction] = open;
        _contexts[0] = _contexts[1] = null;
    }

    /// <summary>Whether both OPENs were captured, so that the context is known rather than guessed.</summary>
    public bool Negotiated => _opens[0] is not null && _opens[1] is not null;

    /// <summary>
    /// The context for messages sent in <paramref name="direction"/>: the receiver's view of both OPENs,
    /// or null when the capture lacks one of them.
    /// </summary>
    public BgpDecodeContext? ContextFor(int direction)
    {
        if (!Negotiated)
        {
            return null;
        }
        // The receiver sent the other OPEN and received this direction's.
        return _contexts[direction] ??= BgpDecodeContext.Negotiate(_opens[1 - direction]!, _opens[direction]!);
    }
}
