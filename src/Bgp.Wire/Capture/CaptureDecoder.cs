using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BgpKit.Bgp.Wire.Capture;

/// <summary>
/// Finds BGP messages and BFD packets in a pcap or pcapng capture: strips link layers, follows IP
/// (and GRE, IP-in-IP, MPLS) to TCP and UDP, reassembles IPv4 and IPv6 fragments (bounded: see the
/// package README), reassembles each TCP direction on a BGP port, and cuts the streams into messages. The messages are raw octets; decode them with the BGP codec.
/// </summary>
/// <example>
/// <code>
/// using var decoder = CaptureDecoder.Open(CompressedInput.OpenFile(path), out var problem);
/// while (decoder!.TryRead(out var item)) { /* item.Kind, item.Flow.Source, item.Data */ }
/// </code>
/// </example>
public sealed class CaptureDecoder : IDisposable
{
    /// <summary>The IANA port of BGP (RFC 4271 8).</summary>
    public const int BgpPort = 179;
    /// <summary>Single-hop BFD control packets (RFC 5881).</summary>
    public const int BfdSingleHopPort = 3784;
    /// <summary>Multihop BFD control packets (RFC 5883).</summary>
    public const int BfdMultihopPort = 4784;

    private readonly CaptureFileReader _reader;
    private readonly HashSet<int> _bgpPorts;
    private readonly Dictionary<FlowKey, FlowState> _flows = new();
    private readonly Queue<CaptureItem> _ready = new();
    private readonly IpFragmentReassembler _fragments = new();
    private long _connections;
    private bool _ended;

    private CaptureDecoder(CaptureFileReader reader, IEnumerable<int>? extraBgpPorts)
    {
        _reader = reader;
        _bgpPorts = [BgpPort];
        if (extraBgpPorts is not null)
        {
            _bgpPorts.UnionWith(extraBgpPorts);
        }
    }

    /// <summary>Counts of frames that yielded nothing, and of skipped stream octets.</summary>
    public CaptureStatistics Statistics { get; } = new();

    /// <summary>Why the file could not be read to its end (null when it was).</summary>
    public string? Problem => _reader.Problem;

    /// <summary>Whether the file was pcap or pcapng.</summary>
    public CaptureFormat Format => _reader.Format;

    /// <summary>
    /// Starts decoding the capture in <paramref name="stream"/> (decompressed: see <see cref="IO.CompressedInput"/>).
    /// Returns null with <paramref name="problem"/> set when the stream is not a capture. Takes ownership of the stream.
    /// </summary>
    /// <param name="stream">The capture octets.</param>
    /// <param name="problem">Why the stream is not a readable capture.</param>
    /// <param name="extraBgpPorts">TCP ports besides 179 that carry BGP.</param>
    public static CaptureDecoder? Open(Stream stream, out string? problem, IEnumerable<int>? extraBgpPorts = null)
    {
        var reader = CaptureFileReader.Open(stream, out problem);
        return reader is null ? null : new CaptureDecoder(reader, extraBgpPorts);
    }

    /// <summary>
    /// Reads the next item. At the end of the file each stream's unfinished octets are given once as
    /// <see cref="CaptureItemKind.TruncatedMessage"/>; then false.
    /// </summary>
    public bool TryRead(out CaptureItem item)
    {
        while (_ready.Count == 0)
        {
            if (_ended)
            {
                item = default;
                return false;
            }
            if (_reader.TryReadFrame(out var frame))
            {
                Statistics.Frames++;
                OnFrame(frame);
            }
            else
            {
                _ended = true;
                _fragments.DropPending();
                Statistics.FragmentsDropped = _fragments.Dropped;
                foreach (var flow in _flows.Values)
                {
                    // Segments still held behind a gap: the capture lost the missing octets (as Wireshark's
                    // "previous segment not captured"), so decode what follows the gap.
                    while (flow.Stream is { HasGap: true } held)
                    {
                        held.SkipGap();
                        while (held.TryTakeMessage(out var message))
                        {
                            _ready.Enqueue(new CaptureItem(CaptureItemKind.BgpMessage, flow.LastTimestamp, flow.Flow, message.ToArray()));
                        }
                    }
                }
                foreach (var flow in _flows.Values)
                {
                    if (flow.Stream is { Buffered: > 0 } stream)
                    {
                        _ready.Enqueue(new CaptureItem(CaptureItemKind.TruncatedMessage, flow.LastTimestamp, flow.Flow, stream.Remainder));
                    }
                }
                foreach (var flow in _flows.Values)
                {
                    if (flow.Stream is { } stream)
                    {
                        Statistics.SkippedOctets += stream.SkippedOctets;
                        Statistics.Gaps += stream.Gaps;
                    }
                }
            }
        }
        item = _ready.Dequeue();
        return true;
    }

    /// <summary>The IP reassembly state (for tests of its bounds).</summary>
    internal IpFragmentReassembler FragmentReassembler => _fragments;

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private void OnFrame(in CaptureFrame frame)
    {
        _fragments.Expire(frame.TimestampMicroseconds);
        if (!LinkLayer.TryStrip(frame.LinkType, frame.Data.Span, out var etherType, out var network))
        {
            if (Enum.IsDefined((CaptureLinkType)frame.LinkType))
            {
                Statistics.Truncated++;
            }
            else
            {
                Statistics.UnsupportedLinkType++;
            }
            return;
        }
        var skip = NetworkLayer.TryDecode(etherType, network, out var ip);
        // The memory the transport payload lies in: the frame's, or a reassembled datagram's.
        var owner = frame.Data;
        for (var depth = 0; skip == NetworkSkip.Fragment; depth++)
        {
            Statistics.Fragments++;
            var whole = _fragments.Add(frame.TimestampMicroseconds, ip);
            Statistics.Reassembled = _fragments.Reassembled;
            Statistics.FragmentsDropped = _fragments.Dropped;
            if (whole is null || depth > 2)
            {
                return;
            }
            owner = whole.Payload;
            skip = NetworkLayer.TryDecodeReassembled(whole, out ip);
        }
        switch (skip)
        {
            case NetworkSkip.NotIp:
                Statistics.NotIp++;
                return;
            case NetworkSkip.Truncated:
                Statistics.Truncated++;
                return;
        }
        if (ip.Protocol == NetworkLayer.ProtocolTcp)
        {
            OnTcp(frame, ref ip);
        }
        else if (ip.Protocol == NetworkLayer.ProtocolUdp)
        {
            OnUdp(frame, owner, ref ip);
        }
    }

    //  TCP (RFC 9293): source port (2) | destination port (2) | sequence (4) | acknowledgment (4) |
    //  data offset (4 bits) + flags (12 bits) | window (2) | checksum (2) | urgent (2) | options | data
    private void OnTcp(in CaptureFrame frame, ref IpDatagram ip)
    {
        var segment = ip.Payload;
        if (segment.Length < 20)
        {
            Statistics.Truncated++;
            return;
        }
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(segment);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(segment[2..]);
        if (!_bgpPorts.Contains(sourcePort) && !_bgpPorts.Contains(destinationPort))
        {
            return;
        }
        Statistics.BgpSegments++;
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(segment[4..]);
        var dataOffset = (segment[12] >> 4) * 4;
        var flags = segment[13];
        if (dataOffset < 20 || dataOffset > segment.Length)
        {
            Statistics.Truncated++;
            return;
        }
        var state = GetFlow(ip.Source, sourcePort, ip.Destination, destinationPort, isTcp: true);
        state.LastTimestamp = frame.TimestampMicroseconds;
        var stream = state.Stream!;
        const byte Syn = 0x02;
        if ((flags & Syn) != 0)
        {
            // A SYN with the sequence number of the one that opened the direction is a retransmission
            // (as Wireshark reads it): its data, if any, is retransmitted data and the stream goes on.
            if (!stream.IsSameSyn(sequence))
            {
                if (stream.Started && state.SawData)
                {
                    // A new connection on the same four-tuple: what the old one negotiated no longer holds.
                    state.Flow.Connection.DecoderState = null;
                }
                stream.Reset(sequence);
                state.SawData = false;
            }
            // Data carried on a SYN begins after the SYN's own sequence number.
            sequence++;
        }
        var data = segment[dataOffset..];
        if (data.IsEmpty)
        {
            return;
        }
        state.SawData = true;
        stream.Add(sequence, data);
        while (stream.TryTakeMessage(out var message))
        {
            _ready.Enqueue(new CaptureItem(CaptureItemKind.BgpMessage, frame.TimestampMicroseconds, state.Flow, message));
        }
    }

    //  UDP (RFC 768): source port (2) | destination port (2) | length (2) | checksum (2) | data
    private void OnUdp(in CaptureFrame frame, ReadOnlyMemory<byte> owner, ref IpDatagram ip)
    {
        var datagram = ip.Payload;
        if (datagram.Length < 8)
        {
            Statistics.Truncated++;
            return;
        }
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (destinationPort is not (BfdSingleHopPort or BfdMultihopPort))
        {
            return;
        }
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]);
        var end = length >= 8 && length <= datagram.Length ? length : datagram.Length;
        var state = GetFlow(ip.Source, sourcePort, ip.Destination, destinationPort, isTcp: false);
        // The datagram lies inside the frame (or the reassembled datagram): find its offset so the item can share that memory.
        var offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(owner.Span), ref MemoryMarshal.GetReference(datagram[8..]));
        _ready.Enqueue(new CaptureItem(CaptureItemKind.BfdPacket, frame.TimestampMicroseconds, state.Flow, owner.Slice(offset, end - 8)));
    }

    private FlowState GetFlow(ReadOnlySpan<byte> source, ushort sourcePort, ReadOnlySpan<byte> destination, ushort destinationPort, bool isTcp)
    {
        var key = new FlowKey(ToKey(source), ToKey(destination), sourcePort, destinationPort, isTcp);
        if (_flows.TryGetValue(key, out var state))
        {
            return state;
        }
        var reverseKey = new FlowKey(key.Destination, key.Source, destinationPort, sourcePort, isTcp);
        _flows.TryGetValue(reverseKey, out var reverse);
        var connection = reverse?.Flow.Connection ?? new CaptureConnection(++_connections);
        var flow = new CaptureFlow(FormatEndpoint(source, sourcePort), FormatEndpoint(destination, destinationPort), connection, isTcp);
        state = new FlowState(flow, isTcp ? new TcpStreamDirection() : null) { Reverse = reverse };
        if (reverse is not null)
        {
            reverse.Reverse = state;
        }
        _flows[key] = state;
        return state;
    }

    private static UInt128 ToKey(ReadOnlySpan<byte> address) => address.Length == 4
        ? new UInt128(0xFFFF_0000_0000_0000, BinaryPrimitives.ReadUInt32BigEndian(address))
        : BinaryPrimitives.ReadUInt128BigEndian(address);

    private static string FormatEndpoint(ReadOnlySpan<byte> address, ushort port) =>
        new IPEndPoint(new IPAddress(address), port).ToString();

    private readonly record struct FlowKey(UInt128 Source, UInt128 Destination, ushort SourcePort, ushort DestinationPort, bool IsTcp);

    private sealed class FlowState(CaptureFlow flow, TcpStreamDirection? stream)
    {
        public CaptureFlow Flow { get; } = flow;
        public TcpStreamDirection? Stream { get; } = stream;
        public FlowState? Reverse { get; set; }
        public long LastTimestamp { get; set; }
        public bool SawData { get; set; }
    }
}
