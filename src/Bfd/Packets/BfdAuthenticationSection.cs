namespace BgpKit.Bfd;

/// <summary>
/// The optional authentication section of a BFD Control packet (RFC 5880 sections 4.2 to 4.4).
/// <see cref="Value"/> holds the password (Simple Password) or the digest (keyed MD5/SHA1);
/// it is never printed by <see cref="ToString"/>.
/// </summary>
/// <remarks>
/// <code>
///  Simple Password (4.2)                      Keyed MD5 / SHA1 (4.3, 4.4)
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Auth Type   |   Auth Len    |  Auth Key ID  |  Password/Reserved
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Password (1..16 bytes) ...   |  or: Sequence Number (32 bits)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///                                    then: Auth Key/Digest (16 or 20 bytes)
/// </code>
/// Simple Password: Auth Len = 3 + password length. MD5: Auth Len 24, a Reserved byte after the key ID.
/// SHA1: Auth Len 28, a Reserved byte after the key ID.
/// </remarks>
public readonly struct BfdAuthenticationSection : IEquatable<BfdAuthenticationSection>
{
    /// <summary>Creates a section; <paramref name="value"/> is the password or the digest.</summary>
    public BfdAuthenticationSection(BfdAuthenticationType type, byte keyId, uint sequenceNumber, ReadOnlyMemory<byte> value)
    {
        Type = type;
        KeyId = keyId;
        SequenceNumber = sequenceNumber;
        Value = value;
    }

    /// <summary>Auth Type.</summary>
    public BfdAuthenticationType Type { get; }

    /// <summary>Auth Key ID.</summary>
    public byte KeyId { get; }

    /// <summary>Sequence Number (keyed types only; zero for Simple Password).</summary>
    public uint SequenceNumber { get; }

    /// <summary>The password (Simple Password) or the Auth Key/Digest field (keyed types).</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The Auth Len this section has on the wire.</summary>
    public int Length => Type switch
    {
        BfdAuthenticationType.SimplePassword => 3 + Value.Length,
        BfdAuthenticationType.KeyedMd5 or BfdAuthenticationType.MeticulousKeyedMd5 => 24,
        _ => 28,
    };

    /// <summary>True for the keyed types whose sequence number must increase with every packet.</summary>
    public bool IsMeticulous => Type is BfdAuthenticationType.MeticulousKeyedMd5 or BfdAuthenticationType.MeticulousKeyedSha1;

    /// <summary>Digest length of a keyed type: 16 (MD5), 20 (SHA1), 0 for Simple Password.</summary>
    internal static int DigestLength(BfdAuthenticationType type) => type switch
    {
        BfdAuthenticationType.KeyedMd5 or BfdAuthenticationType.MeticulousKeyedMd5 => 16,
        BfdAuthenticationType.KeyedSha1 or BfdAuthenticationType.MeticulousKeyedSha1 => 20,
        _ => 0,
    };

    /// <inheritdoc />
    public bool Equals(BfdAuthenticationSection other) =>
        Type == other.Type && KeyId == other.KeyId && SequenceNumber == other.SequenceNumber && Value.Span.SequenceEqual(other.Value.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BfdAuthenticationSection other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, KeyId, SequenceNumber, Value.Length);

    /// <summary>Type, key ID and sequence number; the password or digest is never shown.</summary>
    public override string ToString() => $"{Type} key {KeyId} seq {SequenceNumber} ({Value.Length} secret bytes)";
}
