using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Capture;

public sealed partial class CaptureFileReader
{
    //  pcapng block (every block, in the section's byte order):
    //  +----------------+----------------------+-------------------+----------------------+
    //  | block type (4) | block total len (4)  | body (padded to 4)| block total len (4)  |
    //  +----------------+----------------------+-------------------+----------------------+
    //  SHB body: byte-order magic 0x1A2B3C4D, major (2), minor (2), section length (8), options
    //  IDB body: link type (2), reserved (2), snaplen (4), options (if_tsresol = 9, if_fcslen = 13)
    //  EPB body: interface (4), ts high (4), ts low (4), captured len (4), original len (4), data, options
    //  SPB body: original len (4), data (captured = min(original, block room))
    //  PB (obsolete) body: interface (2), drops (2), ts high (4), ts low (4), captured (4), original (4), data
    private const uint SectionHeaderBlockType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionBlockType = 1;
    private const uint ObsoletePacketBlockType = 2;
    private const uint SimplePacketBlockType = 3;
    private const uint EnhancedPacketBlockType = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;

    private readonly List<PcapNgInterface> _interfaces = [];

    private readonly record struct PcapNgInterface(int LinkType, long UnitsPerSecond, int FcsLength);

    private bool StartPcapNg() => ReadSectionHeader();

    /// <summary>Reads an SHB whose type field was already consumed.</summary>
    private bool ReadSectionHeader()
    {
        if (!Fill(8, "pcapng section header"))
        {
            return false;
        }
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(4));
        if (magic == ByteOrderMagic)
        {
            _bigEndian = false;
        }
        else if (BinaryPrimitives.ReverseEndianness(magic) == ByteOrderMagic)
        {
            _bigEndian = true;
        }
        else
        {
            return Fail("pcapng section header has no byte-order magic");
        }
        var total = ReadUInt32(_buffer);
        if (total < 28 || total > MaxBlockLength || total % 4 != 0)
        {
            return Fail($"pcapng section header length {total} is invalid");
        }
        _interfaces.Clear();
        return Fill((int)total - 12, "pcapng section header");
    }

    private bool TryReadPcapNgFrame(out CaptureFrame frame)
    {
        frame = default;
        while (true)
        {
            if (!Fill(4, "pcapng block header", endIsClean: true))
            {
                return false;
            }
            var type = ReadUInt32(_buffer);
            if (type == SectionHeaderBlockType)
            {
                if (!ReadSectionHeader())
                {
                    return false;
                }
                continue;
            }
            if (!Fill(4, "pcapng block header"))
            {
                return false;
            }
            var total = ReadUInt32(_buffer);
            if (total < 12 || total > MaxBlockLength || total % 4 != 0)
            {
                return Fail($"pcapng block of type {type} has invalid length {total}");
            }
            var bodyLength = (int)total - 12;
            if (!Fill(bodyLength + 4, "pcapng block"))
            {
                return false;
            }
            var body = _buffer.AsSpan(0, bodyLength);
            switch (type)
            {
                case InterfaceDescriptionBlockType:
                    if (!AddInterface(body))
                    {
                        return false;
                    }
                    break;
                case EnhancedPacketBlockType:
                    if (body.Length < 20)
                    {
                        return Fail("pcapng enhanced packet block is too short");
                    }
                    return MakeFrame((int)ReadUInt32(body), ReadUInt32(body[4..]), ReadUInt32(body[8..]), ReadUInt32(body[12..]), ReadUInt32(body[16..]), 20, bodyLength, out frame);
                case ObsoletePacketBlockType:
                    if (body.Length < 20)
                    {
                        return Fail("pcapng packet block is too short");
                    }
                    return MakeFrame(ReadUInt16(body), ReadUInt32(body[4..]), ReadUInt32(body[8..]), ReadUInt32(body[12..]), ReadUInt32(body[16..]), 20, bodyLength, out frame);
                case SimplePacketBlockType:
                    if (body.Length < 4)
                    {
                        return Fail("pcapng simple packet block is too short");
                    }
                    var original = ReadUInt32(body);
                    var captured = (uint)Math.Min(original, (uint)(bodyLength - 4));
                    return MakeFrame(0, 0, 0, captured, original, 4, bodyLength, out frame);
                default:
                    // Name resolution, statistics, custom and decryption blocks say nothing about BGP.
                    break;
            }
        }
    }

    private bool AddInterface(ReadOnlySpan<byte> body)
    {
        if (body.Length < 8)
        {
            return Fail("pcapng interface description block is too short");
        }
        var linkType = ReadUInt16(body);
        long unitsPerSecond = 1_000_000;
        var fcs = 0;
        var options = body[8..];
        while (options.Length >= 4)
        {
            var code = ReadUInt16(options);
            var length = ReadUInt16(options[2..]);
            if (code == 0 || options.Length < 4 + length)
            {
                break;
            }
            var value = options.Slice(4, length);
            if (code == 9 && length >= 1)
            {
                // if_tsresol: high bit clear = negative power of 10, set = negative power of 2.
                var exponent = value[0] & 0x7f;
                unitsPerSecond = (value[0] & 0x80) == 0
                    ? (exponent <= 18 ? (long)Math.Pow(10, exponent) : 1_000_000)
                    : (exponent <= 62 ? 1L << exponent : 1_000_000);
            }
            else if (code == 13 && length >= 1)
            {
                fcs = value[0];
            }
            options = options[Math.Min(options.Length, 4 + ((length + 3) & ~3))..];
        }
        _interfaces.Add(new PcapNgInterface(linkType, Math.Max(1, unitsPerSecond), fcs));
        return true;
    }

    private bool MakeFrame(int interfaceId, uint high, uint low, uint captured, uint original, int dataOffset, int bodyLength, out CaptureFrame frame)
    {
        frame = default;
        if (interfaceId < 0 || interfaceId >= _interfaces.Count)
        {
            return Fail($"pcapng packet refers to interface {interfaceId}, which was not described");
        }
        if (captured > bodyLength - dataOffset)
        {
            return Fail($"pcapng packet claims {captured} octets in a block of {bodyLength}");
        }
        var nic = _interfaces[interfaceId];
        var length = (int)captured;
        if (nic.FcsLength > 0 && captured == original && length >= nic.FcsLength)
        {
            length -= nic.FcsLength;
        }
        var units = ((ulong)high << 32) | low;
        var micros = (long)((UInt128)units * 1_000_000 / (ulong)nic.UnitsPerSecond);
        frame = new CaptureFrame(nic.LinkType, micros, _buffer.AsMemory(dataOffset, length), (int)Math.Min(original, int.MaxValue), interfaceId);
        return true;
    }
}
