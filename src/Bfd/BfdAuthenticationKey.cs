using System.Buffers.Binary;
using System.Security.Cryptography;

namespace BgpKit.Bfd;

/// <summary>
/// The authentication a session uses (RFC 5880 section 6.7): the type, the key ID and the secret.
/// The secret is copied in, never returned, and never appears in <see cref="ToString"/>, logs or exceptions.
/// </summary>
public sealed class BfdAuthenticationKey
{
    private readonly byte[] _secret;

    /// <summary>Creates a key. Simple passwords are 1 to 16 bytes, MD5 keys 1 to 16, SHA1 keys 1 to 20.</summary>
    /// <exception cref="ArgumentException">The type is None or the secret's length does not fit the type.</exception>
    public BfdAuthenticationKey(BfdAuthenticationType type, byte keyId, ReadOnlySpan<byte> secret)
    {
        var max = type switch
        {
            BfdAuthenticationType.SimplePassword => 16,
            BfdAuthenticationType.KeyedMd5 or BfdAuthenticationType.MeticulousKeyedMd5 => 16,
            BfdAuthenticationType.KeyedSha1 or BfdAuthenticationType.MeticulousKeyedSha1 => 20,
            _ => throw new ArgumentException("authentication type must be one of RFC 5880's five types", nameof(type)),
        };
        if (secret.Length < 1 || secret.Length > max)
        {
            // The message says the rule, never the secret.
            throw new ArgumentException($"a {type} secret is 1 to {max} bytes", nameof(secret));
        }
        Type = type;
        KeyId = keyId;
        _secret = secret.ToArray();
    }

    /// <summary>Creates a key from a UTF-8 string secret (as FRR and MetalLB configure it).</summary>
    public static BfdAuthenticationKey FromString(BfdAuthenticationType type, byte keyId, string secret) =>
        new(type, keyId, System.Text.Encoding.UTF8.GetBytes(secret));

    /// <summary>The Auth Type.</summary>
    public BfdAuthenticationType Type { get; }

    /// <summary>The Auth Key ID sent and required.</summary>
    public byte KeyId { get; }

    /// <summary>True for the meticulous keyed types.</summary>
    public bool IsMeticulous => Type is BfdAuthenticationType.MeticulousKeyedMd5 or BfdAuthenticationType.MeticulousKeyedSha1;

    /// <summary>Auth Len of the sections this key produces.</summary>
    internal int SectionLength => Type == BfdAuthenticationType.SimplePassword ? 3 + _secret.Length : 8 + BfdAuthenticationSection.DigestLength(Type);

    /// <summary>Type and key ID only.</summary>
    public override string ToString() => $"{Type} key {KeyId}";

    /// <summary>
    /// Writes the authentication section after the 24-byte mandatory section of <paramref name="packet"/>
    /// (whose Length field already counts it) and, for keyed types, the digest over the whole packet (sections 6.7.3, 6.7.4).
    /// </summary>
    internal void Sign(Span<byte> packet, uint sequenceNumber)
    {
        var section = packet[BfdControlPacket.MandatoryLength..(BfdControlPacket.MandatoryLength + SectionLength)];
        section[0] = (byte)Type;
        section[1] = (byte)SectionLength;
        section[2] = KeyId;
        if (Type == BfdAuthenticationType.SimplePassword)
        {
            _secret.CopyTo(section[3..]);
            return;
        }
        section[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(section[4..], sequenceNumber);
        var digest = section[8..];
        // The digest is computed with the key, zero-padded, in place of the digest field.
        digest.Clear();
        _secret.CopyTo(digest);
        Span<byte> hash = stackalloc byte[20];
        var whole = packet[..(BfdControlPacket.MandatoryLength + SectionLength)];
        var n = Hash(whole, hash);
        hash[..n].CopyTo(digest);
    }

    /// <summary>
    /// Checks the password or the digest of a received packet (<paramref name="packet"/> is exactly Length bytes and
    /// its section has already passed the codec's shape checks). The sequence-number window is the session's business.
    /// </summary>
    internal bool Verify(ReadOnlySpan<byte> packet)
    {
        var section = packet[BfdControlPacket.MandatoryLength..];
        if ((BfdAuthenticationType)section[0] != Type || section[2] != KeyId)
        {
            return false;
        }
        if (Type == BfdAuthenticationType.SimplePassword)
        {
            return section.Length == 3 + _secret.Length && CryptographicOperations.FixedTimeEquals(section[3..], _secret);
        }
        if (section.Length != SectionLength)
        {
            return false;
        }
        Span<byte> copy = stackalloc byte[BfdControlPacket.MaximumLength];
        copy = copy[..packet.Length];
        packet.CopyTo(copy);
        var digest = copy[(BfdControlPacket.MandatoryLength + 8)..];
        digest.Clear();
        _secret.CopyTo(digest);
        Span<byte> hash = stackalloc byte[20];
        var n = Hash(copy, hash);
        var ok = CryptographicOperations.FixedTimeEquals(hash[..n], section[8..]);
        CryptographicOperations.ZeroMemory(copy);
        return ok;
    }

    private int Hash(ReadOnlySpan<byte> data, Span<byte> destination) =>
        Type is BfdAuthenticationType.KeyedMd5 or BfdAuthenticationType.MeticulousKeyedMd5
            ? MD5.HashData(data, destination)
            : SHA1.HashData(data, destination);
}
