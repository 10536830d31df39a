using BgpKit.Bgp.Wire.Capture;
using static BgpKit.Bgp.Wire.Tests.Capture.CaptureBuilder;

namespace BgpKit.Bgp.Wire.Tests.Capture;

public class CaptureFileReaderTests
{
    private static readonly byte[] Frame = Ethernet(Ipv4Tcp(40000, 179, 1000, Ack | Psh, KeepaliveBytes));

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Pcap_reads_both_byte_orders_and_resolutions(bool bigEndian, bool nanos)
    {
        var file = Pcap(1, [Frame, Frame], bigEndian, nanos);
        using var reader = CaptureFileReader.Open(new MemoryStream(file), out var problem);
        Assert.Null(problem);
        Assert.True(reader!.TryReadFrame(out var frame));
        Assert.Equal(1, frame.LinkType);
        Assert.Equal(1_000_000L * 1_000_000 + 5, frame.TimestampMicroseconds);
        Assert.Equal(Frame, frame.Data.ToArray());
        Assert.True(reader.TryReadFrame(out _));
        Assert.False(reader.TryReadFrame(out _));
        Assert.Null(reader.Problem);
    }

    [Theory]
    [InlineData(false, 6u)]
    [InlineData(true, 6u)]
    [InlineData(false, 3u)]
    [InlineData(true, 2u)]
    public void PcapNg_reads_enhanced_simple_and_obsolete_packet_blocks(bool bigEndian, uint blockType)
    {
        var file = PcapNg(1, [Frame, Frame[..61]], bigEndian, blockType);
        using var reader = CaptureFileReader.Open(new MemoryStream(file), out var problem);
        Assert.Null(problem);
        Assert.Equal(CaptureFormat.PcapNg, reader!.Format);
        Assert.True(reader.TryReadFrame(out var frame));
        Assert.Equal(Frame, frame.Data.ToArray());
        if (blockType != 3)
        {
            // if_tsresol 9: the 1e9 units are one second.
            Assert.Equal(1_000_000, frame.TimestampMicroseconds);
        }
        Assert.True(reader.TryReadFrame(out frame));
        Assert.Equal(61, frame.Data.Length);
        Assert.False(reader.TryReadFrame(out _));
        Assert.Null(reader.Problem);
    }

    [Fact]
    public void Truncated_record_stops_with_a_problem_not_an_exception()
    {
        var file = Pcap(1, [Frame]);
        using var reader = CaptureFileReader.Open(new MemoryStream(file[..^5]), out _);
        Assert.False(reader!.TryReadFrame(out _));
        Assert.Contains("truncated", reader.Problem);
    }

    [Fact]
    public void Implausible_record_length_is_a_problem()
    {
        var file = Pcap(1, [Frame]);
        file[24 + 8] = 0xff;
        file[24 + 11] = 0x7f;
        using var reader = CaptureFileReader.Open(new MemoryStream(file), out _);
        Assert.False(reader!.TryReadFrame(out _));
        Assert.NotNull(reader.Problem);
    }

    [Fact]
    public void Neither_pcap_nor_pcapng_is_refused()
    {
        Assert.Null(CaptureFileReader.Open(new MemoryStream([1, 2, 3, 4, 5, 6]), out var problem));
        Assert.NotNull(problem);
        Assert.False(CaptureFileReader.IsCapture([0, 0, 0, 1]));
    }

    // Found by AFL++ (fuzz/regressions/pcap): a record header claiming 16 MiB in a file of a few hundred octets
    // made the reader reserve the 16 MiB before finding the record truncated.
    [Fact]
    public void A_record_claiming_more_than_the_file_holds_is_truncated_without_reserving_it()
    {
        var file = CaptureBuilder.Pcap(1, [new byte[200]]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24 + 8), CaptureFileReader.MaxBlockLength);
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var decoder = CaptureDecoder.Open(new MemoryStream(file), out var problem);
        Assert.NotNull(decoder);
        while (decoder.TryRead(out _))
        {
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("truncated", decoder.Problem, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} octets");
    }
}
