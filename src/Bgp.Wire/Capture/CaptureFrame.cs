namespace BgpKit.Bgp.Wire.Capture;

/// <summary>One captured frame: its link type, time and the octets that were captured.</summary>
/// <remarks>The data is only valid until the next frame is read from the same reader.</remarks>
public readonly struct CaptureFrame
{
    internal CaptureFrame(int linkType, long timestampMicroseconds, ReadOnlyMemory<byte> data, int originalLength, int interfaceId)
    {
        LinkType = linkType;
        TimestampMicroseconds = timestampMicroseconds;
        Data = data;
        OriginalLength = originalLength;
        InterfaceId = interfaceId;
    }

    /// <summary>The LINKTYPE_ value of the frame's interface (see <see cref="CaptureLinkType"/>).</summary>
    public int LinkType { get; }

    /// <summary>Capture time in microseconds since 1970-01-01 UTC.</summary>
    public long TimestampMicroseconds { get; }

    /// <summary>The captured octets (possibly fewer than <see cref="OriginalLength"/>).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The frame's length on the wire.</summary>
    public int OriginalLength { get; }

    /// <summary>The pcapng interface the frame was captured on (0 for pcap).</summary>
    public int InterfaceId { get; }
}
