using System.Net;
using System.Threading.Channels;
using BgpKit.Bgp.Wire;
using Microsoft.Extensions.Logging;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// One peer's BGP session: a single owner loop drains a bounded single-reader channel; sockets,
/// timers and the API only post inputs to it. All state below is touched by that loop alone,
/// so there are no locks around the FSM (STYLE.md 6).
/// </summary>
internal sealed partial class BgpSession : IAsyncDisposable
{
    /// <summary>RFC 4271 section 8.2.2: "a large value", 4 minutes is suggested.</summary>
    internal static readonly TimeSpan LargeHoldTime = TimeSpan.FromMinutes(4);

    private readonly Channel<SessionInput> _inbox;
    private BgpPeerOptions _peer;
    private readonly uint _localAs;
    private readonly uint _routerId;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly ILogger _log;
    private readonly SessionAttributes _attributes;
    private readonly IdleHoldBackoff _backoff;
    private readonly SessionTimer _connectRetryTimer;
    private readonly SessionTimer _holdTimer;
    private readonly SessionTimer _keepaliveTimer;
    private readonly SessionTimer _delayOpenTimer;
    private readonly SessionTimer _idleHoldTimer;
    private readonly SessionTimer _sendHoldTimer;
    private readonly SessionTimer _restartTimer;
    private readonly SessionTimer _refreshStaleTimer;
    private readonly SessionTimer _endOfRibDeferralTimer;
    private readonly UpdateIngest? _ingest;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private FsmState _fsm = FsmState.Initial;
    private BgpConnection? _connection;
    private BgpConnection? _pending;
    private CancellationTokenSource? _connectAttempt;
    private long _connectionIds;
    private NegotiatedSession? _negotiated;
    private NotificationMessage? _pendingNotification;
    private bool _closeWithoutNotification;
    private long _establishedAt;
    private bool _adminDown = true;
    private bool _livenessUp = true;
    private string? _lastError;
    private volatile PeerStatus _status;

    public BgpSession(BgpPeerOptions peer, uint localAs, IPAddress routerId, TimeProvider time, Func<double> random, ILogger logger, int inboxCapacity = 1024,
        bool initialRoutesComplete = false)
    {
        _peer = peer;
        _localAs = peer.LocalAs ?? localAs;
        _routerId = OpenNegotiation.RouterIdValue(routerId);
        _time = time;
        _random = random;
        _log = logger;
        _attributes = new SessionAttributes(
            PassiveTcpEstablishment: peer.Transport.Passive,
            DelayOpen: peer.DelayOpenTime is not null,
            AllowAutomaticStart: true,
            AllowAutomaticStop: true,
            SendNotificationWithoutOpen: true);
        _backoff = new IdleHoldBackoff(peer.IdleHoldTime, peer.IdleHoldTimeMax);
        _inbox = Channel.CreateBounded<SessionInput>(new BoundedChannelOptions(inboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _connectRetryTimer = new SessionTimer("ConnectRetryTimer", time, OnTimer);
        _holdTimer = new SessionTimer("HoldTimer", time, OnTimer);
        _keepaliveTimer = new SessionTimer("KeepaliveTimer", time, OnTimer);
        _delayOpenTimer = new SessionTimer("DelayOpenTimer", time, OnTimer);
        _idleHoldTimer = new SessionTimer("IdleHoldTimer", time, OnTimer);
        _sendHoldTimer = new SessionTimer("SendHoldTimer", time, OnTimer);
        _restartTimer = new SessionTimer("RestartTimer", time, OnTimer);
        _refreshStaleTimer = new SessionTimer("RouteRefreshStaleTimer", time, OnTimer);
        _endOfRibDeferralTimer = new SessionTimer("EndOfRibDeferralTimer", time, OnTimer);
        _restartState = peer.RestartingSpeaker?.Restarting == true;
        _initialRoutesComplete = peer.RestartingSpeaker is null || initialRoutesComplete;
        _prefixLimitRestartTimer = new SessionTimer("PrefixLimitRestartTimer", time, OnTimer);
        _prefixLimits = peer.PrefixLimits.Select(l => new PrefixLimitState(l)).ToArray();
        if (peer.KeepAdjRibIn)
        {
            AdjRibIn = new AdjRibIn();
            _ingest = new UpdateIngest(AdjRibIn, peer.ImportFilter, peer.IsExternal(_localAs) ? _localAs : null);
        }
        AdjRibOut = new AdjRibOut();
        _status = BuildStatus();
    }

    public BgpPeerOptions Peer => _peer;

    public IPAddress Address => _peer.Address;

    /// <summary>The link an interface peer (BGP unnumbered) is learned on; the session owns and disposes it.</summary>
    public RouterAdvertisementLink? Link { get; set; }

    public PeerCounters Counters { get; } = new();

    /// <summary>Routes to send to this peer; the owner loop sends what changed.</summary>
    public AdjRibOut AdjRibOut { get; }

    /// <summary>Octets queued on the current connection and not yet taken by the socket (bounded by <see cref="TransportOptions.SendQueueBytes"/> plus one batch of UPDATEs).</summary>
    public long SendQueuedBytes => _connection?.QueuedBytes ?? 0;

    /// <summary>Received routes (when the peer keeps an Adj-RIB-In).</summary>
    public AdjRibIn? AdjRibIn { get; }

    /// <summary>
    /// Raised (on the owner loop) for each received route that passes the import filter, and each withdrawal; the
    /// NLRI carries the ADD-PATH path identifier when one was negotiated.
    /// </summary>
    public event Action<BgpSession, Nlri, PathAttributes?>? RouteReceived;

    /// <summary>The latest status snapshot (rebuilt by the owner loop on every change).</summary>
    public PeerStatus Status => _status;

    /// <summary>The FSM state as the owner loop last left it.</summary>
    public SessionState State => _status.State;

    /// <summary>Raised (on the owner loop) whenever the state changes.</summary>
    public event Action<BgpSession, SessionState>? StateChanged;


    public void StartLoop() => _loop = Task.Run(RunAsync);

    /// <summary>Posts from the API side (waits when the inbox is full).</summary>
    public ValueTask PostAsync(SessionCommand command) =>
        _inbox.Writer.WriteAsync(new SessionInput(InputKind.Command, Payload: command), _stop.Token);

    /// <summary>Completes once every input posted before it has been handled (for tests and orderly shutdown).</summary>
    public async Task BarrierAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await PostAsync(new SessionCommand.Barrier(done)).ConfigureAwait(false);
        await done.Task.ConfigureAwait(false);
    }

    /// <summary>The listener hands over a connection from this peer's address.</summary>
    public void Accept(System.Net.Sockets.Socket socket)
    {
        if (Link is { } link && socket.RemoteEndPoint is IPEndPoint { Address: var from })
        {
            link.Learn(from);
        }
        if (!_inbox.Writer.TryWrite(new SessionInput(InputKind.Accepted, Socket: socket)))
        {
            _ = _inbox.Writer.WriteAsync(new SessionInput(InputKind.Accepted, Socket: socket)).AsTask()
                .ContinueWith(t => socket.Dispose(), CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
        }
    }

    private void OnTimer(SessionTimer timer, long generation)
    {
        var input = new SessionInput(InputKind.Timer, Payload: timer, Generation: generation);
        if (!_inbox.Writer.TryWrite(input))
        {
            // Never lose an expiry: wait for room off the timer thread.
            _ = _inbox.Writer.WriteAsync(input, _stop.Token).AsTask();
        }
    }

    private ValueTask Deliver(BgpConnection connection, ConnectionSignal signal, BgpMessageType type, object? payload, CancellationToken cancel) =>
        _inbox.Writer.WriteAsync(new SessionInput(InputKind.Connection, Connection: connection, Signal: signal, MessageType: type, Payload: payload), cancel);

    private async Task RunAsync()
    {
        try
        {
            await foreach (var input in _inbox.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                Handle(input);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Handles one input. Runs on the owner loop (or, in tests, on the caller).</summary>
    internal void Handle(in SessionInput input)
    {
        var before = _fsm.State;
        switch (input.Kind)
        {
            case InputKind.Timer:
                OnTimerInput((SessionTimer)input.Payload!, input.Generation);
                break;
            case InputKind.Connection:
                OnConnectionInput(input);
                break;
            case InputKind.Accepted:
                OnAccepted(input.Socket!);
                break;
            case InputKind.Connected:
                OnConnected(input.Socket, input.Generation, (string?)input.Payload);
                break;
            case InputKind.Command:
                OnCommand((SessionCommand)input.Payload!);
                break;
            case InputKind.Event:
                Apply(input.Event);
                break;
        }
        if (before != _fsm.State || input.Kind != InputKind.Timer)
        {
            _status = BuildStatus();
        }
        if (before != _fsm.State)
        {
            StateChanged?.Invoke(this, _fsm.State);
        }
    }

    private void OnTimerInput(SessionTimer timer, long generation)
    {
        if (!timer.Expire(generation))
        {
            return;
        }
        if (timer == _connectRetryTimer)
        {
            Apply(BgpEvent.ConnectRetryTimerExpires);
        }
        else if (timer == _holdTimer)
        {
            Apply(BgpEvent.HoldTimerExpires);
        }
        else if (timer == _keepaliveTimer)
        {
            Apply(BgpEvent.KeepaliveTimerExpires);
        }
        else if (timer == _delayOpenTimer)
        {
            Apply(BgpEvent.DelayOpenTimerExpires);
        }
        else if (timer == _idleHoldTimer)
        {
            if (!_adminDown && _livenessUp && !_prefixLimitHeld)
            {
                Apply(BgpEvent.IdleHoldTimerExpires);
            }
        }
        else if (timer == _sendHoldTimer)
        {
            CheckSendHold();
        }
        else if (timer == _restartTimer)
        {
            // RFC 4724 section 4.2: the peer did not come back within its restart time.
            PurgeStale(null);
        }
        else if (timer == _prefixLimitRestartTimer)
        {
            OnPrefixLimitRestart();
        }
        else if (timer == _refreshStaleTimer)
        {
            OnRefreshStaleTimeout();
        }
        else if (timer == _endOfRibDeferralTimer)
        {
            SessionLog.EndOfRibDeferralExpired(_log, Address, _peer.RestartingSpeaker!.EndOfRibDeferral);
            CompleteInitialRoutes();
        }
    }

    private void OnCommand(SessionCommand command)
    {
        switch (command)
        {
            case SessionCommand.Start:
                _adminDown = false;
                _backoff.Reset();
                _idleHoldTimer.Stop();
                ClearPrefixLimitHold();
                if (_livenessUp)
                {
                    Apply(BgpEvent.ManualStart);
                }
                break;
            case SessionCommand.Stop stop:
                _adminDown = true;
                _idleHoldTimer.Stop();
                _pendingNotification = stop.Notification;
                _closeWithoutNotification = stop.Notification is null;
                if (_closeWithoutNotification && _fsm.State == SessionState.Established)
                {
                    SessionLog.ClosingForRestart(_log, Address);
                }
                Apply(BgpEvent.ManualStop);
                _closeWithoutNotification = false;
                break;
            case SessionCommand.Liveness liveness:
                OnLiveness(liveness.Up);
                break;
            case SessionCommand.RibChanged:
                FlushAdjRibOut();
                break;
            case SessionCommand.Routes routes:
                foreach (var (prefix, attributes) in routes.Changes)
                {
                    if (attributes is null)
                    {
                        AdjRibOut.Remove(prefix);
                    }
                    else
                    {
                        AdjRibOut.Set(prefix, attributes);
                    }
                }
                Volatile.Write(ref Counters.PrefixesPending, AdjRibOut.DesiredCount);
                FlushAdjRibOut();
                break;
            case SessionCommand.InitialRoutesComplete:
                CompleteInitialRoutes();
                break;
            case SessionCommand.SoftResetIn:
                SendRouteRefresh();
                break;
            case SessionCommand.ImportFilter filter:
                ChangeImportFilter(filter.Filter);
                break;
            case SessionCommand.Barrier barrier:
                barrier.Done.TrySetResult();
                break;
        }
    }

    private void OnLiveness(bool up)
    {
        if (up == _livenessUp)
        {
            return;
        }
        _livenessUp = up;
        SessionLog.Liveness(_log, Address, up);
        if (!up)
        {
            // RFC 9384: Cease, subcode 10 "BFD Down"; the session stays down until the signal is back.
            _idleHoldTimer.Stop();
            _pendingNotification = new NotificationMessage(BgpErrorCode.Cease, (byte)CeaseSubcode.BfdDown);
            _lastError = "liveness signal down (BFD)";
            Apply(BgpEvent.AutomaticStop);
        }
        else if (!_adminDown && !_prefixLimitHeld && _fsm.State == SessionState.Idle)
        {
            Apply(BgpEvent.AutomaticStart);
        }
    }

    private PeerStatus BuildStatus()
    {
        var n = _negotiated;
        TimeSpan? up = _fsm.State == SessionState.Established ? _time.GetElapsedTime(_establishedAt) : null;
        return new PeerStatus(
            Address,
            _fsm.State,
            up,
            n?.PeerAs,
            n is null ? null : new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(n.PeerBgpIdentifier)),
            _connection?.LocalEndPoint,
            n?.HoldTime,
            n?.KeepaliveTime,
            n?.CapabilityNames() ?? [],
            Counters.Snapshot(),
            _lastError,
            _livenessUp)
        {
            PrefixLimits = _prefixLimits.Length == 0 ? [] : _prefixLimits.Select(l => l.Status()).ToArray(),
            PrefixLimitHeldDown = _prefixLimitHeld,
            PrefixesRefused = Volatile.Read(ref Counters.PrefixesRefused),
            PrefixLimitRestartAt = _prefixLimitRestartAt,
            Interface = _peer.Interface,
            RemoteEndPoint = _connection?.RemoteEndPoint,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _inbox.Writer.TryComplete();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Cancel();
        _connectAttempt?.Cancel();
        foreach (var t in new[] { _connectRetryTimer, _holdTimer, _keepaliveTimer, _delayOpenTimer, _idleHoldTimer, _sendHoldTimer, _restartTimer, _prefixLimitRestartTimer, _refreshStaleTimer, _endOfRibDeferralTimer })
        {
            t.Dispose();
        }
        if (_connection is { } c)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }
        if (_pending is { } p)
        {
            await p.DisposeAsync().ConfigureAwait(false);
        }
        if (Link is { } link)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }
}
