namespace BgpKit.Bgp.Wire;

/// <summary>
/// One NLRI entry: a prefix with the ADD-PATH path identifier (RFC 7911) when the session
/// negotiated ADD-PATH for its AFI/SAFI.
/// </summary>
public readonly struct Nlri : IEquatable<Nlri>
{
    private readonly uint _pathId;
    private readonly bool _hasPathId;

    /// <summary>An entry without a path identifier.</summary>
    public Nlri(Prefix prefix)
    {
        Prefix = prefix;
    }

    /// <summary>An entry with an ADD-PATH path identifier.</summary>
    public Nlri(uint pathId, Prefix prefix)
    {
        Prefix = prefix;
        _pathId = pathId;
        _hasPathId = true;
    }

    /// <summary>The prefix.</summary>
    public Prefix Prefix { get; }

    /// <summary>The ADD-PATH path identifier, or null when none was carried.</summary>
    public uint? PathId => _hasPathId ? _pathId : null;

    /// <summary>True when a path identifier is carried.</summary>
    public bool HasPathId => _hasPathId;

    /// <summary>Entry without path id, implicitly.</summary>
    public static implicit operator Nlri(Prefix prefix) => new(prefix);

    /// <inheritdoc/>
    public bool Equals(Nlri other) => Prefix == other.Prefix && _hasPathId == other._hasPathId && _pathId == other._pathId;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Nlri other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Prefix, _pathId, _hasPathId);

    /// <summary>Equality of value.</summary>
    public static bool operator ==(Nlri left, Nlri right) => left.Equals(right);

    /// <summary>Inequality of value.</summary>
    public static bool operator !=(Nlri left, Nlri right) => !left.Equals(right);

    /// <summary>"10.0.0.0/8" or "10.0.0.0/8 path-id 7".</summary>
    public override string ToString() => _hasPathId ? $"{Prefix} path-id {_pathId}" : Prefix.ToString();
}
