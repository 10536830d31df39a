using System.Net;

namespace BgpKit.Bfd;

/// <summary>
/// What a session runs between: our address, the peer's address, the profile, single-hop (RFC 5881,
/// UDP 3784, TTL 255) or multihop (RFC 5883, UDP 4784, minimum TTL from the profile), and optional
/// authentication. Both addresses must be of the same family (IPv4 or IPv6).
/// </summary>
public sealed record BfdSessionOptions
{
    /// <summary>Creates options for a single-hop session with the default profile.</summary>
    public BfdSessionOptions(IPAddress localAddress, IPAddress peerAddress)
    {
        LocalAddress = localAddress;
        PeerAddress = peerAddress;
    }

    /// <summary>Our address; the endpoint binds UDP sockets to it.</summary>
    public IPAddress LocalAddress { get; init; }

    /// <summary>The peer's address.</summary>
    public IPAddress PeerAddress { get; init; }

    /// <summary>Timers, multiplier, passive mode and minimum TTL.</summary>
    public BfdProfile Profile { get; init; } = BfdProfile.Default;

    /// <summary>True for a multihop session (RFC 5883).</summary>
    public bool Multihop { get; init; }

    /// <summary>The authentication to send and require; null for none.</summary>
    public BfdAuthenticationKey? Authentication { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(LocalAddress);
        ArgumentNullException.ThrowIfNull(PeerAddress);
        ArgumentNullException.ThrowIfNull(Profile);
        if (LocalAddress.AddressFamily != PeerAddress.AddressFamily)
        {
            throw new ArgumentException("local and peer addresses must both be IPv4 or both IPv6", nameof(PeerAddress));
        }
        Profile.Validate();
    }
}
