using System.Collections.Concurrent;
using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.Bfd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// A BGP-4 speaker (RFC 4271): many peers, each with its own <see cref="BgpPeerOptions"/> and its own
/// session; one shared TCP listener; routes announced and withdrawn per peer or for all peers.
/// <code>
/// await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("192.0.2.1") });
/// await speaker.StartAsync();
/// await speaker.AddPeerAsync(new BgpPeerOptions { Address = IPAddress.Parse("192.0.2.2"), RemoteAs = 65002 });
/// </code>
/// </summary>
public sealed partial class BgpSpeaker : IAsyncDisposable
{
    private readonly BgpSpeakerOptions _options;
    private readonly ConcurrentDictionary<IPAddress, BgpSession> _sessions = new();
    private readonly ILoggerFactory _loggers;
    private readonly BgpMetrics _metrics;
    private readonly Func<double> _random;
    private BgpListener? _listener;

    /// <summary>Creates a speaker; nothing listens or connects until <see cref="StartAsync"/> and <see cref="AddPeerAsync"/>.</summary>
    public BgpSpeaker(BgpSpeakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OpenNegotiation.RouterIdValue(options.RouterId);
        _options = options;
        _loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var random = new Random();
        _random = options.Random ?? (() => random.NextDouble());
        _metrics = new BgpMetrics(options.MeterFactory, () => _sessions.Values);
    }

    /// <summary>Where the shared listener listens (after <see cref="StartAsync"/>; null when not listening).</summary>
    public IPEndPoint? ListenEndPoint => _listener?.LocalEndPoint;

    /// <summary>Raised when a peer's session changes state (on the session's loop: do not block).</summary>
    public event EventHandler<PeerStateChangedEventArgs>? PeerStateChanged;

    /// <summary>Opens the shared listener (unless <see cref="BgpSpeakerOptions.ListenAddress"/> is null).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_options.ListenAddress is { } address && _listener is null)
        {
            _listener = new BgpListener(new IPEndPoint(address, _options.ListenPort), _options.ListenDevice);
            foreach (var session in _sessions.Values)
            {
                _listener.Register(session.Address, session.Peer.Transport.Password, session.Accept);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Adds a peer and (with <see cref="BgpPeerOptions.AutoStart"/>) starts its session (ManualStart).</summary>
    public async Task AddPeerAsync(BgpPeerOptions peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.HoldTime != TimeSpan.Zero && peer.HoldTime < TimeSpan.FromSeconds(3))
        {
            throw new ArgumentException("hold time is 0 or at least 3 seconds (RFC 4271 section 4.2)", nameof(peer));
        }
        if (peer.RouterId is { } routerId)
        {
            OpenNegotiation.RouterIdValue(routerId);
        }
        PrefixLimit.Validate(peer);
        if (peer.RestartingSpeaker is { } restarting)
        {
            if (!peer.GracefulRestart)
            {
                throw new ArgumentException("the restarting side of graceful restart needs GracefulRestart (the capability)", nameof(peer));
            }
            restarting.Validate();
        }
        peer = Unnumbered(peer);
        var session = new BgpSession(peer, _options.LocalAs, peer.RouterId ?? _options.RouterId, _options.TimeProvider, _random,
            _loggers.CreateLogger("BgpKit.Bgp.Fsm.Session"), initialRoutesComplete: Volatile.Read(ref _initialRoutesComplete));
        if (!_sessions.TryAdd(peer.Address, session))
        {
            throw new InvalidOperationException($"peer {peer.Address} already exists");
        }
        if (peer.Interface is { } name)
        {
            try
            {
                session.Link = new RouterAdvertisementLink(name, _options.TimeProvider, peer.RouterAdvertisementInterval);
            }
            catch
            {
                _sessions.TryRemove(peer.Address, out _);
                throw;
            }
        }
        session.StateChanged += (s, state) => PeerStateChanged?.Invoke(this, new PeerStateChangedEventArgs(s.Address, state, s.Status));
        Wire(session);
        _listener?.Register(peer.Address, peer.Transport.Password, session.Accept);
        session.StartLoop();
        if (peer.AutoStart)
        {
            await session.PostAsync(new SessionCommand.Start()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Says that the initial announcements after a (re)start are all made (<see cref="AnnounceAsync(IEnumerable{Prefix}, PathAttributes, IPAddress?)"/>
    /// calls before this one): peers with <see cref="BgpPeerOptions.RestartingSpeaker"/> send End-of-RIB once those
    /// routes are out (RFC 4724 section 4.1). Peers added later send it after their first flush. Calling it again does nothing.
    /// </summary>
    public async Task CompleteInitialRoutesAsync()
    {
        Volatile.Write(ref _initialRoutesComplete, true);
        foreach (var session in _sessions.Values)
        {
            await session.PostAsync(new SessionCommand.InitialRoutesComplete()).ConfigureAwait(false);
        }
    }

    private bool _initialRoutesComplete;

    /// <summary>
    /// An interface peer (BGP unnumbered) keyed by <c>::%ifindex</c> when its address is to be learned, or by its
    /// link-local address with the interface as scope when given.
    /// </summary>
    private static BgpPeerOptions Unnumbered(BgpPeerOptions peer)
    {
        if (peer.Interface is not { } name)
        {
            return peer;
        }
        if (name.Length == 0)
        {
            throw new ArgumentException("an interface peer needs the interface's name", nameof(peer));
        }
        if (!string.IsNullOrEmpty(peer.Transport.Password))
        {
            throw new ArgumentException($"interface peer {name}: a TCP MD5 password needs a known peer address", nameof(peer));
        }
        if (peer.RouterAdvertisementInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"interface peer {name}: the router advertisement interval must be positive", nameof(peer));
        }
        var index = RouterAdvertisementLink.IndexOf(name);
        var address = peer.Address;
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6
            || !(address.IsIPv6LinkLocal || new IPAddress(address.GetAddressBytes()).Equals(IPAddress.IPv6Any)))
        {
            throw new ArgumentException($"interface peer {name}: the address is IPv6Any (learned on the link) or the peer's IPv6 link-local address, not {address}", nameof(peer));
        }
        return peer with { Address = new IPAddress(address.GetAddressBytes(), index) };
    }

    /// <summary>Removes a peer: Cease "Peer De-configured" (RFC 4486), then the session ends.</summary>
    public async Task RemovePeerAsync(IPAddress peer)
    {
        if (!_sessions.TryRemove(peer, out var session))
        {
            return;
        }
        _listener?.Unregister(peer, !string.IsNullOrEmpty(session.Peer.Transport.Password));
        await session.PostAsync(new SessionCommand.Stop(new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.PeerDeconfigured))).ConfigureAwait(false);
        await session.BarrierAsync().ConfigureAwait(false);
        await session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Administratively shuts a peer down (ManualStop) with an optional RFC 9003 shutdown communication.</summary>
    public Task ShutdownPeerAsync(IPAddress peer, string? message = null) =>
        Post(peer, new SessionCommand.Stop(NotificationMessage.Shutdown(CeaseSubcode.AdministrativeShutdown, message)));

    /// <summary>
    /// Ends every session because this process is about to restart: sessions with <see cref="BgpPeerOptions.RestartingSpeaker"/>
    /// close TCP without a NOTIFICATION, which their peer takes for a restart and so keeps our routes, as stale, for our
    /// restart time (RFC 4724 section 4.2; FRR 8.4 bgpd stops this way on SIGTERM); the others get Cease "administrative
    /// shutdown" with <paramref name="shutdownMessage"/> (RFC 9003). The peers stay configured and down; a later
    /// <see cref="DisposeAsync"/> sends nothing more.
    /// </summary>
    public async Task StopForRestartAsync(string? shutdownMessage = null)
    {
        foreach (var session in _sessions.Values)
        {
            var notification = session.Peer.RestartingSpeaker is null ? NotificationMessage.Shutdown(CeaseSubcode.AdministrativeShutdown, shutdownMessage) : null;
            await session.PostAsync(new SessionCommand.Stop(notification)).ConfigureAwait(false);
            await session.BarrierAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops a peer with any Cease subcode (for example Out of Resources or Hard Reset, RFC 8538).</summary>
    public Task StopPeerAsync(IPAddress peer, CeaseSubcode subcode) =>
        Post(peer, new SessionCommand.Stop(new NotificationMessage(BgpErrorCode.Cease, (byte)subcode)));

    /// <summary>
    /// Starts (or restarts after a shutdown) a peer's session (ManualStart). This also clears a peer held down by
    /// its <see cref="BgpPeerOptions.PrefixLimits"/> (FRR's <c>clear bgp</c>), before its restart interval.
    /// </summary>
    public Task StartPeerAsync(IPAddress peer) => Post(peer, new SessionCommand.Start());

    /// <summary>Asks the peer to send its routes again (ROUTE-REFRESH, RFC 2918).</summary>
    public Task RefreshPeerAsync(IPAddress peer) => Post(peer, new SessionCommand.SoftResetIn());

    /// <summary>
    /// Replaces a peer's import filter without resetting its session: received routes the new filter refuses
    /// are removed from its Adj-RIB-In (and reported withdrawn), and a ROUTE-REFRESH (RFC 2918) asks the peer
    /// to send its routes again, so those the new filter accepts come in. Null accepts all.
    /// </summary>
    public Task SetImportFilterAsync(IPAddress peer, PrefixFilter? filter) => Post(peer, new SessionCommand.ImportFilter(filter));

    /// <summary>
    /// The liveness hook: <c>false</c> takes the session down at once with Cease subcode 10 "BFD Down"
    /// (RFC 9384) and keeps it down; <c>true</c> lets it start again (AutomaticStart).
    /// </summary>
    public Task SetPeerLivenessAsync(IPAddress peer, bool up) => Post(peer, new SessionCommand.Liveness(up));

    /// <summary>
    /// Binds a peer to a BFD session (src/Bfd): when BFD leaves Up for Down the BGP session goes down
    /// with Cease/BFD Down and stays down until BFD is Up again. AdminDown (the BFD peer was disabled) is not a failure.
    /// Dispose the result to unbind (the peer is then considered live).
    /// </summary>
    public IDisposable BindLiveness(IPAddress peer, BfdSession bfd)
    {
        ArgumentNullException.ThrowIfNull(bfd);
        EventHandler<BfdStateChange> handler = (_, change) =>
        {
            if (change.Current == BfdState.Up)
            {
                _ = SetPeerLivenessAsync(peer, true);
            }
            else if (change.Previous == BfdState.Up && change.Current == BfdState.Down)
            {
                _ = SetPeerLivenessAsync(peer, false);
            }
        };
        bfd.StateChanged += handler;
        return new Unbinder(() =>
        {
            bfd.StateChanged -= handler;
            _ = SetPeerLivenessAsync(peer, true);
        });
    }

    /// <summary>The status of one peer.</summary>
    public PeerStatus GetStatus(IPAddress peer) => Session(peer).Status;

    /// <summary>The status of every peer.</summary>
    public IReadOnlyList<PeerStatus> GetStatuses() => _sessions.Values.Select(s => s.Status).ToList();

    /// <summary>Completes when <paramref name="peer"/> reaches <paramref name="state"/>.</summary>
    public async Task WaitForStateAsync(IPAddress peer, SessionState state, CancellationToken cancellationToken = default)
    {
        var session = Session(peer);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(BgpSession s, SessionState now)
        {
            if (now == state)
            {
                reached.TrySetResult();
            }
        }
        session.StateChanged += OnChange;
        try
        {
            if (session.State == state)
            {
                return;
            }
            await reached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.StateChanged -= OnChange;
        }
    }

    internal BgpSession Session(IPAddress peer) =>
        _sessions.TryGetValue(peer, out var s) ? s : throw new InvalidOperationException($"no peer {peer}");

    internal IEnumerable<BgpSession> Sessions => _sessions.Values;

    private async Task Post(IPAddress peer, SessionCommand command) => await Session(peer).PostAsync(command).ConfigureAwait(false);

    /// <summary>Sends Cease "Administrative Shutdown" to every peer, then closes the listener and all sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions.Values)
        {
            try
            {
                await session.PostAsync(new SessionCommand.Stop(new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.AdministrativeShutdown))).ConfigureAwait(false);
                await session.BarrierAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var session in _sessions.Values)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        _sessions.Clear();
        _metrics.Dispose();
    }

    private sealed class Unbinder(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}

/// <summary>A peer's session changed state.</summary>
/// <param name="Peer">The peer's address.</param>
/// <param name="State">The new state.</param>
/// <param name="Status">The status snapshot at the change.</param>
public sealed record PeerStateChangedEventArgs(IPAddress Peer, SessionState State, PeerStatus Status);
