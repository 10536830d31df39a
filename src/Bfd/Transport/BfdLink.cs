using System.Net;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// One local address and hop mode, shared by every session that uses them: the receive side
/// demultiplexes to sessions through <see cref="BfdEndpoint"/>, the send side carries their packets.
/// </summary>
internal abstract class BfdLink : IDisposable
{
    protected BfdLink(IPAddress localAddress, bool multihop)
    {
        LocalAddress = localAddress;
        Multihop = multihop;
    }

    public IPAddress LocalAddress { get; }
    public bool Multihop { get; }

    /// <summary>Sessions using this link; the endpoint disposes the link when it reaches zero.</summary>
    public int Sessions { get; set; }

    /// <summary>Sends one Control packet to the session's peer; false (never an exception) when the send failed.</summary>
    public abstract bool Send(BfdSession session, ReadOnlySpan<byte> packet, out string? error);

    public abstract void Dispose();
}

/// <summary>Creates links; the UDP transport in production, in-memory links in tests.</summary>
internal delegate BfdLink BfdLinkFactory(BfdEndpoint endpoint, IPAddress localAddress, bool multihop);
