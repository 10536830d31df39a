using System.Net;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// Prepares the echo function (RFC 5880 section 6.4) for a session on this link; returns why it cannot
    /// run (then the session keeps echo off), or null when <see cref="SendEcho"/> can be used. Called on the
    /// thread that starts the session, so sockets land in its network namespace.
    /// </summary>
    public virtual string? PrepareEcho(IPAddress localAddress) => "this transport has no echo function";

    /// <summary>Sends one echo packet for the session; false (never an exception) when the send failed.</summary>
    public virtual bool SendEcho(BfdSession session, ReadOnlySpan<byte> payload, out string? error)
    {
        error = "this transport has no echo function";
        return false;
    }

    /// <summary>
    /// True when <see cref="Send"/> only queues the packet: the endpoint's loop calls <see cref="Flush"/> at the
    /// end of each turn, and the link reports each packet's fate through <see cref="BfdEndpoint.Sent"/>.
    /// </summary>
    public virtual bool Queues => false;

    /// <summary>
    /// The receive socket the endpoint's loop polls and reads with <see cref="ReceiveQueued"/>, or null when
    /// the link delivers packets itself (a receive thread of its own, or a test wire).
    /// </summary>
    public virtual SafeHandle? PolledSocket => null;

    /// <summary>Reads and delivers what is queued on <see cref="PolledSocket"/>, without waiting. Loop thread only.</summary>
    public virtual void ReceiveQueued()
    {
    }

    /// <summary>Sends what <see cref="Send"/> queued. Loop thread only.</summary>
    public virtual void Flush()
    {
    }

    public abstract void Dispose();
}

/// <summary>Creates links; the UDP transport in production, in-memory links in tests.</summary>
internal delegate BfdLink BfdLinkFactory(BfdEndpoint endpoint, IPAddress localAddress, bool multihop);
