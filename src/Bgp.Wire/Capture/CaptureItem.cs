namespace BgpKit.Bgp.Wire.Capture;

/// <summary>What a <see cref="CaptureItem"/> holds.</summary>
public enum CaptureItemKind
{
    /// <summary>One whole BGP message (header included) cut from a reassembled TCP stream.</summary>
    BgpMessage,
    /// <summary>The payload of a UDP datagram to the BFD control ports 3784 (RFC 5881) or 4784 (RFC 5883).</summary>
    BfdPacket,
    /// <summary>Octets left at the end of a TCP stream that never became a whole BGP message.</summary>
    TruncatedMessage,
}

/// <summary>One BGP message, BFD packet or stream leftover found in a capture.</summary>
/// <remarks><see cref="Data"/> is valid until the next item is read from the same decoder.</remarks>
public readonly struct CaptureItem
{
    internal CaptureItem(CaptureItemKind kind, long timestampMicroseconds, CaptureFlow flow, ReadOnlyMemory<byte> data)
    {
        Kind = kind;
        TimestampMicroseconds = timestampMicroseconds;
        Flow = flow;
        Data = data;
    }

    /// <summary>What the item holds.</summary>
    public CaptureItemKind Kind { get; }

    /// <summary>Capture time of the frame that completed the item, in microseconds since 1970-01-01 UTC.</summary>
    public long TimestampMicroseconds { get; }

    /// <summary>The direction of the connection or datagram flow the item travelled on.</summary>
    public CaptureFlow Flow { get; }

    /// <summary>The octets: a BGP message with its header, a BFD packet, or a stream leftover.</summary>
    public ReadOnlyMemory<byte> Data { get; }
}

/// <summary>One direction of traffic between two transport endpoints.</summary>
public sealed class CaptureFlow
{
    internal CaptureFlow(string source, string destination, CaptureConnection connection, bool isTcp)
    {
        Source = source;
        Destination = destination;
        Connection = connection;
        IsTcp = isTcp;
    }

    /// <summary>The sender as <c>ip:port</c> (<c>[ip]:port</c> for IPv6).</summary>
    public string Source { get; }

    /// <summary>The receiver as <c>ip:port</c> (<c>[ip]:port</c> for IPv6).</summary>
    public string Destination { get; }

    /// <summary>The connection both directions share.</summary>
    public CaptureConnection Connection { get; }

    /// <summary>True for TCP, false for UDP.</summary>
    public bool IsTcp { get; }
}

/// <summary>
/// A TCP connection (or UDP flow) seen in both directions. Decoders keep what the session negotiated
/// (from the two OPEN messages) in <see cref="DecoderState"/>.
/// </summary>
public sealed class CaptureConnection
{
    internal CaptureConnection(long id) => Id = id;

    /// <summary>Numbers connections in the order they were first seen, from 1.</summary>
    public long Id { get; }

    /// <summary>Free for the consumer: what it learnt about the session. Cleared when a new SYN restarts the connection.</summary>
    public object? DecoderState { get; set; }
}

/// <summary>Counts of what a capture held besides the items it yielded.</summary>
public sealed class CaptureStatistics
{
    /// <summary>Frames read from the file.</summary>
    public long Frames { get; internal set; }

    /// <summary>Frames of a link type the reader cannot strip.</summary>
    public long UnsupportedLinkType { get; internal set; }

    /// <summary>Frames that carried no IP (ARP, STP, LLDP ...).</summary>
    public long NotIp { get; internal set; }

    /// <summary>Frames too short for their own headers.</summary>
    public long Truncated { get; internal set; }

    /// <summary>IP fragments seen (IPv4, and IPv6 with a Fragment header that is not atomic).</summary>
    public long Fragments { get; internal set; }

    /// <summary>Datagrams reassembled from fragments.</summary>
    public long Reassembled { get; internal set; }

    /// <summary>Fragments dropped: duplicates, conflicting overlaps, over the size or memory bounds, malformed, cut by the snap length, or timed out.</summary>
    public long FragmentsDropped { get; internal set; }

    /// <summary>TCP segments on a BGP port.</summary>
    public long BgpSegments { get; internal set; }

    /// <summary>Octets of BGP streams skipped: lost segments, or data that did not begin with a BGP marker.</summary>
    public long SkippedOctets { get; internal set; }

    /// <summary>Sequence gaps given up on.</summary>
    public long Gaps { get; internal set; }
}
