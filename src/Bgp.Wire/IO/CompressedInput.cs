using System.IO.Compression;
using ICSharpCode.SharpZipLib.BZip2;

namespace BgpKit.Bgp.Wire.IO;

/// <summary>
/// Opens MRT dumps and captures that may be gzip- or bzip2-compressed. The format is told by the
/// content (the gzip magic 1f 8b, the bzip2 magic "BZh"), never by the file name, because archives
/// rename files freely.
/// </summary>
public static class CompressedInput
{
    /// <summary>
    /// Returns a stream of the decompressed bytes of <paramref name="source"/>: the same bytes when the
    /// content is not compressed. Multi-member gzip files (concatenated dumps) are read to their end.
    /// The returned stream owns <paramref name="source"/>.
    /// </summary>
    public static Stream Open(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var head = new byte[3];
        var read = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        Stream replay = new ReplayStream(head.AsMemory(0, read), source);
        if (read >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return new GZipStream(replay, CompressionMode.Decompress, leaveOpen: false);
        }
        if (read >= 3 && head[0] == (byte)'B' && head[1] == (byte)'Z' && head[2] == (byte)'h')
        {
            return new BZip2InputStream(replay) { IsStreamOwner = true };
        }
        return replay;
    }

    /// <summary>Opens a file for sequential reading and decompresses it when its content says so.</summary>
    public static Stream OpenFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return Open(file);
    }

    /// <summary>
    /// Opens a file, decompresses it by content, and peeks at the first decompressed octets (up to
    /// <paramref name="headLength"/>) so the caller can tell a capture from an MRT dump; the returned
    /// stream still yields those octets.
    /// </summary>
    public static Stream OpenFile(string path, int headLength, out byte[] head)
    {
        var stream = OpenFile(path);
        var buffer = new byte[headLength];
        var read = stream.ReadAtLeast(buffer, headLength, throwOnEndOfStream: false);
        head = buffer.AsSpan(0, read).ToArray();
        return new ReplayStream(head, stream);
    }

    /// <summary>Gives back the bytes read to sniff the format, then the rest of the inner stream.</summary>
    private sealed class ReplayStream(ReadOnlyMemory<byte> head, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _head = head;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_head.IsEmpty)
            {
                var n = Math.Min(buffer.Length, _head.Length);
                _head.Span[..n].CopyTo(buffer);
                _head = _head[n..];
                return n;
            }
            return inner.Read(buffer);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
