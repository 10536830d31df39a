using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using BgpKit.Bfd.Session;
using BgpKit.Bfd.Timing;
using BgpKit.Bfd.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.Bfd;

/// <summary>
/// The BFD system of one host (RFC 5880, 5881, 5883): it owns the UDP sockets (one pair per local address
/// and hop mode, shared by all sessions on it), demultiplexes received packets to sessions by Your
/// Discriminator or, for a peer's first packets, by address, and runs every session's state machine on one
/// loop. Create sessions with <see cref="StartSession"/>.
/// </summary>
public sealed partial class BfdEndpoint : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly BfdLinkFactory _linkFactory;
    private readonly BfdMetrics _metrics;
    private readonly long _origin;
    // Production: one dedicated loop thread owns every session. It drains _queue (API calls, echo), reads the
    // links' receive sockets itself when batched (recvmmsg, no thread hop per packet), fires the sessions'
    // deadlines from one timer wheel and flushes each turn's packets with sendmmsg. Tests (inline): the
    // caller's thread drains the queue and one TimeProvider timer follows the wheel's earliest deadline.
    private readonly ConcurrentQueue<Event> _queue = new();
    private readonly TimerWheel<BfdSession> _wheel;
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly int _eventFd = -1;
    private readonly bool _batched;
    private readonly ITimer? _inlineTimer;
    private long _inlineTimerDue = BfdSessionVariables.Never;
    private int _loopThreadId;
    private BfdLink[] _linkList = [];
    private readonly TaskCompletionSource _loopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _queued;
    private int _waiting;
    private volatile bool _stopping;
    private readonly bool _inline;
    private readonly Queue<Event> _inlineQueue = new();
    private bool _draining;
    private readonly object _linksGate = new();
    private readonly Dictionary<(IPAddress, bool), BfdLink> _links = new();
    private readonly ConcurrentDictionary<uint, BfdSession> _byDiscriminator = new();
    private readonly ConcurrentDictionary<(BfdLink, IPAddress, IPAddress), BfdSession> _byAddress = new();
    private readonly bool _listenOnAnyAddress;
    private readonly byte[] _sendBuffer = new byte[BfdControlPacket.MaximumLength];
    private int _disposed;

    /// <summary>Creates an endpoint that uses the system clock and the well-known BFD ports.</summary>
    /// <param name="loggerFactory">Where session events are logged (optional).</param>
    /// <param name="meterFactory">Where the <c>BgpKit.Bfd</c> meter is created (optional).</param>
    /// <param name="listenOnAnyAddress">
    /// False (default): one receive socket per local address, bound to that address, so the endpoint can share
    /// the host with another BFD daemon bound to the wildcard address (FRR bfdd). True: one receive socket on
    /// 0.0.0.0 / :: per hop mode, demultiplexing by destination address (IP_PKTINFO, Linux); use it for many
    /// local addresses, when no other BFD daemon runs in the network namespace.
    /// </param>
    public BfdEndpoint(ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, bool listenOnAnyAddress = false)
        : this(TimeProvider.System, new Random(), loggerFactory, meterFactory, linkFactory: null, controlPort: BfdPorts.SingleHopControl, inline: false, listenOnAnyAddress)
    {
    }

    // For testing: a manual clock, a seeded random source, in-memory links, another port, and an
    // inline loop that drains events on the caller's thread (deterministic under ManualTimeProvider).
    internal BfdEndpoint(TimeProvider time, Random random, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory,
        BfdLinkFactory? linkFactory, int controlPort, bool inline, bool listenOnAnyAddress = false, bool batched = true)
    {
        _listenOnAnyAddress = listenOnAnyAddress && OperatingSystem.IsLinux();
        Time = time;
        _random = random;
        ControlPort = controlPort;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("BgpKit.Bfd");
        _linkFactory = linkFactory ?? ((endpoint, local, multihop) =>
            new BfdUdpLink(endpoint, local, multihop, multihop ? BfdPorts.MultihopControl : endpoint.ControlPort,
                endpoint._listenOnAnyAddress, batched: endpoint._batched));
        _metrics = new BfdMetrics(meterFactory, ObserveSessionUp);
        _origin = time.GetTimestamp();
        _wheel = new TimerWheel<BfdSession>(WheelTick, WheelSlots);
        _inline = inline;
        if (!inline)
        {
            // Linux: the loop waits in ppoll on the receive sockets and an eventfd that Post signals.
            _eventFd = LinuxSocketCalls.TryCreateEventFd();
            _batched = batched && _eventFd >= 0;
        }
        if (inline)
        {
            _inlineTimer = time.CreateTimer(static s => ((BfdEndpoint)s!).OnInlineTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _loopDone.SetResult();
        }
        else
        {
            new Thread(RunLoop) { IsBackground = true, Name = "bfd-loop" }.Start();
        }
    }

    internal TimeProvider Time { get; }

    internal int ControlPort { get; }

    internal Meter Meter => _metrics.Meter;

    /// <summary>The sessions running now.</summary>
    public IReadOnlyCollection<BfdSession> Sessions => _byDiscriminator.Values.ToArray();

    /// <summary>
    /// Starts a session to <see cref="BfdSessionOptions.PeerAddress"/>. It begins in Down and, unless the
    /// profile is passive, transmits at once at the one-second slow-start rate.
    /// </summary>
    /// <exception cref="InvalidOperationException">A session with the same local address, peer and hop mode exists.</exception>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="BfdProfile.Validate"/>).</exception>
    public BfdSession StartSession(BfdSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var link = AcquireLink(options.LocalAddress, options.Multihop);
        BfdSession session;
        while (true)
        {
            var discriminator = NextDiscriminator();
            session = new BfdSession(this, options, link, discriminator, NextUInt(), ((ulong)NextUInt() << 32) | NextUInt());
            if (_byDiscriminator.TryAdd(discriminator, session))
            {
                break;
            }
        }
        if (!_byAddress.TryAdd((link, options.LocalAddress, options.PeerAddress), session))
        {
            _byDiscriminator.TryRemove(session.LocalDiscriminator, out _);
            ReleaseLink(link);
            throw new InvalidOperationException($"a BFD session {options.LocalAddress} -> {options.PeerAddress} (multihop {options.Multihop}) already exists");
        }
        _metrics.SessionAdded(session.PeerTag);
        Log.SessionStarted(_logger, options.LocalAddress, options.PeerAddress, options.Multihop, session.LocalDiscriminator);
        Post(new Event(EventKind.Start, session));
        return session;
    }

    /// <summary>Stops every session (each sends AdminDown) and closes the sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var session in _byDiscriminator.Values)
        {
            await StopSessionAsync(session).ConfigureAwait(false);
        }
        _stopping = true;
        WakeLoop();
        await _loopDone.Task.ConfigureAwait(false);
        _inlineTimer?.Dispose();
        if (_eventFd >= 0)
        {
            LinuxSocketCalls.Close(_eventFd);
        }
        lock (_linksGate)
        {
            foreach (var link in _links.Values)
            {
                link.Dispose();
            }
            _links.Clear();
            _linkList = [];
        }
        _metrics.Dispose();
        _wake.Dispose();
    }

    internal long NowMicroseconds => Time.GetElapsedTime(_origin).Ticks / 10;

    internal ValueTask StopSessionAsync(BfdSession session)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new Event(EventKind.Stop, session) { Done = done }))
        {
            // The loop is gone; nothing is left to stop.
            done.TrySetResult();
        }
        return new ValueTask(done.Task);
    }

    private BfdLink AcquireLink(IPAddress local, bool multihop)
    {
        if (_listenOnAnyAddress)
        {
            local = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        }
        lock (_linksGate)
        {
            if (!_links.TryGetValue((local, multihop), out var link))
            {
                link = _linkFactory(this, local, multihop);
                _links.Add((local, multihop), link);
                _linkList = [.. _links.Values];
            }
            link.Sessions++;
            return link;
        }
    }

    private void ReleaseLink(BfdLink link)
    {
        lock (_linksGate)
        {
            if (--link.Sessions == 0)
            {
                _links.Remove((link.LocalAddress, link.Multihop));
                _linkList = [.. _links.Values];
                link.Dispose();
            }
        }
    }

    private uint NextDiscriminator()
    {
        uint value;
        do
        {
            value = NextUInt();
        }
        while (value == 0 || _byDiscriminator.ContainsKey(value));
        return value;
    }

    // One Random for discriminators (API threads), jitter (the loop) and source ports (link set-up): System.Random
    // is not thread-safe and can break for good when shared, so every draw takes its lock.
    private uint NextUInt()
    {
        lock (_random)
        {
            return (uint)_random.NextInt64(0, 1L << 32);
        }
    }

    internal int NextRandom(int maxExclusive)
    {
        lock (_random)
        {
            return _random.Next(maxExclusive);
        }
    }

    private double NextJitter()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }

    private IEnumerable<Measurement<int>> ObserveSessionUp()
    {
        foreach (var session in _byDiscriminator.Values)
        {
            yield return new Measurement<int>(session.State == BfdState.Up ? 1 : 0, new KeyValuePair<string, object?>("peer", session.PeerTag));
        }
    }
}
