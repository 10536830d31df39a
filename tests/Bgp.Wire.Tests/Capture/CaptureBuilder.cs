using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Tests.Capture;

/// <summary>Builds small pcap and pcapng files and the frames inside them, for tests.</summary>
internal static class CaptureBuilder
{
    public static readonly byte[] KeepaliveBytes = Message(4, []);

    public static byte[] Message(byte type, byte[] body)
    {
        var message = new byte[19 + body.Length];
        message.AsSpan(0, 16).Fill(0xFF);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(16), (ushort)message.Length);
        message[18] = type;
        body.CopyTo(message, 19);
        return message;
    }

    public static byte[] Pcap(int linkType, IEnumerable<byte[]> frames, bool bigEndian = false, bool nanos = false)
    {
        var output = new MemoryStream();
        void U32(uint v)
        {
            Span<byte> b = stackalloc byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            output.Write(b);
        }
        void U16(ushort v)
        {
            Span<byte> b = stackalloc byte[2];
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            output.Write(b);
        }
        U32(nanos ? 0xa1b23c4du : 0xa1b2c3d4u);
        U16(2);
        U16(4);
        U32(0);
        U32(0);
        U32(65535);
        U32((uint)linkType);
        var second = 1_000_000u;
        foreach (var frame in frames)
        {
            U32(second++);
            U32(nanos ? 5000u : 5u);
            U32((uint)frame.Length);
            U32((uint)frame.Length);
            output.Write(frame);
        }
        return output.ToArray();
    }

    /// <summary>A pcapng section with one interface; each frame as an EPB, or SPB / obsolete PB when asked.</summary>
    public static byte[] PcapNg(int linkType, IEnumerable<byte[]> frames, bool bigEndian = false, uint blockType = 6)
    {
        var output = new MemoryStream();
        void U32(uint v)
        {
            Span<byte> b = stackalloc byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            output.Write(b);
        }
        void U16(ushort v)
        {
            Span<byte> b = stackalloc byte[2];
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            output.Write(b);
        }
        // SHB
        U32(0x0A0D0D0A);
        U32(28);
        U32(0x1A2B3C4D);
        U16(1);
        U16(0);
        U32(0xFFFFFFFF);
        U32(0xFFFFFFFF);
        U32(28);
        // IDB with if_tsresol = 9 (nanoseconds)
        U32(1);
        U32(20 + 8 + 4);
        U16((ushort)linkType);
        U16(0);
        U32(65535);
        U16(9);
        U16(1);
        output.Write([9, 0, 0, 0]);
        U16(0);
        U16(0);
        U32(20 + 8 + 4);
        // a name-resolution block the reader must skip
        U32(4);
        U32(16);
        U32(0);
        U32(16);
        foreach (var frame in frames)
        {
            var padded = (frame.Length + 3) & ~3;
            switch (blockType)
            {
                case 6:
                    U32(6);
                    U32((uint)(32 + padded));
                    U32(0);
                    U32(0);
                    U32(1_000_000_000);
                    U32((uint)frame.Length);
                    U32((uint)frame.Length);
                    output.Write(frame);
                    output.Write(new byte[padded - frame.Length]);
                    U32((uint)(32 + padded));
                    break;
                case 3:
                    U32(3);
                    U32((uint)(16 + padded));
                    U32((uint)frame.Length);
                    output.Write(frame);
                    output.Write(new byte[padded - frame.Length]);
                    U32((uint)(16 + padded));
                    break;
                case 2:
                    U32(2);
                    U32((uint)(32 + padded));
                    U16(0);
                    U16(0);
                    U32(0);
                    U32(1_000_000_000);
                    U32((uint)frame.Length);
                    U32((uint)frame.Length);
                    output.Write(frame);
                    output.Write(new byte[padded - frame.Length]);
                    U32((uint)(32 + padded));
                    break;
            }
        }
        return output.ToArray();
    }

    public const byte Syn = 0x02, Ack = 0x10, Psh = 0x08;

    /// <summary>An IPv4 TCP segment from 10.0.0.1:sourcePort to 10.0.0.2:destinationPort.</summary>
    public static byte[] Ipv4Tcp(ushort sourcePort, ushort destinationPort, uint sequence, byte flags, byte[] data, bool reverse = false)
    {
        var tcp = Tcp(sourcePort, destinationPort, sequence, flags, data);
        var ip = new byte[20 + tcp.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[6] = 0x40; // DF
        ip[8] = 64;
        ip[9] = 6;
        byte[] a = [10, 0, 0, 1], b = [10, 0, 0, 2];
        (reverse ? b : a).CopyTo(ip, 12);
        (reverse ? a : b).CopyTo(ip, 16);
        tcp.CopyTo(ip, 20);
        return ip;
    }

    /// <summary>An IPv6 TCP segment 2001:db8::1 -> 2001:db8::2 behind a hop-by-hop and a destination options header.</summary>
    public static byte[] Ipv6Tcp(ushort sourcePort, ushort destinationPort, uint sequence, byte flags, byte[] data)
    {
        var tcp = Tcp(sourcePort, destinationPort, sequence, flags, data);
        var extensions = new byte[16];
        extensions[0] = 60; // next: destination options
        extensions[1] = 0;  // 8 octets
        extensions[8] = 6;  // next: TCP
        extensions[9] = 0;
        var ip = new byte[40 + extensions.Length + tcp.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(extensions.Length + tcp.Length));
        ip[6] = 0; // hop-by-hop
        ip[7] = 64;
        ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8; ip[23] = 1;
        ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8; ip[39] = 2;
        extensions.CopyTo(ip, 40);
        tcp.CopyTo(ip, 40 + extensions.Length);
        return ip;
    }

    public static byte[] Ipv4Udp(ushort sourcePort, ushort destinationPort, byte[] data)
    {
        var ip = new byte[28 + data.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[8] = 255;
        ip[9] = 17;
        ip[12] = 10; ip[15] = 1; ip[16] = 10; ip[19] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(20), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(22), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(24), (ushort)(8 + data.Length));
        data.CopyTo(ip, 28);
        return ip;
    }

    /// <summary>
    /// One fragment of an IPv4 packet built above (20-octet header): <paramref name="length"/> octets of its payload
    /// from <paramref name="offset"/>, More Fragments set unless the piece ends the payload (or <paramref name="more"/> says).
    /// </summary>
    public static byte[] Ipv4Fragment(byte[] packet, ushort id, int offset, int length, bool? more = null)
    {
        var payload = packet.AsSpan(20);
        var fragment = new byte[20 + length];
        packet.AsSpan(0, 20).CopyTo(fragment);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(2), (ushort)fragment.Length);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(4), id);
        var moreFragments = more ?? offset + length < payload.Length;
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(6), (ushort)((moreFragments ? 0x2000 : 0) | (offset / 8)));
        payload.Slice(offset, length).CopyTo(fragment.AsSpan(20));
        return fragment;
    }

    /// <summary>
    /// One fragment of a packet from <see cref="Ipv6Tcp"/>: the IPv6 header and hop-by-hop header stay (unfragmentable),
    /// a Fragment header follows, then <paramref name="length"/> octets of the fragmentable part (destination options
    /// and TCP) from <paramref name="offset"/>.
    /// </summary>
    public static byte[] Ipv6Fragment(byte[] packet, uint id, int offset, int length, bool? more = null)
    {
        var fragmentable = packet.AsSpan(48);
        var fragment = new byte[56 + length];
        packet.AsSpan(0, 48).CopyTo(fragment);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(4), (ushort)(16 + length));
        fragment[40] = 44;                          // hop-by-hop: next is the Fragment header
        fragment[48] = packet[40];                  // Fragment header: next is what followed hop-by-hop
        var moreFragments = more ?? offset + length < fragmentable.Length;
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(50), (ushort)(offset | (moreFragments ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(fragment.AsSpan(52), id);
        fragmentable.Slice(offset, length).CopyTo(fragment.AsSpan(56));
        return fragment;
    }

    private static byte[] Tcp(ushort sourcePort, ushort destinationPort, uint sequence, byte flags, byte[] data)
    {
        var tcp = new byte[20 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        data.CopyTo(tcp, 20);
        return tcp;
    }

    public static byte[] Ethernet(byte[] ip, ushort etherType = 0x0800, params ushort[] vlans)
    {
        var frame = new MemoryStream();
        frame.Write(new byte[12]);
        foreach (var vlan in vlans)
        {
            frame.Write([0x81, 0x00, (byte)(vlan >> 8), (byte)vlan]);
        }
        frame.Write([(byte)(etherType >> 8), (byte)etherType]);
        frame.Write(ip);
        return frame.ToArray();
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static List<CaptureItemSnapshot> DecodeAll(byte[] file, params int[] ports)
    {
        using var decoder = BgpKit.Bgp.Wire.Capture.CaptureDecoder.Open(new MemoryStream(file), out var problem, ports);
        Assert.NotNull(decoder);
        var items = new List<CaptureItemSnapshot>();
        while (decoder!.TryRead(out var item))
        {
            items.Add(new CaptureItemSnapshot(item.Kind, item.Flow.Source, item.Flow.Destination, Convert.ToHexString(item.Data.Span)));
        }
        return items;
    }
}

internal sealed record CaptureItemSnapshot(BgpKit.Bgp.Wire.Capture.CaptureItemKind Kind, string Source, string Destination, string Hex);
