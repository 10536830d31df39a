using System.Buffers.Binary;
using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Wire.Tests.Messages;

/// <summary>tshark reads the IPv6 next hops we encode on IPv4 routes (RFC 8950) on an unnumbered link as we mean them.</summary>
public class Rfc8950TsharkTests
{
    private static readonly IPAddress Ours = IPAddress.Parse("fe80::a8bb:ccff:fe00:2");
    private static readonly IPAddress Theirs = IPAddress.Parse("fe80::a8bb:ccff:fe00:1");

    [Fact]
    public async Task Tshark_reads_the_link_local_next_hops_of_IPv4_routes()
    {
        if (!ExternalTool.IsInstalled("tshark"))
        {
            Assert.Fail("tshark is not installed (.ci/run installs it)");
        }
        var context = BgpDecodeContext.FourOctetAsDefault;
        // What we send (our link-local alone) and what FRR 8.4 sends (its link-local in both halves).
        var ours = new UpdateMessage(attributes: new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001) },
            mpReach: new MpReachNlri(AfiSafi.IPv4Unicast, Ours, [Prefix.Parse("198.51.100.10/32")])).ToArray(context);
        var frr = new UpdateMessage(attributes: new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002) },
            mpReach: new MpReachNlri(AfiSafi.IPv4Unicast, Theirs, [Prefix.Parse("12.0.1.0/24")], Theirs)).ToArray(context);
        var directory = Directory.CreateTempSubdirectory("bgpkit-rfc8950-");
        try
        {
            var path = Path.Combine(directory.FullName, "unnumbered.pcap");
            await File.WriteAllBytesAsync(path, Pcap(Segment(ours, 1), Segment(frr, 1 + (uint)ours.Length)));
            var output = await ExternalTool.RunAsync("tshark", "-n", "-r", path, "-Y", "bgp", "-T", "fields",
                "-e", "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6", "-e", "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local",
                "-e", "bgp.mp_reach_nlri_ipv4_prefix");
            Assert.Equal([$"{Ours}\t\t198.51.100.10", $"{Theirs}\t{Theirs}\t12.0.1.0"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>An IPv4 + TCP segment to port 179 carrying <paramref name="payload"/> (checksums left 0: tshark does not verify them by default).</summary>
    private static byte[] Segment(byte[] payload, uint sequence)
    {
        var frame = new byte[40 + payload.Length];
        frame[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)frame.Length);
        frame[8] = 64;
        frame[9] = 6;
        new byte[] { 10, 0, 0, 1, 10, 0, 0, 2 }.CopyTo(frame, 12);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(22), 179);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(24), sequence);
        frame[32] = 5 << 4;
        frame[33] = 0x18;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34), 65535);
        payload.CopyTo(frame, 40);
        return frame;
    }

    /// <summary>A classic pcap file of raw IP frames (LINKTYPE_RAW, 101).</summary>
    private static byte[] Pcap(params byte[][] frames)
    {
        using var file = new MemoryStream();
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 101);
        file.Write(header);
        Span<byte> record = stackalloc byte[16];
        foreach (var frame in frames)
        {
            record.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
            file.Write(record);
            file.Write(frame);
        }
        return file.ToArray();
    }
}
