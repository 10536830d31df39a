using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace BgpKit.Cli.Decode;

/// <summary>
/// Reads another stream (a gzip or bzip2 decompressor) on its own thread into pooled blocks and hands
/// them over through a bounded channel, so that decompression runs on one core while the reader of
/// this stream frames records and prints them on the other.
/// </summary>
/// <remarks>
/// At most <see cref="Depth"/> blocks wait in the channel (back-pressure: a slow consumer stops the
/// decompressor instead of letting decompressed data pile up). An exception from the inner stream
/// (damaged compressed data) reaches the consumer unchanged, after every block read before it; only
/// the octets of the one failed inner read (at most <see cref="InnerReadLength"/>) are lost with it.
/// </remarks>
internal sealed class ReadAheadStream : Stream
{
    /// <summary>The size of one pooled block.</summary>
    public const int BlockLength = 1 << 18;

    /// <summary>How many filled blocks may wait for the consumer.</summary>
    public const int Depth = 4;

    /// <summary>
    /// The most asked of the inner stream in one read: a decompressor that fails mid-read drops what it
    /// decoded in that read, so small reads keep the loss before damage small.
    /// </summary>
    public const int InnerReadLength = 1 << 14;

    private readonly Stream _inner;
    private readonly Channel<Block> _blocks = Channel.CreateBounded<Block>(new BoundedChannelOptions(Depth)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _filler;
    private volatile ExceptionDispatchInfo? _failure;
    private byte[]? _current;
    private int _offset;
    private int _count;
    private bool _ended;
    private bool _disposed;

    /// <summary>Starts reading <paramref name="inner"/> ahead; owns it.</summary>
    public ReadAheadStream(Stream inner)
    {
        _inner = inner;
        _filler = new Thread(Fill) { IsBackground = true, Name = "bgpkit decode read-ahead" };
        _filler.Start();
    }

    private readonly record struct Block(byte[] Array, int Count);

    /// <summary>The filler thread: read, post, until the end, a failure or <see cref="Dispose(bool)"/>.</summary>
    private void Fill()
    {
        try
        {
            while (true)
            {
                var array = ArrayPool<byte>.Shared.Rent(BlockLength);
                var count = 0;
                Exception? failure = null;
                try
                {
                    while (count < BlockLength)
                    {
                        var read = _inner.Read(array.AsSpan(count, Math.Min(InnerReadLength, BlockLength - count)));
                        if (read == 0)
                        {
                            break;
                        }
                        count += read;
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
                if (count > 0 && !Post(new Block(array, count)))
                {
                    return;
                }
                if (count == 0)
                {
                    ArrayPool<byte>.Shared.Return(array);
                }
                if (failure is not null)
                {
                    _failure = ExceptionDispatchInfo.Capture(failure);
                    return;
                }
                if (count < BlockLength)
                {
                    return;
                }
            }
        }
        finally
        {
            _blocks.Writer.TryComplete();
        }
    }

    /// <summary>Waits for room in the channel; false (the block returned to the pool) when disposing.</summary>
    private bool Post(Block block)
    {
        while (!_blocks.Writer.TryWrite(block))
        {
            try
            {
                if (!_blocks.Writer.WaitToWriteAsync(_stop.Token).AsTask().GetAwaiter().GetResult())
                {
                    ArrayPool<byte>.Shared.Return(block.Array);
                    return false;
                }
            }
            catch (OperationCanceledException)
            {
                ArrayPool<byte>.Shared.Return(block.Array);
                return false;
            }
        }
        return true;
    }

    /// <summary>Takes the next block; false at the end; rethrows the inner stream's failure once the blocks before it are read.</summary>
    private bool NextBlock()
    {
        if (_ended)
        {
            return false;
        }
        Block block;
        while (!_blocks.Reader.TryRead(out block))
        {
            if (!_blocks.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                _ended = true;
                _failure?.Throw();
                return false;
            }
        }
        _current = block.Array;
        _offset = 0;
        _count = block.Count;
        return true;
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var copied = 0;
        while (copied < buffer.Length)
        {
            if (_count == 0)
            {
                if (_current is not null)
                {
                    ArrayPool<byte>.Shared.Return(_current);
                    _current = null;
                }
                // Return what is in hand rather than wait; wait only when nothing was copied yet.
                if (copied > 0 && !_blocks.Reader.TryPeek(out _))
                {
                    return copied;
                }
                if (!NextBlock())
                {
                    return copied;
                }
            }
            var n = Math.Min(buffer.Length - copied, _count);
            _current.AsSpan(_offset, n).CopyTo(buffer[copied..]);
            _offset += n;
            _count -= n;
            copied += n;
        }
        return copied;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Stops the filler (it finishes at most one inner read), returns every block, disposes the inner stream.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            while (_filler.IsAlive)
            {
                // The filler may be waiting for room: make some.
                while (_blocks.Reader.TryRead(out var waiting))
                {
                    ArrayPool<byte>.Shared.Return(waiting.Array);
                }
                _filler.Join(10);
            }
            while (_blocks.Reader.TryRead(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Array);
            }
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }
            _inner.Dispose();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
