namespace BgpKit.Bgp.Wire;

/// <summary>
/// Append-only storage for the canonical octets of interned attribute sets: fixed-size chunks filled one after the
/// other, so a set costs its octets and no array header of its own. Chunks stay below the large object heap's
/// threshold (85,000 octets): a young chunk is copied once or twice by the GC like any small object, and the sets in
/// it never trigger a full collection the way large-object allocations count towards one. Nothing is freed: the
/// interner holds its sets for as long as it lives. Not thread-safe; the interner writes under its lock.
/// </summary>
internal sealed class AttributeOctetArena
{
    internal const int ChunkSize = 64 * 1024;

    // A set longer than this gets an array of its own rather than waste the rest of a chunk.
    private const int MaxPacked = ChunkSize / 16;

    private byte[] _chunk = [];
    private int _used;

    /// <summary>Octets reserved so far (whole chunks and own arrays).</summary>
    public long ReservedOctets { get; private set; }

    /// <summary>Copies <paramref name="octets"/> in; returns the array and offset where they now live.</summary>
    public (byte[] Chunk, int Offset) Append(ReadOnlySpan<byte> octets)
    {
        if (octets.Length > MaxPacked)
        {
            ReservedOctets += octets.Length;
            return (octets.ToArray(), 0);
        }
        if (_chunk.Length - _used < octets.Length)
        {
            _chunk = GC.AllocateUninitializedArray<byte>(ChunkSize);
            _used = 0;
            ReservedOctets += ChunkSize;
        }
        var offset = _used;
        octets.CopyTo(_chunk.AsSpan(offset));
        _used += octets.Length;
        return (_chunk, offset);
    }
}
