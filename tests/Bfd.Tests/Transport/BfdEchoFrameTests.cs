using System.Buffers.Binary;
using System.Diagnostics;
using BgpKit.Bfd.Transport;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>The Ethernet + IPv4/IPv6 + UDP frame of an echo packet, field by field, with the checksums verified (and by tshark).</summary>
public sealed class BfdEchoFrameTests
{
    private static readonly byte[] OurMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] PeerMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    private static readonly byte[] Address = [10, 252, 7, 1];

    [Fact]
    public void Frame_is_addressed_to_the_peers_MAC_and_to_ourselves()
    {
        Span<byte> payload = stackalloc byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, 0xA1B2C3D4, 0x0102030405060708);
        var frame = new byte[BfdEchoFrame.Length];
        var length = BfdEchoFrame.WriteIpv4(frame, OurMac, PeerMac, Address, 50000, 7, payload);

        Assert.Equal(58, length);
        Assert.Equal(Convert.FromHexString(
            // Ethernet: peer MAC, our MAC, IPv4
            "020000000002" + "020000000001" + "0800" +
            // IPv4: 0x45, TOS C0, length 44, id 7, no fragment, TTL 255, UDP, checksum (patched below), src, dst
            "45C0002C00070000FF11" + "0000" + "0AFC0701" + "0AFC0701" +
            // UDP: 50000 -> 3785, length 24, checksum (patched below)
            "C350" + "0EC9" + "0018" + "0000" +
            // payload: version 1, length 16, reserved, discriminator, nonce
            "01100000" + "A1B2C3D4" + "0102030405060708").AsSpan(0, 24).ToArray(), frame.AsSpan(0, 24).ToArray());
        Assert.Equal(Convert.FromHexString("0AFC07010AFC0701C3500EC90018"), frame.AsSpan(26, 14).ToArray());
        Assert.Equal(payload.ToArray(), frame.AsSpan(42, 16).ToArray());

        // A header with a correct checksum sums to zero; so does the UDP datagram with its pseudo-header.
        Assert.Equal(0, BfdEchoFrame.Checksum(frame.AsSpan(14, 20), 0));
        var pseudo = (uint)(0x0AFC + 0x0701) * 2 + 17 + 24;
        Assert.Equal(0, BfdEchoFrame.Checksum(frame.AsSpan(34, 24), pseudo));
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(40)));
    }

    private static readonly byte[] Address6 = Convert.FromHexString("fd000b6d000000000000000000000001");

    private static byte[] Ipv6Frame(uint discriminator = 0xA1B2C3D4, ulong nonce = 0x0102030405060708)
    {
        Span<byte> payload = stackalloc byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, discriminator, nonce);
        var frame = new byte[BfdEchoFrame.Ipv6Length];
        Assert.Equal(78, BfdEchoFrame.WriteIpv6(frame, OurMac, PeerMac, Address6, 50000, payload));
        return frame;
    }

    [Fact]
    public void Ipv6_frame_is_addressed_to_the_peers_MAC_and_to_ourselves_with_the_mandatory_UDP_checksum()
    {
        var frame = Ipv6Frame();
        Assert.Equal(Convert.FromHexString(
            // Ethernet: peer MAC, our MAC, IPv6
            "020000000002" + "020000000001" + "86DD" +
            // IPv6: version 6, traffic class C0, flow 0; payload length 24; next header UDP; hop limit 255; src; dst
            "6C000000" + "0018" + "11" + "FF" + "FD000B6D000000000000000000000001" + "FD000B6D000000000000000000000001" +
            // UDP: 50000 -> 3785, length 24, checksum
            "C350" + "0EC9" + "0018" + "A61B" +
            // payload: version 1, length 16, reserved, discriminator, nonce
            "01100000" + "A1B2C3D4" + "0102030405060708"), frame);

        // RFC 8200 section 8.1 pseudo-header (src, dst, upper-layer length, next header) + UDP sums to all ones.
        var pseudo = BfdEchoFrame.Sum(frame.AsSpan(22, 32)) + 24u + 17u;
        Assert.Equal(0, BfdEchoFrame.Checksum(frame.AsSpan(54, 24), pseudo));
    }

    [Fact]
    public void Ipv6_checksum_that_computes_to_zero_is_sent_as_all_ones()
    {
        // Find a payload whose checksum field computes to zero: the frame must carry 0xFFFF (zero means "none",
        // which IPv6 forbids), and it still verifies, since 0xFFFF and 0 are the same number in ones' complement.
        for (ulong nonce = 0; nonce < 200_000; nonce++)
        {
            var frame = Ipv6Frame(1, nonce);
            var field = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(60));
            Assert.NotEqual(0, field);
            if (field == 0xFFFF)
            {
                var pseudo = BfdEchoFrame.Sum(frame.AsSpan(22, 32)) + 24u + 17u;
                Assert.Equal(0, BfdEchoFrame.Checksum(frame.AsSpan(54, 24), pseudo));
                return;
            }
        }
        Assert.Fail("no payload with a zero checksum found");
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Tshark_reads_both_frames_with_good_checksums()
    {
        var payload = new byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, 0xA1B2C3D4, 0x0102030405060708);
        var ipv4 = new byte[BfdEchoFrame.Length];
        BfdEchoFrame.WriteIpv4(ipv4, OurMac, PeerMac, Address, 50000, 7, payload);
        var file = Path.Combine(Path.GetTempPath(), $"bgpkit-echo-{Guid.NewGuid():N}.pcap");
        try
        {
            File.WriteAllBytes(file, Pcap(ipv4, Ipv6Frame()));
            var info = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-r", file, "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-Y", "udp.checksum.status == \"Good\"", "-T", "fields", "-E", "separator=,",
                "-e", "ip.checksum.status", "-e", "ipv6.hlim", "-e", "ipv6.tclass", "-e", "udp.dstport", "-e", "udp.checksum.status" })
            {
                info.ArgumentList.Add(a);
            }
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, "tshark failed: " + await stderr);
            // Checksum status 1 is "Good" (0 "Bad", 2 "Unverified"); the IPv6 line has no IP header checksum.
            Assert.Equal(["1,,,3785,1", ",255,0x000000c0,3785,1"], lines);
        }
        finally
        {
            File.Delete(file);
        }
    }

    // A classic pcap file (LINKTYPE_ETHERNET) holding the frames.
    private static byte[] Pcap(params byte[][] frames)
    {
        var bytes = new List<byte>();
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        bytes.AddRange(header);
        foreach (var frame in frames)
        {
            var record = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)frame.Length);
            bytes.AddRange(record);
            bytes.AddRange(frame);
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Echo_payload_round_trips_and_rejects_foreign_bytes()
    {
        Span<byte> payload = stackalloc byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, 42, 0xDEADBEEF);
        Assert.True(BfdEchoPacket.TryRead(payload, out var discriminator, out var nonce));
        Assert.Equal(42u, discriminator);
        Assert.Equal(0xDEADBEEFul, nonce);

        Assert.False(BfdEchoPacket.TryRead(payload[..15], out _, out _));
        payload[0] = 2;
        Assert.False(BfdEchoPacket.TryRead(payload, out _, out _));
        // A BFD Control packet (version 1, but its second byte is state and flags) is not an echo packet.
        Assert.False(BfdEchoPacket.TryRead(Convert.FromHexString("20C0031800000001000000000007A12000007A1200000000"), out _, out _));
    }
}
