using BgpKit.Bgp.Wire.Capture;
using static BgpKit.Bgp.Wire.Tests.Capture.CaptureBuilder;

namespace BgpKit.Bgp.Wire.Tests.Capture;

public class LinkLayerTests
{
    private static readonly byte[] Ip = Ipv4Tcp(40000, 179, 1000, Ack | Psh, KeepaliveBytes);

    public static TheoryData<string, int, byte[]> Frames() => new()
    {
        { "ethernet", 1, Ethernet(Ip) },
        { "ethernet with 802.1ad and 802.1Q tags", 1, Ethernet(Ip, 0x0800, 100, 200) },
        { "ethernet with MPLS", 1, Ethernet(Concat([0x00, 0x01, 0x01, 0x40], Ip), 0x8847) },
        { "LLC/SNAP", 1, Concat(new byte[12], [0x00, (byte)(Ip.Length + 8), 0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00], Ip) },
        { "BSD null", 0, Concat([2, 0, 0, 0], Ip) },
        { "OpenBSD loop", 108, Concat([0, 0, 0, 2], Ip) },
        { "raw", 101, Ip },
        { "raw ipv4", 228, Ip },
        { "linux cooked v1", 113, Concat([0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00], Ip) },
        { "linux cooked v2", 276, Concat([0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0], Ip) },
        { "PPP", 9, Concat([0xFF, 0x03, 0x00, 0x21], Ip) },
        { "PPP with protocol compression", 9, Concat([0x21], Ip) },
        { "Cisco HDLC under PPP", 9, Concat([0x0F, 0x00, 0x08, 0x00], Ip) },
        { "Cisco HDLC", 104, Concat([0x0F, 0x00, 0x08, 0x00], Ip) },
        { "Frame Relay NLPID", 107, Concat([0x18, 0x41, 0x03, 0xCC], Ip) },
        { "Frame Relay Cisco", 107, Concat([0x18, 0x41, 0x08, 0x00], Ip) },
        { "Juniper Ethernet", 178, Concat([0x4d, 0x47, 0x43, 0x80, 0x00, 0x02, 0xAA, 0xBB], Ethernet(Ip)) },
        { "GRE", 1, Ethernet(Gre(Ip)) },
        { "PPPoE", 1, Ethernet(Concat([0x11, 0x00, 0x00, 0x01, 0x00, (byte)(Ip.Length + 2), 0x00, 0x21], Ip), 0x8864) },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Every_link_layer_reaches_the_bgp_message(string name, int linkType, byte[] frame)
    {
        var items = DecodeAll(Pcap(linkType, [frame]));
        var item = Assert.Single(items);
        Assert.True(item.Kind == CaptureItemKind.BgpMessage, name);
        Assert.Equal("10.0.0.1:40000", item.Source);
        Assert.Equal("10.0.0.2:179", item.Destination);
        Assert.Equal(Convert.ToHexString(KeepaliveBytes), item.Hex);
    }

    [Fact]
    public void Ipv6_extension_headers_are_walked_to_tcp()
    {
        var items = DecodeAll(Pcap(1, [Ethernet(Ipv6Tcp(179, 50000, 7, Ack | Psh, KeepaliveBytes), 0x86DD)]));
        var item = Assert.Single(items);
        Assert.Equal("[2001:db8::1]:179", item.Source);
        Assert.Equal("[2001:db8::2]:50000", item.Destination);
    }

    [Fact]
    public void Bfd_control_packets_are_found_on_both_ports()
    {
        byte[] bfd = [0x20, 0xC0, 3, 24, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0x0F, 0x42, 0x40, 0, 0x0F, 0x42, 0x40, 0, 0, 0, 0];
        var items = DecodeAll(Pcap(101, [Ipv4Udp(49152, 3784, bfd), Ipv4Udp(49153, 4784, bfd), Ipv4Udp(49153, 3785, bfd)]));
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal(CaptureItemKind.BfdPacket, i.Kind));
        Assert.Equal(Convert.ToHexString(bfd), items[0].Hex);
    }

    [Fact]
    public void Non_ip_and_unknown_link_types_are_counted_not_fatal()
    {
        using var decoder = CaptureDecoder.Open(new MemoryStream(Pcap(1, [Ethernet([1, 2, 3], 0x0806)])), out _);
        Assert.False(decoder!.TryRead(out _));
        Assert.Equal(1, decoder.Statistics.NotIp);
        using var other = CaptureDecoder.Open(new MemoryStream(Pcap(147, [Ip])), out _);
        Assert.False(other!.TryRead(out _));
        Assert.Equal(1, other.Statistics.UnsupportedLinkType);
    }

    private static byte[] Gre(byte[] inner)
    {
        var payload = Concat([0x20, 0x00, 0x08, 0x00, 0, 0, 0, 42], inner); // key present
        var ip = new byte[20 + payload.Length];
        ip[0] = 0x45;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[9] = 47;
        ip[12] = 192; ip[15] = 1; ip[16] = 192; ip[19] = 2;
        payload.CopyTo(ip, 20);
        return ip;
    }
}
