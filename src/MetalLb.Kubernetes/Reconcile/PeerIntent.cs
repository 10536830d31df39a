using System.Net;
using BgpKit.MetalLb.Model;

namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>
/// One BGP session as planned. Two intents that are equal need nothing done; any difference in
/// these fields restarts the session (except <see cref="Bfd"/> and <see cref="ToReceive"/>, which change without a flap).
/// </summary>
internal sealed record PeerIntent
{
    public required string Name { get; init; }
    public required IPAddress Address { get; init; }

    /// <summary>BGP unnumbered: the interface the session runs over (then <see cref="Address"/> is <c>::</c>), or null.</summary>
    public string? Interface { get; init; }

    /// <summary>How the peer is shown: its interface, else its address.</summary>
    public string Neighbor => Interface ?? Address.ToString();

    public int Port { get; init; } = 179;
    public required uint MyAsn { get; init; }

    /// <summary>The peer's AS, or 0 with <see cref="DynamicAsn"/> set.</summary>
    public uint PeerAsn { get; init; }

    /// <summary><c>internal</c> or <c>external</c> when the peer's AS is learned from its OPEN.</summary>
    public string? DynamicAsn { get; init; }

    public IPAddress? SourceAddress { get; init; }
    public IPAddress? RouterId { get; init; }
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan KeepaliveTime { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTime { get; init; } = TimeSpan.FromSeconds(10);
    public bool EbgpMultiHop { get; init; }
    public string? Vrf { get; init; }

    /// <summary>Only the peer address's family in the OPEN and on the session (MetalLB's default; false with dualStackAddressFamily).</summary>
    public bool SingleFamily { get; init; }

    /// <summary>The TCP MD5 password. Never printed: <see cref="ToString"/> says only whether one is set.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// BGPPeer <c>enableGracefulRestart</c>: the restarting side of RFC 4724 (restart time, F bits, R bit after a
    /// restart, End-of-RIB after the re-announcements), as FRR's <c>neighbor X graceful-restart</c>.
    /// </summary>
    public bool GracefulRestart { get; init; }

    /// <summary>Which received routes enter the Adj-RIB-In (FRR-K8s toReceive); changes without a session reset.</summary>
    public ReceiveFilter ToReceive { get; init; } = ReceiveFilter.None;

    /// <summary>The BFD session bound to this peer, if its BGPPeer names a profile.</summary>
    public BfdIntent? Bfd { get; init; }

    /// <summary>
    /// Whether the routes received from this peer go into the kernel routing table (an FRRConfiguration's
    /// <c>toReceive</c> allows some). Changes without a session reset, as a changed import policy does in FRR.
    /// </summary>
    public bool InstallReceived { get; init; }

    /// <summary>True when this is an iBGP session (LOCAL_PREF goes only there).</summary>
    public bool IsInternal => DynamicAsn == "internal" || (DynamicAsn is null && PeerAsn == MyAsn);

    /// <summary>Whether going from this to <paramref name="next"/> needs the BGP session restarted.</summary>
    public bool SessionDiffers(PeerIntent next) => this with { Bfd = null, InstallReceived = false, ToReceive = ReceiveFilter.None } != next with { Bfd = null, InstallReceived = false, ToReceive = ReceiveFilter.None };

    public override string ToString() =>
        $"{Name} {(Interface is null ? $"{Address}:{Port}" : $"interface {Interface}")} AS{MyAsn}->AS{(DynamicAsn ?? PeerAsn.ToString(System.Globalization.CultureInfo.InvariantCulture))}"
        + (Password is null ? string.Empty : " (password set)")
        + (Bfd is null ? string.Empty : $" bfd {Bfd.ProfileName}");
}

/// <summary>The BFD session of one peer, with MetalLB's BFDProfile fields.</summary>
internal sealed record BfdIntent
{
    public required string ProfileName { get; init; }
    public TimeSpan ReceiveInterval { get; init; } = TimeSpan.FromMilliseconds(300);
    public TimeSpan TransmitInterval { get; init; } = TimeSpan.FromMilliseconds(300);
    public byte DetectMultiplier { get; init; } = 3;
    public TimeSpan EchoInterval { get; init; } = TimeSpan.FromMilliseconds(50);
    public bool EchoMode { get; init; }
    public bool PassiveMode { get; init; }
    public byte MinimumTtl { get; init; } = 254;

    /// <summary>Multihop (UDP 4784) when the BGP session is eBGP multihop.</summary>
    public bool Multihop { get; init; }
}
