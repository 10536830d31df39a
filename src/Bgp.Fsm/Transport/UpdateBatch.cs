using System.Buffers;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// Whole UPDATE messages (headers included, so each carries its length) copied back to back from one socket read,
/// in a pooled array: what a connection hands its session. The session walks them with <see cref="TryTake"/> and
/// returns the batch with <see cref="Return"/>. Batches themselves are pooled too, so a steady stream allocates nothing.
/// </summary>
internal sealed class UpdateBatch
{
    private static readonly ConcurrentBatchPool Pool = new();

    private byte[] _octets = [];
    private int _length;
    private int _at;

    public static UpdateBatch Rent(ReadOnlySpan<byte> messages)
    {
        var batch = Pool.Take() ?? new UpdateBatch();
        batch._octets = ArrayPool<byte>.Shared.Rent(messages.Length);
        messages.CopyTo(batch._octets);
        batch._length = messages.Length;
        batch._at = 0;
        return batch;
    }

    /// <summary>The next message (header included), or false when the batch is walked.</summary>
    public bool TryTake(out ReadOnlySpan<byte> message)
    {
        if (_at >= _length)
        {
            message = default;
            return false;
        }
        var length = _octets[_at + 16] << 8 | _octets[_at + 17];
        message = _octets.AsSpan(_at, length);
        _at += length;
        return true;
    }

    /// <summary>Gives the octets back to the pool; the batch must not be used afterwards.</summary>
    public void Return()
    {
        ArrayPool<byte>.Shared.Return(_octets);
        _octets = [];
        _length = 0;
        _at = 0;
        Pool.Give(this);
    }

    /// <summary>A few batch objects for reuse (a connection has at most its inbox's capacity in flight).</summary>
    private sealed class ConcurrentBatchPool
    {
        private readonly UpdateBatch?[] _items = new UpdateBatch?[64];

        public UpdateBatch? Take()
        {
            for (var i = 0; i < _items.Length; i++)
            {
                var item = Volatile.Read(ref _items[i]);
                if (item is not null && Interlocked.CompareExchange(ref _items[i], null, item) == item)
                {
                    return item;
                }
            }
            return null;
        }

        public void Give(UpdateBatch batch)
        {
            for (var i = 0; i < _items.Length; i++)
            {
                if (Volatile.Read(ref _items[i]) is null && Interlocked.CompareExchange(ref _items[i], batch, null) is null)
                {
                    return;
                }
            }
        }
    }
}
