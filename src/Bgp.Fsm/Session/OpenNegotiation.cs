using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>What two OPENs agreed on (RFC 4271 section 4.2 and the capabilities RFCs).</summary>
internal sealed record NegotiatedSession(
    uint PeerAs,
    uint PeerBgpIdentifier,
    TimeSpan HoldTime,
    TimeSpan KeepaliveTime,
    IReadOnlyList<AfiSafi> Families,
    bool FourOctetAs,
    bool ExtendedMessage,
    bool RouteRefresh,
    bool EnhancedRouteRefresh,
    GracefulRestartCapability? PeerGracefulRestart,
    string? PeerHostName,
    BgpDecodeContext DecodeContext,
    bool ExtendedNextHop = false)
{
    /// <summary>Capability names for status snapshots.</summary>
    public IReadOnlyList<string> CapabilityNames()
    {
        var names = new List<string>();
        names.AddRange(Families.Select(f => "mp-" + f));
        if (FourOctetAs) names.Add("4-octet-as");
        if (ExtendedMessage) names.Add("extended-message");
        if (RouteRefresh) names.Add("route-refresh");
        if (EnhancedRouteRefresh) names.Add("enhanced-route-refresh");
        if (PeerGracefulRestart is not null) names.Add("graceful-restart");
        if (DecodeContext.ReceivesPathIds(AfiSafi.IPv4Unicast) || DecodeContext.ReceivesPathIds(AfiSafi.IPv6Unicast)) names.Add("add-path-receive");
        if (PeerHostName is not null) names.Add("hostname");
        if (ExtendedNextHop) names.Add("extended-nexthop");
        return names;
    }
}

/// <summary>
/// Builds our OPEN and checks the peer's against it. Every refusal is the NOTIFICATION RFC 4271
/// section 6.2 and RFC 5492 name: Bad Peer AS, Bad BGP Identifier, Unacceptable Hold Time,
/// Unsupported Capability (with the capabilities we needed as data).
/// </summary>
internal static class OpenNegotiation
{
    /// <summary>Our OPEN to <paramref name="peer"/> as <paramref name="localAs"/> with identifier <paramref name="routerId"/>.</summary>
    /// <param name="peer">The peer's options.</param>
    /// <param name="localAs">Our AS.</param>
    /// <param name="routerId">Our BGP identifier.</param>
    /// <param name="restartState">The R bit: this process restarted and the session has not been Established since.</param>
    public static OpenMessage BuildOpen(BgpPeerOptions peer, uint localAs, uint routerId, bool restartState = false)
    {
        var caps = new List<Capability>();
        foreach (var family in peer.Families)
        {
            caps.Add(new MultiprotocolCapability(family));
        }
        caps.Add(RouteRefreshCapability.Instance);
        caps.Add(EnhancedRouteRefreshCapability.Instance);
        caps.Add(new FourOctetAsCapability(localAs));
        if (peer.ExtendedMessage)
        {
            caps.Add(ExtendedMessageCapability.Instance);
        }
        if (peer.AddPathReceive)
        {
            caps.Add(new AddPathCapability(peer.Families.Select(f => new AddPathFamily(f, AddPathDirection.Receive)).ToArray()));
        }
        if (peer.GracefulRestart && peer.RestartingSpeaker is { } restarting)
        {
            // RFC 4724 section 3: every family of the session is listed, so that the peer keeps our routes while we
            // are gone; the F bit tells it whether to keep them once we are back (until our End-of-RIB).
            var kept = restarting.ForwardingStateFamilies ?? peer.Families;
            caps.Add(new GracefulRestartCapability(restartState, notification: false, (int)restarting.RestartTime.TotalSeconds,
                peer.Families.Select(f => new GracefulRestartFamily(f, kept.Contains(f))).ToArray()));
        }
        else if (peer.GracefulRestart)
        {
            // Receiving speaker only: restart time 0 and no families means "I keep your routes, I do not preserve mine".
            caps.Add(new GracefulRestartCapability(restartState: false, notification: false, restartTimeSeconds: 0));
        }
        if (OffersExtendedNextHop(peer))
        {
            caps.Add(new ExtendedNextHopCapability([Ipv4ViaIPv6]));
        }
        if (peer.HostName is { Length: > 0 } host)
        {
            caps.Add(new FqdnCapability(host));
        }
        var hold = (ushort)Math.Min(ushort.MaxValue, (int)peer.HoldTime.TotalSeconds);
        return new OpenMessage(localAs, hold, routerId, caps);
    }

    /// <summary>Checks <paramref name="received"/>; returns the agreement or the error to send.</summary>
    public static (NegotiatedSession? Session, BgpError? Error) Negotiate(BgpPeerOptions peer, uint localAs, uint routerId, OpenMessage sent, OpenMessage received)
    {
        var peerAs = received.Asn;
        // RFC 4271 section 6.2 / RFC 6793: the AS from the 4-octet capability when present.
        var asOk = peer.RemoteAsMode switch
        {
            PeerAsMode.Specific => peerAs == peer.RemoteAs,
            PeerAsMode.Internal => peerAs == localAs,
            _ => peerAs != localAs,
        };
        if (!asOk)
        {
            return (null, Error(OpenMessageErrorSubcode.BadPeerAs, default, $"peer AS {peerAs} is not the configured one"));
        }
        // RFC 6286 section 2.1: identifiers must differ within an AS; eBGP peers may share one.
        if (received.BgpIdentifier == routerId && peerAs == localAs)
        {
            return (null, Error(OpenMessageErrorSubcode.BadBgpIdentifier, default, "peer uses our BGP identifier"));
        }
        var theirHold = TimeSpan.FromSeconds(received.HoldTime);
        if (received.HoldTime != 0 && theirHold < peer.MinimumHoldTime)
        {
            return (null, Error(OpenMessageErrorSubcode.UnacceptableHoldTime, default, $"hold time {received.HoldTime} s below the minimum"));
        }
        var hold = TimeSpan.FromSeconds(Math.Min(sent.HoldTime, received.HoldTime));
        var keepalive = hold == TimeSpan.Zero ? TimeSpan.Zero
            : peer.KeepaliveTime is { } k && k > TimeSpan.Zero && k <= hold ? k : TimeSpan.FromSeconds(Math.Max(1, (int)hold.TotalSeconds / 3));

        // RFC 4760 section 8: a peer without multiprotocol capabilities speaks IPv4 unicast only.
        var theirFamilies = received.Capabilities.OfType<MultiprotocolCapability>().Select(c => c.AfiSafi).ToList();
        if (theirFamilies.Count == 0)
        {
            theirFamilies.Add(AfiSafi.IPv4Unicast);
        }
        var families = peer.Families.Where(theirFamilies.Contains).ToList();
        if (families.Count == 0)
        {
            // RFC 5492 section 3: Unsupported Capability, data = the capabilities we could not do without.
            var data = new List<byte>();
            foreach (var f in peer.Families)
            {
                var value = new MultiprotocolCapability(f).GetValue();
                data.Add((byte)CapabilityCode.Multiprotocol);
                data.Add((byte)value.Length);
                data.AddRange(value);
            }
            return (null, Error(OpenMessageErrorSubcode.UnsupportedCapability, data.ToArray(), "no address family in common"));
        }
        var context = BgpDecodeContext.Negotiate(sent, received);
        var session = new NegotiatedSession(
            peerAs,
            received.BgpIdentifier,
            hold,
            keepalive,
            families,
            context.FourOctetAs,
            context.ExtendedMessage,
            received.HasCapability(CapabilityCode.RouteRefresh),
            received.HasCapability(CapabilityCode.EnhancedRouteRefresh),
            peer.GracefulRestart ? received.GetCapability<GracefulRestartCapability>() : null,
            received.GetCapability<FqdnCapability>()?.HostName,
            context,
            OffersExtendedNextHop(peer) && received.GetCapability<ExtendedNextHopCapability>() is { } enhe && enhe.Families.Contains(Ipv4ViaIPv6));
        return (session, null);
    }

    private static readonly ExtendedNextHopFamily Ipv4ViaIPv6 = new(Afi.IPv4, 1, Afi.IPv6);

    /// <summary>
    /// RFC 8950: on an IPv6 session, IPv4 unicast routes without an IPv4 next hop (none configured) carry our IPv6
    /// address as next hop in MP_REACH_NLRI, which a peer accepts only after both sides advertised the capability.
    /// </summary>
    private static bool OffersExtendedNextHop(BgpPeerOptions peer) =>
        peer.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !peer.Address.IsIPv4MappedToIPv6
        && peer.Families.Contains(AfiSafi.IPv4Unicast);

    private static BgpError Error(OpenMessageErrorSubcode subcode, ReadOnlyMemory<byte> data, string reason) =>
        new(BgpErrorCode.OpenMessageError, (byte)subcode, data, ErrorAction.SessionReset, reason);

    /// <summary>The router id as the 32-bit value OPEN carries (network order read as a number).</summary>
    public static uint RouterIdValue(IPAddress routerId)
    {
        Span<byte> b = stackalloc byte[4];
        if (routerId.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !routerId.TryWriteBytes(b, out _))
        {
            throw new ArgumentException("the router id is an IPv4 address", nameof(routerId));
        }
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b);
    }
}
