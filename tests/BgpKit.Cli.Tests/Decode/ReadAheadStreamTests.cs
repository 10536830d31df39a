using BgpKit.Cli.Decode;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

public class ReadAheadStreamTests
{
    /// <summary>Several blocks and a short last one, read in odd sizes, give back the same octets.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(65_536)]
    [InlineData(ReadAheadStream.BlockLength + 7)]
    public void Reads_give_the_inner_stream_octets_in_order(int readLength)
    {
        var data = new byte[ReadAheadStream.BlockLength * 3 + 12_345];
        new Random(15).NextBytes(data);
        using var stream = new ReadAheadStream(new MemoryStream(data));
        var copy = new MemoryStream();
        var buffer = new byte[readLength];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
        }
        Assert.Equal(data, copy.ToArray());
        Assert.Equal(0, stream.Read(buffer));
    }

    /// <summary>Damage found by the decompressor arrives after every octet read before it, as the same exception.</summary>
    [Fact]
    public void A_failure_of_the_inner_stream_follows_the_octets_read_before_it()
    {
        var failure = new InvalidDataException("damaged");
        using var stream = new ReadAheadStream(new FailingStream(700_000, failure));
        var total = 0;
        var buffer = new byte[4096];
        var thrown = Assert.Throws<InvalidDataException>(() =>
        {
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                total += read;
            }
        });
        Assert.Same(failure, thrown);
        Assert.Equal(700_000, total);
    }

    /// <summary>A reader that stops early (the capture job on a bad header) stops the filler and disposes the inner stream.</summary>
    [Fact]
    public void Dispose_before_the_end_stops_the_filler_and_disposes_the_inner_stream()
    {
        var inner = new EndlessStream();
        var stream = new ReadAheadStream(inner);
        Assert.Equal(10, stream.Read(new byte[10]));
        stream.Dispose();
        Assert.True(inner.Disposed);
    }

    private sealed class FailingStream(int length, Exception failure) : Stream
    {
        private int _left = length;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_left == 0)
            {
                throw failure;
            }
            var n = Math.Min(count, _left);
            _left -= n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class EndlessStream : Stream
    {
        public bool Disposed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => count;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
