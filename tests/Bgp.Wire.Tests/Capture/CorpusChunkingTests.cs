using BgpKit.Bgp.Wire.Capture;
using BgpKit.Bgp.Wire.IO;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Wire.Tests.Capture;

/// <summary>
/// Every corpus capture, read through a stream that hands out random small chunks, gives exactly the
/// items (BGP messages, BFD packets, leftovers) that reading it whole gives; and no exception escapes.
/// </summary>
public class CorpusChunkingTests
{
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(SharedData.Corpus).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".pcap", StringComparison.Ordinal) || name.EndsWith(".pcapng", StringComparison.Ordinal)
                || name.EndsWith(".cap", StringComparison.Ordinal) || name.EndsWith(".pcap.gz", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Random_chunk_sizes_give_the_same_items_as_the_whole_file(string name)
    {
        var bytes = File.ReadAllBytes(SharedData.CorpusFile(name));
        var whole = Decode(new MemoryStream(bytes));
        for (var seed = 1; seed <= 3; seed++)
        {
            var chunked = Decode(new ChunkedStream(bytes, new Random(seed * 7919 + name.Length)));
            Assert.Equal(whole, chunked);
        }
    }

    private static List<CaptureItemSnapshot> Decode(Stream stream)
    {
        using var decoder = CaptureDecoder.Open(CompressedInput.Open(stream), out var problem, [1179]);
        Assert.True(decoder is not null, problem);
        var items = new List<CaptureItemSnapshot>();
        while (decoder.TryRead(out var item))
        {
            items.Add(new CaptureItemSnapshot(item.Kind, item.Flow.Source, item.Flow.Destination, Convert.ToHexString(item.Data.Span)));
        }
        return items;
    }

    /// <summary>A read-only stream that returns between 1 and 64 octets per read.</summary>
    private sealed class ChunkedStream(byte[] data, Random random) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, 1 + random.Next(64)), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
