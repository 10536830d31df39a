using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BgpKit.Bfd;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.MetalLb.Model;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Speaker;

/// <summary>
/// The session backend on the real stack: one <see cref="BgpSpeaker"/> (created with the node's AS
/// and router ID from the first configuration) and one <see cref="BfdEndpoint"/>; each peer's BFD
/// session is bound to its BGP session as the liveness signal (BFD Down takes BGP down with
/// Cease/BFD Down, RFC 9384). Called from the reconcile loop only.
/// </summary>
internal sealed partial class SpeakerBackend : ISessionBackend
{
    private readonly SpeakerBackendOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PeerEntry> _peers = new(StringComparer.Ordinal);
    private readonly ReceivedRouteInstaller? _kernel;
    private BgpSpeaker? _speaker;
    private BfdEndpoint? _bfd;

    public SpeakerBackend(SpeakerBackendOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.Speaker");
        if (options.InstallReceivedRoutes)
        {
            _kernel = new ReceivedRouteInstaller(ReceivedRoutesToInstall, options.LoggerFactory.CreateLogger("BgpKit.MetalLb.Kubernetes.KernelRoutes"), options.MeterFactory);
        }
    }

    /// <summary>
    /// Starts installing received routes into the kernel (when enabled), first removing a crashed earlier run's
    /// routes; false when they are not installed.
    /// </summary>
    public bool StartKernelRoutes() => _kernel?.Start() ?? false;

    private IEnumerable<ReceivedRouteSelection.PeerRoutes> ReceivedRoutesToInstall()
    {
        var speaker = _speaker;
        if (speaker is null)
        {
            yield break;
        }
        foreach (var entry in _peers.Values.Where(e => e.Intent.InstallReceived))
        {
            IReadOnlyList<ReceivedRoute> routes;
            try
            {
                routes = speaker.GetReceivedRoutes(entry.Key);
            }
            catch (InvalidOperationException)
            {
                continue; // Removed between the two reads.
            }
            yield return new ReceivedRouteSelection.PeerRoutes(entry.Intent.Address, entry.Intent.Vrf, routes);
        }
    }

    /// <summary>
    /// A BGP or BFD session changed state (raised on the session's own loop: handlers must not block).
    /// Peers added and removed are the reconciler's doing and show in its <see cref="Reconciler.Applied"/>.
    /// </summary>
    public event Action? SessionsChanged;

    /// <summary>Where the BGP listener listens, once the first peer created the speaker.</summary>
    public IPEndPoint? ListenEndPoint => _speaker?.ListenEndPoint;

    private sealed class PeerEntry(PeerIntent intent, IPAddress key)
    {
        public PeerIntent Intent { get; set; } = intent;

        /// <summary>The peer's key in the speaker: its address, or <c>::%ifindex</c> for an interface peer.</summary>
        public IPAddress Key { get; set; } = key;

        public BfdSession? Bfd { get; set; }
        public IDisposable? Binding { get; set; }
        public SortedDictionary<string, RouteIntent> Sent { get; } = new(StringComparer.Ordinal);
    }

    public async ValueTask AddPeerAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        var key = SpeakerKey(peer);
        var speaker = await SpeakerFor(peer, cancellationToken).ConfigureAwait(false);
        var entry = new PeerEntry(peer, key);
        if (!_peers.TryAdd(peer.Name, entry))
        {
            throw new InvalidOperationException($"peer {peer.Name} is already running");
        }
        await speaker.AddPeerAsync(PeerOptions(peer, _options.Restarting)).ConfigureAwait(false);
        if (peer.Bfd is not null)
        {
            StartBfd(entry, speaker);
        }
        _kernel?.Wake();
        LogPeerAdded(_logger, peer.Name, peer.Neighbor, peer.Port);
    }

    public async ValueTask RemovePeerAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        if (!_peers.TryRemove(peer.Name, out var entry) || _speaker is null)
        {
            return;
        }
        await StopBfdAsync(entry).ConfigureAwait(false);
        await _speaker.RemovePeerAsync(entry.Key).ConfigureAwait(false);
        _kernel?.Wake();
        LogPeerRemoved(_logger, peer.Name);
    }

    public async ValueTask ResetPeerAsync(PeerIntent previous, PeerIntent next, CancellationToken cancellationToken)
    {
        if (_speaker is null || !_peers.TryGetValue(previous.Name, out var entry))
        {
            await AddPeerAsync(next, cancellationToken).ConfigureAwait(false);
            return;
        }
        // The BFD session says nothing about BGP parameters: keep it (no flap on the router's side) when it
        // would be the same session, rebind it to the new BGP session below.
        var nextKey = SpeakerKey(next);
        var keepBfd = entry.Bfd is not null && previous.Bfd == next.Bfd && previous.Address.Equals(next.Address)
            && Equals(previous.SourceAddress, next.SourceAddress);
        if (keepBfd)
        {
            entry.Binding?.Dispose();
            entry.Binding = null;
        }
        else
        {
            await StopBfdAsync(entry).ConfigureAwait(false);
        }
        // RFC 4486 subcode 6, what FRR sends when a neighbor's local-as or the router-id changes; the removal
        // that follows finds the session already down and sends nothing more.
        await _speaker.StopPeerAsync(entry.Key, CeaseSubcode.OtherConfigurationChange).ConfigureAwait(false);
        await _speaker.RemovePeerAsync(entry.Key).ConfigureAwait(false);
        entry.Sent.Clear();
        entry.Intent = next;
        entry.Key = nextKey;
        await _speaker.AddPeerAsync(PeerOptions(next, _options.Restarting)).ConfigureAwait(false);
        if (keepBfd)
        {
            entry.Binding = _speaker.BindLiveness(nextKey, entry.Bfd!);
        }
        else if (next.Bfd is not null)
        {
            StartBfd(entry, _speaker);
        }
        if (previous.Vrf != next.Vrf)
        {
            _kernel?.ForgetVrfs();
        }
        _kernel?.Wake();
        LogPeerReset(_logger, next.Name);
    }

    public async ValueTask ChangeBfdAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        if (!_peers.TryGetValue(peer.Name, out var entry) || _speaker is null)
        {
            return;
        }
        var previous = entry.Intent;
        entry.Intent = peer;
        if (previous.InstallReceived != peer.InstallReceived)
        {
            _kernel?.Wake();
        }
        if (previous.Bfd == peer.Bfd && (peer.Bfd is null) == (entry.Bfd is null))
        {
            return; // Only the kernel-route setting changed.
        }
        if (peer.Bfd is null)
        {
            // Removing the profile disables BFD for the peer (not the upstream fallback to a default profile).
            await StopBfdAsync(entry).ConfigureAwait(false);
        }
        else if (entry.Bfd is null)
        {
            StartBfd(entry, _speaker);
        }
        else
        {
            entry.Bfd.ChangeProfile(Profile(peer.Bfd));
        }
    }

    public async ValueTask ChangeReceiveAsync(PeerIntent peer, CancellationToken cancellationToken)
    {
        if (!_peers.TryGetValue(peer.Name, out var entry) || _speaker is null)
        {
            return;
        }
        var status = _speaker.GetStatus(peer.Address);
        if (status.State == SessionState.Established && !status.Capabilities.Contains("route-refresh"))
        {
            // Without ROUTE-REFRESH (RFC 2918) the peer cannot be asked for the routes the new filter accepts:
            // a reset is the only way to get them, as FRR's soft-reconfiguration fallback would be without a copy.
            await ResetPeerAsync(entry.Intent, peer, cancellationToken).ConfigureAwait(false);
            return;
        }
        entry.Intent = peer;
        await _speaker.SetImportFilterAsync(peer.Address, ImportFilter(peer.ToReceive)).ConfigureAwait(false);
        LogReceiveChanged(_logger, peer.Name, peer.ToReceive.ToString());
    }

    /// <summary>toReceive as Bgp.Fsm's import filter: the same prefix-list semantics (exact length unless ge/le).</summary>
    internal static PrefixFilter ImportFilter(ReceiveFilter toReceive) =>
        toReceive.AcceptsAll ? PrefixFilter.All
        : PrefixFilter.Of(toReceive.Prefixes.Select(p => new PrefixFilterEntry(Prefix.Parse(p.Prefix.ToString()), p.GreaterOrEqual, p.LessOrEqual)).ToArray());

    public async ValueTask AnnounceAsync(RouteIntent route, CancellationToken cancellationToken)
    {
        if (_peers.TryGetValue(route.Peer, out var entry))
        {
            entry.Sent[route.Prefix.ToString()] = route;
            await RouteSink.Announce(_speaker, entry.Intent, entry.Key, route).ConfigureAwait(false);
        }
    }

    public async ValueTask InitialRoutesCompleteAsync(CancellationToken cancellationToken)
    {
        if (_speaker is { } speaker)
        {
            await speaker.CompleteInitialRoutesAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask WithdrawAsync(RouteKey route, CancellationToken cancellationToken)
    {
        if (_peers.TryGetValue(route.Peer, out var entry) && entry.Sent.Remove(route.Prefix.ToString()))
        {
            await RouteSink.Withdraw(_speaker, entry.Key, route.Prefix).ConfigureAwait(false);
        }
    }

    public async ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        // BFD first, as AdminDown: the peer must not read our going away as a path failure.
        foreach (var entry in _peers.Values)
        {
            entry.Bfd?.SetAdminDown(true);
        }
        if (_speaker is not null)
        {
            // Peers with enableGracefulRestart see the connection close without NOTIFICATION and keep our routes
            // until we are back, as with MetalLB's FRR (bgpd 8.4 sends none on SIGTERM); the others get Cease.
            await _speaker.StopForRestartAsync("bgpkit speaker stopping").ConfigureAwait(false);
        }
        LogShutdown(_logger, _peers.Count);
        if (_kernel is not null)
        {
            await _kernel.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _peers.Values)
        {
            entry.Binding?.Dispose();
        }
        if (_kernel is not null)
        {
            await _kernel.DisposeAsync().ConfigureAwait(false);
        }
        if (_bfd is not null)
        {
            await _bfd.DisposeAsync().ConfigureAwait(false);
        }
        if (_speaker is not null)
        {
            await _speaker.DisposeAsync().ConfigureAwait(false);
        }
        _peers.Clear();
    }

    private async ValueTask<BgpSpeaker> SpeakerFor(PeerIntent peer, CancellationToken cancellationToken)
    {
        if (_speaker is not null)
        {
            return _speaker;
        }
        var routerId = peer.RouterId ?? RouterIdFor(peer);
        var listen = _options.BgpListen;
        _speaker = new BgpSpeaker(new BgpSpeakerOptions
        {
            LocalAs = peer.MyAsn,
            RouterId = routerId,
            ListenAddress = listen?.Address,
            ListenPort = listen?.Port ?? 179,
            TimeProvider = _options.TimeProvider,
            LoggerFactory = _options.LoggerFactory,
            MeterFactory = _options.MeterFactory,
        });
        _speaker.PeerStateChanged += (_, _) =>
        {
            _kernel?.Wake();
            SessionsChanged?.Invoke();
        };
        if (_kernel is not null)
        {
            _speaker.RouteReceived += (_, _) => _kernel.Wake();
        }
        await _speaker.StartAsync(cancellationToken).ConfigureAwait(false);
        return _speaker;
    }

    /// <summary>
    /// The speaker's key of a peer: its address, or for an interface peer (BGP unnumbered) <c>::%ifindex</c>.
    /// An interface this node does not have fails the peer with an error naming it (upstream: the session never comes up).
    /// </summary>
    internal static IPAddress SpeakerKey(PeerIntent peer) =>
        peer.Interface is { } name ? BgpPeerOptions.InterfacePeerAddress(name) : peer.Address;

    /// <summary>
    /// MetalLB uses the node's address as router ID; here, our IPv4 address toward the peer, or for an interface
    /// peer (no IPv4 on the link) the IPv4 address the node sends from by default.
    /// </summary>
    private static IPAddress RouterIdFor(PeerIntent peer)
    {
        var local = peer.SourceAddress ?? LocalAddressToward(peer.Interface is null ? peer.Address : DefaultRouteProbe);
        return local.AddressFamily == AddressFamily.InterNetwork && !local.Equals(IPAddress.Any) ? local : IPAddress.Parse("10.255.255.254");
    }

    /// <summary>A documentation address (RFC 5737): a UDP connect toward it picks the default route's source and sends nothing.</summary>
    private static readonly IPAddress DefaultRouteProbe = IPAddress.Parse("192.0.2.1");

    /// <summary>The address the kernel would send from toward <paramref name="peer"/> (a UDP connect sends nothing).</summary>
    internal static IPAddress LocalAddressToward(IPAddress peer)
    {
        try
        {
            using var socket = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(peer, 9));
            return ((IPEndPoint)socket.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return peer.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        }
    }

    /// <param name="peer">The planned session.</param>
    /// <param name="restarting">This process restarted (restart state found): the R bit in the first OPENs.</param>
    internal static BgpPeerOptions PeerOptions(PeerIntent peer, bool restarting = false) => new()
    {
        Address = peer.Interface is null ? peer.Address : IPAddress.IPv6Any,
        Interface = peer.Interface,
        RemoteAs = peer.PeerAsn,
        RemoteAsMode = peer.DynamicAsn switch { "internal" => PeerAsMode.Internal, "external" => PeerAsMode.External, _ => PeerAsMode.Specific },
        LocalAs = peer.MyAsn,
        RouterId = peer.RouterId ?? RouterIdFor(peer),
        HoldTime = peer.HoldTime,
        KeepaliveTime = peer.KeepaliveTime,
        KeepAdjRibIn = true,
        // MetalLB renders "bgp graceful-restart preserve-fw-state" on every router and "neighbor X graceful-restart"
        // per enableGracefulRestart; FRR's restart time stays at its default, 120 s. Forwarding is the node's
        // (kube-proxy), which outlives the speaker, so every family keeps it.
        ImportFilter = ImportFilter(peer.ToReceive),
        RestartingSpeaker = peer.GracefulRestart ? new GracefulRestartOptions { Restarting = restarting } : null,
        Families = !peer.SingleFamily || peer.Interface is not null ? [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast]
            : peer.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? [AfiSafi.IPv6Unicast] : [AfiSafi.IPv4Unicast],
        Transport = new TransportOptions
        {
            RemotePort = peer.Port,
            LocalAddress = peer.SourceAddress,
            Password = peer.Password,
            ConnectRetryTime = peer.ConnectTime,
            BindDevice = peer.Vrf,
            // eBGP is single hop (TTL 1) unless multihop is asked for, as MetalLB's ebgpMultiHop means.
            Ttl = peer.EbgpMultiHop ? 255 : null,
        },
    };

    private void StartBfd(PeerEntry entry, BgpSpeaker speaker)
    {
        var peer = entry.Intent;
        _bfd ??= new BfdEndpoint(_options.LoggerFactory, _options.MeterFactory);
        var local = peer.SourceAddress ?? LocalAddressToward(peer.Address);
        entry.Bfd = _bfd.StartSession(new BfdSessionOptions(local, peer.Address)
        {
            Profile = Profile(peer.Bfd!),
            Multihop = peer.Bfd!.Multihop,
        });
        entry.Bfd.StateChanged += (_, _) => SessionsChanged?.Invoke();
        entry.Binding = speaker.BindLiveness(entry.Key, entry.Bfd);
    }

    private static async ValueTask StopBfdAsync(PeerEntry entry)
    {
        entry.Binding?.Dispose();
        entry.Binding = null;
        if (entry.Bfd is { } bfd)
        {
            entry.Bfd = null;
            await bfd.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static BfdProfile Profile(BfdIntent bfd) => new()
    {
        ReceiveInterval = bfd.ReceiveInterval,
        TransmitInterval = bfd.TransmitInterval,
        DetectMultiplier = bfd.DetectMultiplier,
        EchoInterval = bfd.EchoInterval,
        EchoMode = bfd.EchoMode,
        PassiveMode = bfd.PassiveMode,
        MinimumTtl = bfd.MinimumTtl,
    };

    // ---- status ----

    public IReadOnlyList<BgpNeighborView> Neighbors()
    {
        var speaker = _speaker;
        var views = new List<BgpNeighborView>();
        foreach (var entry in _peers.Values)
        {
            PeerStatus? status = null;
            try
            {
                status = speaker?.GetStatus(entry.Key);
            }
            catch (InvalidOperationException)
            {
                // Removed between the two reads.
            }
            views.Add(Neighbor(entry, status));
        }
        return views;
    }

    private BgpNeighborView Neighbor(PeerEntry entry, PeerStatus? status)
    {
        var p = entry.Intent;
        var c = status?.Counters;
        var state = status?.State.ToString() ?? "Idle";
        var summary = new BgpSummaryRowBuilder(p, status, entry.Sent.Count).Build();
        return new BgpNeighborView(
            summary,
            status?.LocalEndPoint?.Address.ToString() ?? p.SourceAddress?.ToString() ?? string.Empty,
            _speaker is null ? string.Empty : (p.RouterId ?? RouterIdFor(p)).ToString(),
            status?.PeerRouterId?.ToString() ?? string.Empty,
            (int)p.HoldTime.TotalSeconds,
            (int)p.KeepaliveTime.TotalSeconds,
            (int)(status?.HoldTime?.TotalSeconds ?? 0),
            p.EbgpMultiHop,
            p.Bfd?.ProfileName,
            entry.Bfd?.State.ToString(),
            status?.Capabilities ?? [],
            new MessageCount(c?.OpensSent ?? 0, c?.OpensReceived ?? 0),
            new MessageCount(c?.UpdatesSent ?? 0, c?.UpdatesReceived ?? 0),
            new MessageCount(c?.KeepalivesSent ?? 0, c?.KeepalivesReceived ?? 0),
            new MessageCount(c?.NotificationsSent ?? 0, c?.NotificationsReceived ?? 0),
            new MessageCount(c?.RouteRefreshSent ?? 0, c?.RouteRefreshReceived ?? 0),
            c?.EstablishedTransitions ?? 0)
        {
            PrefixesRefused = status?.PrefixesRefused ?? 0,
            ToReceive = p.ToReceive.ToString(),
        };
    }

    public IReadOnlyList<BgpRouteView> Routes(string? peer, bool received)
    {
        var routes = new List<BgpRouteView>();
        foreach (var entry in _peers.Values.Where(e => peer is null || e.Intent.Name == peer || e.Intent.Neighbor == peer).OrderBy(e => e.Intent.Name, StringComparer.Ordinal))
        {
            if (received)
            {
                routes.AddRange(RouteSink.Received(_speaker, entry.Intent, entry.Key));
                continue;
            }
            var asPath = entry.Intent.IsInternal ? string.Empty : entry.Intent.MyAsn.ToString(CultureInfo.InvariantCulture);
            var local = LocalEndPointOf(entry)?.Address;
            foreach (var route in entry.Sent.Values)
            {
                routes.Add(new BgpRouteView(entry.Intent.Name, route.Prefix.ToString(), "sent", SentNextHop(route.Prefix, local, entry.Intent.Interface is not null)?.ToString() ?? string.Empty,
                    entry.Intent.IsInternal ? route.LocalPref : null, null, asPath,
                    route.Communities.Select(RouteIntent.FormatCommunity).ToArray(),
                    route.LargeCommunities.Select(l => l.ToString()).ToArray()));
            }
        }
        return routes;
    }

    private IPEndPoint? LocalEndPointOf(PeerEntry entry)
    {
        try
        {
            return _speaker?.GetStatus(entry.Key).LocalEndPoint;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The next hop BgpSpeaker puts on a route it sends when none is configured (we configure none): our end
    /// of the session's TCP connection; for an IPv6 prefix over an IPv4 session, that address IPv4-mapped
    /// (MP_REACH_NLRI, RFC 4760), and for an IPv4 prefix over an IPv6 session none (the NEXT_HOP needs IPv4) unless
    /// <paramref name="extendedNextHop"/> (an interface peer: our IPv6 address in MP_REACH_NLRI, RFC 8950).
    /// A link-local address is shown without its scope, as it goes on the wire. Null while there is no connection:
    /// nothing has been sent then.
    /// </summary>
    internal static IPAddress? SentNextHop(IPNetwork prefix, IPAddress? local, bool extendedNextHop = false)
    {
        if (local is null)
        {
            return null;
        }
        if (local.AddressFamily == AddressFamily.InterNetworkV6 && local.ScopeId != 0)
        {
            local = new IPAddress(local.GetAddressBytes());
        }
        var v4 = local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local;
        if (prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            return v4.AddressFamily == AddressFamily.InterNetwork ? v4 : extendedNextHop ? local : null;
        }
        return v4.AddressFamily == AddressFamily.InterNetwork ? v4.MapToIPv6() : local;
    }

    public IReadOnlyList<BfdPeerStatus> BfdSessions()
    {
        var sessions = new List<BfdPeerStatus>();
        foreach (var entry in _peers.Values)
        {
            if (entry.Bfd is not { } bfd)
            {
                continue;
            }
            var s = bfd.GetStatus();
            sessions.Add(new BfdPeerStatus(
                s.PeerAddress.ToString(), s.LocalAddress.ToString(), s.State.ToString(), s.RemoteState.ToString(),
                s.LocalDiscriminator, s.RemoteDiscriminator,
                (long)s.TransmitInterval.TotalMilliseconds, (long)s.ReceiveInterval.TotalMilliseconds,
                entry.Intent.Bfd?.DetectMultiplier ?? 3, (long)s.DetectionTime.TotalMilliseconds,
                (long)s.Uptime.TotalSeconds, s.DownEvents));
        }
        return sessions;
    }

    private readonly record struct BgpSummaryRowBuilder(PeerIntent Peer, PeerStatus? Status, int Sent)
    {
        public BgpPeerSummary Build()
        {
            var c = Status?.Counters;
            return new BgpPeerSummary(
                Peer.Name, Peer.Neighbor, Peer.Port,
                Status?.PeerAs ?? Peer.PeerAsn, Peer.MyAsn,
                Status?.State.ToString() ?? "Idle",
                (long)(Status?.EstablishedFor?.TotalSeconds ?? 0),
                c?.PrefixesAnnounced ?? 0, c?.PrefixesReceived ?? 0,
                c?.TotalSent ?? 0, c?.TotalReceived ?? 0,
                Status?.LastError);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} added ({Address} port {Port})")]
    private static partial void LogPeerAdded(ILogger logger, string peer, string address, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} removed (Cease, peer de-configured)")]
    private static partial void LogPeerRemoved(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} reset with new parameters (Cease, other configuration change)")]
    private static partial void LogPeerReset(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} now accepts {ToReceive} (no reset; ROUTE-REFRESH sent)")]
    private static partial void LogReceiveChanged(ILogger logger, string peer, string toReceive);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down {Count} peers (Cease, administrative shutdown; BFD AdminDown)")]
    private static partial void LogShutdown(ILogger logger, int count);
}

/// <summary>Options of <see cref="SpeakerBackend"/>.</summary>
internal sealed record SpeakerBackendOptions
{
    /// <summary>Where to accept BGP connections; null to only connect out.</summary>
    public IPEndPoint? BgpListen { get; init; }

    /// <summary>The process restarted (graceful restart state found): peers with graceful restart set the R bit.</summary>
    public bool Restarting { get; init; }
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    public ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Install routes received from peers that allow them (<see cref="PeerIntent.InstallReceived"/>) into the kernel.</summary>
    public bool InstallReceivedRoutes { get; init; }
}
