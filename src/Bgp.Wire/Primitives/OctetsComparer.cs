namespace BgpKit.Bgp.Wire;

/// <summary>
/// Compares octet strings by content, and lets a dictionary keyed by <c>byte[]</c> be probed with a
/// <see cref="ReadOnlySpan{T}"/> without allocating (through
/// <c>GetAlternateLookup&lt;ReadOnlySpan&lt;byte&gt;&gt;()</c>). Used to intern raw path-attribute blocks:
/// routes that arrive with the same attribute octets share one decoded attribute set.
/// </summary>
public sealed class OctetsComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    /// <summary>The one instance; the comparer has no state.</summary>
    public static readonly OctetsComparer Instance = new();

    private OctetsComparer()
    {
    }

    /// <inheritdoc />
    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    /// <inheritdoc />
    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    /// <inheritdoc />
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc />
    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = new HashCode();
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
