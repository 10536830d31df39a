using System.Net;
using System.Net.Sockets;
using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Validation;

internal static partial class ConfigValidator
{
    private static void ValidatePeers(ValidatedConfig config, List<BgpPeer> peers)
    {
        var secrets = config.Manifests.Secrets;
        foreach (var peer in peers)
        {
            int errors = config.Problems.Count(p => p.Severity == ProblemSeverity.Error);
            void Error(string field, string message) => Report(config, ProblemSeverity.Error, peer, field, message);

            if (peer.MyAsn == 0)
            {
                Error("spec.myASN", "myASN is required and must not be 0");
            }
            if (peer.PeerAsn is not null && peer.DynamicAsn is not null)
            {
                Error("spec.dynamicASN", "peerASN and dynamicASN are mutually exclusive");
            }
            else if (peer.PeerAsn is null && peer.DynamicAsn is null)
            {
                Error("spec.peerASN", "one of peerASN or dynamicASN is required");
            }
            else if (peer.PeerAsn == 0)
            {
                Error("spec.peerASN", "peerASN must not be 0");
            }
            if (peer.DynamicAsn is not null and not ("internal" or "external"))
            {
                Error("spec.dynamicASN", $"dynamicASN must be \"internal\" or \"external\", not \"{peer.DynamicAsn}\"");
            }
            IPAddress? address = null;
            if (peer.PeerAddress.Length == 0 && peer.Interface.Length == 0)
            {
                Error("spec.peerAddress", "one of peerAddress or interface is required");
            }
            else if (peer.PeerAddress.Length > 0 && peer.Interface.Length > 0)
            {
                Error("spec.interface", "peerAddress and interface are mutually exclusive");
            }
            else if (peer.Interface.Length > 0)
            {
                ValidateInterface(peer, Error);
                address = IPAddress.IPv6Any;
            }
            else if (!StrictIp.TryParse(peer.PeerAddress, out address))
            {
                Error("spec.peerAddress", $"invalid peerAddress \"{peer.PeerAddress}\"");
            }
            IPAddress? source = null;
            if (peer.SourceAddress is { Length: > 0 } s && !StrictIp.TryParse(s, out source))
            {
                Error("spec.sourceAddress", $"invalid sourceAddress \"{s}\"");
            }
            IPAddress? routerId = null;
            if (peer.RouterId is { Length: > 0 } r)
            {
                if (!StrictIp.TryParse(r, out routerId))
                {
                    Error("spec.routerID", $"invalid routerID \"{r}\"");
                }
                else if (routerId.AddressFamily != AddressFamily.InterNetwork)
                {
                    // Upstream accepts an IPv6 router ID and then crashes in FRR's config; a BGP
                    // Identifier is a 4-octet value (RFC 4271 section 4.2).
                    Error("spec.routerID", $"routerID must be an IPv4 address, not \"{r}\"");
                    routerId = null;
                }
            }
            if (peer.PeerPort is < 1 or > 16384)
            {
                Error("spec.peerPort", $"peerPort {peer.PeerPort} is out of range 1..16384");
            }
            if (peer.ConnectTime is { } connect && (connect.Ticks % TimeSpan.TicksPerSecond != 0 || connect.TotalSeconds is < 1 or > 65535))
            {
                Error("spec.connectTime", $"connectTime must be whole seconds in 1..65535, not {Reading.GoDuration.Format(connect)}");
            }
            var (hold, keepalive) = Timers(config, peer);
            if (peer.Password is not null && peer.PasswordSecret is not null)
            {
                Error("spec.password", "password and passwordSecret are mutually exclusive");
            }
            string? pending = null;
            string? password = peer.Password;
            if (peer.PasswordSecret is { } reference)
            {
                var secret = secrets.FirstOrDefault(x => x.Name == reference.Name && (reference.Namespace.Length == 0 || x.Meta.Namespace.Length == 0 || x.Meta.Namespace == reference.Namespace));
                if (secret is null)
                {
                    pending = $"Secret \"{reference.Name}\" does not exist yet";
                    Report(config, ProblemSeverity.Pending, peer, "spec.passwordSecret", pending);
                }
                else if (secret.Type != "kubernetes.io/basic-auth")
                {
                    Error("spec.passwordSecret", $"Secret \"{reference.Name}\" is of type {secret.Type}; it must be kubernetes.io/basic-auth");
                }
                else if (!secret.Data.TryGetValue("password", out password))
                {
                    Error("spec.passwordSecret", $"Secret \"{reference.Name}\" has no \"password\" key");
                }
            }
            else if (peer.Password is { } p && secrets.FirstOrDefault(x => x.Name == p) is { } named)
            {
                // A frequent mistake: the Secret's name put into the password field. BGP would then
                // use the name itself as the TCP MD5 key.
                Report(config, ProblemSeverity.Warning, peer, "spec.password",
                    $"password is the name of Secret \"{named.Name}\"; the name itself is used as the TCP MD5 key. Did you mean passwordSecret: {{name: {named.Name}}}?");
            }
            if (peer.EbgpMultiHop && peer.PeerAsn is { } pa && pa == peer.MyAsn)
            {
                Error("spec.ebgpMultiHop", "ebgpMultiHop is set on an iBGP peer (peerASN equals myASN)");
            }
            if (peer.EbgpMultiHop && peer.DynamicAsn == "internal")
            {
                Error("spec.ebgpMultiHop", "ebgpMultiHop is set on an iBGP peer (dynamicASN internal)");
            }
            BfdProfile? bfd = null;
            if (peer.BfdProfile is { Length: > 0 } profileName && !config.BfdProfiles.TryGetValue(profileName, out bfd))
            {
                pending ??= $"BFDProfile \"{profileName}\" does not exist yet";
                Report(config, ProblemSeverity.Pending, peer, "spec.bfdProfile", $"BFDProfile \"{profileName}\" does not exist yet{Closest(profileName, config.BfdProfiles.Keys)}");
            }
            DuplicateSelectors(config, peer, "spec.nodeSelectors", peer.NodeSelectors);
            if (config.Problems.Count(p => p.Severity == ProblemSeverity.Error) > errors || address is null)
            {
                continue;
            }
            config.Peers.Add(new PeerConfig(peer)
            {
                Address = address,
                Interface = peer.Interface.Length > 0 ? peer.Interface : null,
                SourceAddress = source,
                RouterId = routerId,
                HoldTime = hold,
                KeepaliveTime = keepalive,
                ConnectTime = peer.ConnectTime,
                Password = password,
                Bfd = bfd,
                PendingReason = pending,
            });
        }
        ValidateSharedNodes(config);
    }

    /// <summary>
    /// BGP unnumbered (<c>spec.interface</c>). Upstream takes any string and lets the session fail; BgpKit refuses what
    /// cannot be a Linux interface name (1-15 octets, no '/', ':' or white space), since the name goes verbatim into
    /// frr.conf, and what its speaker cannot run on an interface: a TCP MD5 key and BFD both need the peer's address,
    /// which is only learned on the link.
    /// </summary>
    private static void ValidateInterface(BgpPeer peer, Action<string, string> error)
    {
        var name = peer.Interface;
        if (name.Length > 15 || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c) || c > '~'))
        {
            error("spec.interface", $"invalid interface name \"{name}\": a Linux interface name is 1-15 characters without '/', ':' or white space");
        }
        if (peer.Password is not null || peer.PasswordSecret is not null)
        {
            error(peer.Password is not null ? "spec.password" : "spec.passwordSecret", "a TCP MD5 password is not supported with interface (BGP unnumbered) in BgpKit");
        }
        if (peer.BfdProfile is { Length: > 0 })
        {
            error("spec.bfdProfile", "BFD is not supported with interface (BGP unnumbered) in BgpKit");
        }
    }

    /// <summary>holdTime alone gives keepalive = hold/3; keepaliveTime alone gives hold = 3 x keepalive.</summary>
    private static (TimeSpan Hold, TimeSpan Keepalive) Timers(ValidatedConfig config, BgpPeer peer)
    {
        if (peer.HoldTime is null && peer.KeepaliveTime is null)
        {
            return (TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(30));
        }
        TimeSpan? hold = peer.HoldTime ?? peer.KeepaliveTime!.Value * 3;
        TimeSpan? keepalive = peer.KeepaliveTime ?? hold.Value / 3;
        if (hold.Value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            Report(config, ProblemSeverity.Error, peer, "spec.holdTime", $"holdTime must be whole seconds, not {Reading.GoDuration.Format(hold.Value)}");
        }
        else if (hold.Value != TimeSpan.Zero && hold.Value < TimeSpan.FromSeconds(3))
        {
            // RFC 4271 section 4.2: the Hold Time MUST be either zero or at least three seconds.
            Report(config, ProblemSeverity.Error, peer, "spec.holdTime", $"holdTime must be 0 or at least 3s, not {Reading.GoDuration.Format(hold.Value)}");
        }
        if (keepalive.Value > hold.Value)
        {
            Report(config, ProblemSeverity.Error, peer, "spec.keepaliveTime", $"keepaliveTime {Reading.GoDuration.Format(keepalive.Value)} is longer than holdTime {Reading.GoDuration.Format(hold.Value)}");
        }
        return (hold.Value, keepalive.Value);
    }

    /// <summary>Peers that can run on one node must agree on routerID and, per VRF, on myASN.</summary>
    private static void ValidateSharedNodes(ValidatedConfig config)
    {
        var nodes = config.Manifests.Nodes;
        for (int i = 0; i < config.Peers.Count; i++)
        {
            for (int j = i + 1; j < config.Peers.Count; j++)
            {
                var a = config.Peers[i].Resource;
                var b = config.Peers[j].Resource;
                bool share = nodes.Count > 0
                    ? nodes.Any(n => LabelSelector.AnyMatches(a.NodeSelectors, n.Meta.Labels) && LabelSelector.AnyMatches(b.NodeSelectors, n.Meta.Labels))
                    : a.NodeSelectors.Count == 0 || b.NodeSelectors.Count == 0
                      || a.NodeSelectors.Select(s => s.Canonical()).Intersect(b.NodeSelectors.Select(s => s.Canonical())).Any();
                if (!share)
                {
                    continue;
                }
                if (a.Vrf == b.Vrf && a.MyAsn != b.MyAsn)
                {
                    Report(config, ProblemSeverity.Error, b, "spec.myASN", $"myASN {b.MyAsn} differs from BGPPeer {a.Name}'s {a.MyAsn} on the same node{(a.Vrf.Length > 0 ? $" and VRF {a.Vrf}" : "")}");
                }
                if ((a.RouterId ?? "") != (b.RouterId ?? "") && a.Vrf == b.Vrf)
                {
                    Report(config, ProblemSeverity.Error, b, "spec.routerID", $"routerID \"{b.RouterId}\" differs from BGPPeer {a.Name}'s \"{a.RouterId}\" on the same node");
                }
                if (a.PeerIdentity == b.PeerIdentity && a.Vrf == b.Vrf && a.PeerPort == b.PeerPort)
                {
                    Report(config, ProblemSeverity.Error, b, b.PeerAddress.Length > 0 ? "spec.peerAddress" : "spec.interface", $"peer {b.PeerIdentity} is already configured by BGPPeer {a.Name} on the same nodes");
                }
            }
        }
    }
}
