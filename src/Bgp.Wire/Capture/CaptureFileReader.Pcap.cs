using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Capture;

public sealed partial class CaptureFileReader
{
    //  libpcap file header (24 octets), in the writer's byte order:
    //  +--------------+---------+---------+----------+---------+---------+------------------+
    //  | magic (4)    | major 2 | minor 2 | zone (4) | sigfigs | snaplen | link type + FCS  |
    //  +--------------+---------+---------+----------+---------+---------+------------------+
    //  record: ts_sec (4) | ts_frac (4) | incl_len (4) | orig_len (4) | data
    //  The "modified" (Kuznetzov) format adds ifindex (4), protocol (2), pkt_type (1), pad (1).
    private const uint PcapMagicMicros = 0xa1b2c3d4;
    private const uint PcapMagicNanos = 0xa1b23c4d;
    private const uint PcapMagicModified = 0xa1b2cd34;

    private bool _bigEndian;
    private bool _nanos;
    private int _recordHeaderLength;
    private int _pcapLinkType;
    private int _fcsLength;

    private bool StartPcap(uint magicLittle)
    {
        uint magic;
        if (magicLittle is PcapMagicMicros or PcapMagicNanos or PcapMagicModified)
        {
            magic = magicLittle;
        }
        else
        {
            magic = BinaryPrimitives.ReverseEndianness(magicLittle);
            _bigEndian = true;
            if (magic is not (PcapMagicMicros or PcapMagicNanos or PcapMagicModified))
            {
                return Fail("not a pcap or pcapng file");
            }
        }
        _nanos = magic == PcapMagicNanos;
        _recordHeaderLength = magic == PcapMagicModified ? 24 : 16;
        if (!Fill(20, "pcap file header"))
        {
            return false;
        }
        var linkField = ReadUInt32(_buffer.AsSpan(16));
        _pcapLinkType = (int)(linkField & 0x0FFF_FFFF);
        // Bits 28..31: F (an FCS length is given) and the FCS length in 16-bit words.
        if ((linkField & 0x1000_0000) != 0)
        {
            _fcsLength = (int)(linkField >> 29) * 2;
        }
        return true;
    }

    private bool TryReadPcapRecord(out CaptureFrame frame)
    {
        frame = default;
        if (!Fill(_recordHeaderLength, "pcap record header", endIsClean: true))
        {
            return false;
        }
        var header = _buffer.AsSpan(0, 16);
        long seconds = ReadUInt32(header);
        long fraction = ReadUInt32(header[4..]);
        var captured = ReadUInt32(header[8..]);
        var original = ReadUInt32(header[12..]);
        if (captured > MaxBlockLength)
        {
            return Fail($"pcap record claims {captured} captured octets");
        }
        if (!Fill((int)captured, "pcap record"))
        {
            return false;
        }
        var length = (int)captured;
        if (_fcsLength > 0 && original == captured && length >= _fcsLength)
        {
            length -= _fcsLength;
        }
        var micros = seconds * 1_000_000 + (_nanos ? fraction / 1000 : fraction);
        frame = new CaptureFrame(_pcapLinkType, micros, _buffer.AsMemory(0, length), (int)Math.Min(original, int.MaxValue), 0);
        return true;
    }

    private uint ReadUInt32(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private ushort ReadUInt16(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
}
