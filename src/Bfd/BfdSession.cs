using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using BgpKit.Bfd.Session;
using BgpKit.Bfd.Transport;

namespace BgpKit.Bfd;

/// <summary>
/// One BFD session to a peer, created by <see cref="BfdEndpoint.StartSession"/>. Observe it through
/// <see cref="State"/>, <see cref="StateChanged"/>, <see cref="StateChanges"/> and <see cref="GetStatus"/>;
/// change it with <see cref="ChangeProfile"/> and <see cref="SetAdminDown"/>; end it with <see cref="DisposeAsync"/>.
/// </summary>
public sealed class BfdSession : IAsyncDisposable
{
    private readonly BfdEndpoint _endpoint;
    private readonly Channel<BfdStateChange> _changes =
        Channel.CreateBounded<BfdStateChange>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false });

    // Owned by the endpoint's loop.
    internal BfdSessionVariables Variables;
    internal long ArmedDeadline = BfdSessionVariables.Never;
    /// <summary>The session's entry in the endpoint's timer wheel; -1 until the loop first arms it.</summary>
    internal int WheelHandle = -1;
    internal long UpSinceTimestamp;
    internal bool Stopped;

    private volatile BfdSessionStatus _status;
    private volatile int _state = (int)BfdState.Down;
    private long _upEvents;
    private long _downEvents;
    private long _received;
    private long _sent;
    private long _echoReceived;
    private long _echoSent;
    private bool _echoPrepared;
    private volatile string? _echoUnavailable;

    internal BfdSession(BfdEndpoint endpoint, BfdSessionOptions options, BfdLink link, uint localDiscriminator, uint initialSequence, ulong echoNonce)
    {
        _endpoint = endpoint;
        Options = options;
        Link = link;
        EchoNonce = echoNonce;
        var profile = options.Profile;
        PrepareEcho(profile);
        Variables = BfdSessionVariables.Create(localDiscriminator, BfdProfile.Microseconds(profile.TransmitInterval),
            BfdProfile.Microseconds(profile.ReceiveInterval), profile.DetectMultiplier, profile.PassiveMode,
            options.Authentication?.Type ?? BfdAuthenticationType.None, initialSequence,
            EchoPossible(profile), BfdProfile.Microseconds(profile.EchoInterval));
        Variables.TimerSlack = endpoint.TimerSlack;
        var port = options.Multihop ? BfdPorts.MultihopControl : endpoint.ControlPort;
        PeerSocketAddress = new IPEndPoint(options.PeerAddress, port).Serialize();
        NativePeerAddress = NativeSocketAddress.Encode(options.PeerAddress, port);
        NativeSourceInfo = NativeSocketAddress.SourceInfo(options.LocalAddress);
        PeerAddressBytes = options.PeerAddress.GetAddressBytes();
        LocalAddressBytes = options.LocalAddress.GetAddressBytes();
        PeerTag = options.PeerAddress.ToString();
        _status = Snapshot(TimeSpan.Zero);
    }

    /// <summary>What the session was started with (the profile changes with <see cref="ChangeProfile"/>).</summary>
    public BfdSessionOptions Options { get; internal set; }

    /// <summary>Our address.</summary>
    public IPAddress LocalAddress => Options.LocalAddress;

    /// <summary>The peer's address.</summary>
    public IPAddress PeerAddress => Options.PeerAddress;

    /// <summary>bfd.LocalDiscr.</summary>
    public uint LocalDiscriminator => Variables.LocalDiscr;

    /// <summary>The current bfd.SessionState.</summary>
    public BfdState State => (BfdState)_state;

    /// <summary>
    /// Raised on the endpoint's loop after every state change. Handlers must return quickly;
    /// for anything slow, read <see cref="StateChanges"/> instead.
    /// </summary>
    public event EventHandler<BfdStateChange>? StateChanged;

    /// <summary>Every state change, in order (the oldest are dropped if a reader falls 256 behind). Completes when the session stops.</summary>
    public ChannelReader<BfdStateChange> StateChanges => _changes.Reader;

    internal BfdLink Link { get; }
    internal SocketAddress PeerSocketAddress { get; }
    /// <summary>The peer's control port as a native sockaddr, for the batched send.</summary>
    internal byte[] NativePeerAddress { get; }
    /// <summary>An IP_PKTINFO / IPV6_PKTINFO control message that sends from our address (batched wildcard send).</summary>
    internal byte[] NativeSourceInfo { get; }
    internal byte[] PeerAddressBytes { get; }
    internal byte[] LocalAddressBytes { get; }
    internal string PeerTag { get; }
    internal BfdAuthenticationKey? Key => Options.Authentication;
    internal ulong EchoNonce { get; }

    /// <summary>Echo mode is configured and the transport can run it for this session.</summary>
    internal bool EchoPossible(BfdProfile profile) => profile.EchoMode && _echoPrepared && _echoUnavailable is null;

    // Opens the echo sockets on the caller's thread (its network namespace) the first time echo mode is asked for.
    private void PrepareEcho(BfdProfile profile)
    {
        if (profile.EchoMode && !_echoPrepared)
        {
            _echoUnavailable = Options.Multihop ? "multihop: RFC 5883 section 3 rules out the echo function" : Link.PrepareEcho(LocalAddress);
            _echoPrepared = true;
        }
    }

    /// <summary>A snapshot of the session's state, timers and counters.</summary>
    public BfdSessionStatus GetStatus()
    {
        var status = _status;
        var uptime = status.State == BfdState.Up ? _endpoint.Time.GetElapsedTime(Volatile.Read(ref UpSinceTimestamp)) : TimeSpan.Zero;
        return status with
        {
            Uptime = uptime,
            UpEvents = Interlocked.Read(ref _upEvents),
            DownEvents = Interlocked.Read(ref _downEvents),
            ControlPacketsReceived = Interlocked.Read(ref _received),
            ControlPacketsSent = Interlocked.Read(ref _sent),
            EchoPacketsReceived = Interlocked.Read(ref _echoReceived),
            EchoPacketsSent = Interlocked.Read(ref _echoSent),
            EchoUnavailable = Options.Profile.EchoMode ? _echoUnavailable : null,
        };
    }

    /// <summary>
    /// Applies new intervals, multiplier and passive mode; when Up, the change is announced with a Poll
    /// Sequence (RFC 5880 section 6.8.3). The minimum TTL applies to the next packets received.
    /// </summary>
    public void ChangeProfile(BfdProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        profile.Validate();
        PrepareEcho(profile);
        Options = Options with { Profile = profile };
        _endpoint.Post(new BfdEndpoint.Event(BfdEndpoint.EventKind.ParametersChanged, this));
    }

    /// <summary>Holds the session in AdminDown (diagnostic 7), or releases it to Down (RFC 5880 section 6.8.16).</summary>
    public void SetAdminDown(bool adminDown) =>
        _endpoint.Post(new BfdEndpoint.Event(adminDown ? BfdEndpoint.EventKind.AdminDown : BfdEndpoint.EventKind.AdminUp, this));

    /// <summary>Sends AdminDown to the peer, stops the session and completes <see cref="StateChanges"/>.</summary>
    public ValueTask DisposeAsync() => _endpoint.StopSessionAsync(this);

    /// <summary>Peer, state and discriminators.</summary>
    public override string ToString() => $"BFD {LocalAddress} -> {PeerAddress} {State} (discriminator {LocalDiscriminator})";

    internal void CountReceived() => Interlocked.Increment(ref _received);

    internal void CountSent() => Interlocked.Increment(ref _sent);

    internal void CountEchoReceived() => Interlocked.Increment(ref _echoReceived);

    internal void CountEchoSent() => Interlocked.Increment(ref _echoSent);

    internal void Publish(BfdState previous, BfdDiagnostic diagnostic, DateTimeOffset at, long timestamp)
    {
        var current = Variables.SessionState;
        _state = (int)current;
        if (current == BfdState.Up)
        {
            Volatile.Write(ref UpSinceTimestamp, timestamp);
            Interlocked.Increment(ref _upEvents);
        }
        else if (previous == BfdState.Up)
        {
            Interlocked.Increment(ref _downEvents);
        }
        var change = new BfdStateChange(LocalAddress, PeerAddress, previous, current, diagnostic, at);
        _changes.Writer.TryWrite(change);
        StateChanged?.Invoke(this, change);
    }

    internal void Complete() => _changes.Writer.TryComplete();

    /// <summary>Republishes the status snapshot when one of its fields changed (cheap compare on the hot path).</summary>
    internal void RefreshStatus()
    {
        ref readonly var v = ref Variables;
        var s = _status;
        if (s.State == v.SessionState && s.RemoteState == v.RemoteSessionState && s.RemoteDiscriminator == v.RemoteDiscr
            && s.LastDiagnostic == v.LocalDiag && s.TransmitInterval.Ticks == v.TransmitInterval * 10
            && s.DetectionTime.Ticks == v.DetectionTime * 10 && s.ReceiveInterval.Ticks == AgreedReceive(v) * 10
            && s.EchoActive == v.EchoActive && s.EchoTransmitInterval.Ticks == EchoInterval(v) * 10 && s.EchoDetectionTime.Ticks == v.EchoDetectionTime * 10)
        {
            return;
        }
        _status = Snapshot(TimeSpan.Zero);
    }

    private static long AgreedReceive(in BfdSessionVariables v) => Math.Max(v.OperMinRxInterval, v.RemoteDesiredMinTxInterval);

    private static long EchoInterval(in BfdSessionVariables v) => v.EchoActive ? v.EchoTransmitInterval : 0;

    private BfdSessionStatus Snapshot(TimeSpan uptime)
    {
        ref readonly var v = ref Variables;
        return new BfdSessionStatus
        {
            LocalAddress = Options.LocalAddress,
            PeerAddress = Options.PeerAddress,
            Multihop = Options.Multihop,
            State = v.SessionState,
            RemoteState = v.RemoteSessionState,
            LocalDiscriminator = v.LocalDiscr,
            RemoteDiscriminator = v.RemoteDiscr,
            LastDiagnostic = v.LocalDiag,
            TransmitInterval = TimeSpan.FromTicks(v.TransmitInterval * 10),
            ReceiveInterval = TimeSpan.FromTicks(AgreedReceive(v) * 10),
            DetectionTime = TimeSpan.FromTicks(v.DetectionTime * 10),
            Uptime = uptime,
            UpEvents = 0,
            DownEvents = 0,
            ControlPacketsReceived = 0,
            ControlPacketsSent = 0,
            EchoActive = v.EchoActive,
            EchoTransmitInterval = TimeSpan.FromTicks(EchoInterval(v) * 10),
            EchoDetectionTime = TimeSpan.FromTicks(v.EchoDetectionTime * 10),
        };
    }
}
