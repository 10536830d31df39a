using System.Diagnostics.Metrics;
using System.Net;
using BgpKit.Bfd.Tests.Transport;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging;

namespace BgpKit.Bfd.Tests;

/// <summary>Two endpoints over an in-memory wire on one manual clock: the whole session path, deterministically.</summary>
public sealed class BfdEndpointTests : IAsyncLifetime
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    private readonly ManualTimeProvider _time = new();
    private readonly MemoryNetwork _network = new();
    private readonly CapturingLoggerFactory _logs = new();
    private BfdEndpoint _a = null!;
    private BfdEndpoint _b = null!;

    public Task InitializeAsync()
    {
        _a = new BfdEndpoint(_time, new Random(1), _logs, null, _network.Factory, 3784, inline: true);
        _b = new BfdEndpoint(_time, new Random(2), _logs, null, _network.Factory, 3784, inline: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static BfdProfile Fast(int ms = 50, byte mult = 3, bool passive = false) => new()
    {
        TransmitInterval = TimeSpan.FromMilliseconds(ms),
        ReceiveInterval = TimeSpan.FromMilliseconds(ms),
        DetectMultiplier = mult,
        PassiveMode = passive,
    };

    private void Run(int milliseconds)
    {
        for (var i = 0; i < milliseconds; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task Sessions_of_the_looping_endpoint_know_its_timer_slack_and_inline_ones_none()
    {
        // The loop fires a deadline up to one wheel tick late, so its sessions keep a tick in hand (RFC 5880 6.8.7).
        await using var looping = new BfdEndpoint(_time, new Random(4), _logs, null, _network.Factory, 3784, inline: false);
        var late = looping.StartSession(new BfdSessionOptions(IPAddress.Parse("192.0.2.5"), IPAddress.Parse("192.0.2.6")) { Profile = Fast() });
        Assert.Equal(BfdEndpoint.WheelTick, late.Variables.TimerSlack);
        var (exact, _) = Pair();
        Assert.Equal(0, exact.Variables.TimerSlack);
    }

    private (BfdSession A, BfdSession B) Pair(BfdProfile? a = null, BfdProfile? b = null, BfdAuthenticationKey? keyA = null, BfdAuthenticationKey? keyB = null)
    {
        var sa = _a.StartSession(new BfdSessionOptions(A, B) { Profile = a ?? Fast(), Authentication = keyA });
        var sb = _b.StartSession(new BfdSessionOptions(B, A) { Profile = b ?? Fast(), Authentication = keyB });
        return (sa, sb);
    }

    [Fact]
    public void Sessions_come_up_and_settle_on_the_configured_interval()
    {
        var (a, b) = Pair();
        Run(3000);
        Assert.Equal(BfdState.Up, a.State);
        Assert.Equal(BfdState.Up, b.State);
        var status = a.GetStatus();
        Assert.Equal(TimeSpan.FromMilliseconds(50), status.TransmitInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(150), status.DetectionTime);
        Assert.Equal(b.LocalDiscriminator, status.RemoteDiscriminator);
        Assert.Equal(BfdState.Up, status.RemoteState);
        Assert.Equal(1, status.UpEvents);
        Assert.True(status.Uptime > TimeSpan.Zero);
        Assert.True(status.ControlPacketsSent > 20);
        // Every packet on the wire respects 6.8.7: never both P and F.
        Assert.DoesNotContain(_network.SentBy(A), p => p.Poll && p.Final);
    }

    [Fact]
    public void A_silent_peer_is_detected_at_exactly_the_detection_time()
    {
        var (a, b) = Pair();
        Run(3000);
        Assert.Equal(BfdState.Up, a.State);
        _network.Connected = false;
        var deadline = a.Variables.DetectionDeadline;
        var now = _a.NowMicroseconds;
        _time.Advance(TimeSpan.FromTicks((deadline - now) * 10 - 1));
        Assert.Equal(BfdState.Up, a.State);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(BfdState.Down, a.State);
        Assert.Equal(BfdDiagnostic.ControlDetectionTimeExpired, a.GetStatus().LastDiagnostic);
        Assert.Equal(1, a.GetStatus().DownEvents);
    }

    [Fact]
    public void Session_recovers_after_the_wire_comes_back()
    {
        var (a, b) = Pair();
        Run(3000);
        _network.Connected = false;
        Run(500);
        Assert.Equal(BfdState.Down, a.State);
        Assert.Equal(BfdState.Down, b.State);
        _network.Connected = true;
        Run(5000);
        Assert.Equal(BfdState.Up, a.State);
        Assert.Equal(BfdState.Up, b.State);
        Assert.Equal(2, a.GetStatus().UpEvents);
    }

    [Fact]
    public async Task Stopping_sends_AdminDown_and_the_peer_goes_down_with_diagnostic_3()
    {
        var (a, b) = Pair();
        Run(3000);
        var changes = new List<BfdStateChange>();
        b.StateChanged += (_, c) => changes.Add(c);
        await a.DisposeAsync();
        Assert.Equal(BfdState.Down, b.State);
        Assert.Equal(BfdDiagnostic.NeighborSignaledSessionDown, b.GetStatus().LastDiagnostic);
        Assert.Equal(new[] { (BfdState.Up, BfdState.Down) }, changes.Select(c => (c.Previous, c.Current)));
        Assert.Equal(BfdState.AdminDown, _network.SentBy(A).Last().State);
        Assert.Equal(BfdDiagnostic.AdministrativelyDown, _network.SentBy(A).Last().Diagnostic);
        // The state-change channel has the whole story and is complete.
        var seen = new List<BfdStateChange>();
        await foreach (var change in a.StateChanges.ReadAllAsync())
        {
            seen.Add(change);
        }
        Assert.Equal(new[] { BfdState.Init, BfdState.Up, BfdState.AdminDown }, seen.Select(c => c.Current));
        Assert.Empty(_a.Sessions);
    }

    [Fact]
    public void AdminDown_and_back()
    {
        var (a, b) = Pair();
        Run(3000);
        a.SetAdminDown(true);
        Assert.Equal(BfdState.AdminDown, a.State);
        Assert.Equal(BfdState.Down, b.State);
        Run(3000);
        Assert.Equal(BfdState.AdminDown, a.State);
        a.SetAdminDown(false);
        Run(5000);
        Assert.Equal(BfdState.Up, a.State);
        Assert.Equal(BfdState.Up, b.State);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void One_passive_side_comes_up(bool passiveA, bool passiveB)
    {
        var (a, b) = Pair(Fast(passive: passiveA), Fast(passive: passiveB));
        Run(3000);
        Assert.Equal(BfdState.Up, a.State);
        Assert.Equal(BfdState.Up, b.State);
    }

    [Fact]
    public void Two_passive_sides_stay_silent()
    {
        var (a, b) = Pair(Fast(passive: true), Fast(passive: true));
        Run(3000);
        Assert.Empty(_network.Sent);
        Assert.Equal(BfdState.Down, a.State);
    }

    [Fact]
    public void Profile_change_runs_a_Poll_Sequence_and_the_peer_adopts_it()
    {
        var (a, b) = Pair(Fast(50), Fast(50));
        Run(3000);
        var before = _network.Sent.Count;
        a.ChangeProfile(Fast(200));
        Run(2000);
        var sent = _network.Sent.Skip(before).Select(s => { BfdControlPacket.TryDecode(s.Bytes, out var p); return (s.From, p); }).ToList();
        Assert.Contains(sent, x => x.From.Equals(A) && x.p.Poll && x.p.DesiredMinTxInterval == 200_000);
        Assert.Contains(sent, x => x.From.Equals(B) && x.p.Final);
        Assert.False(a.Variables.PollActive);
        Assert.Equal(TimeSpan.FromMilliseconds(200), a.GetStatus().TransmitInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(600), b.GetStatus().DetectionTime);
        Assert.Equal(BfdState.Up, a.State);
        Assert.Equal(BfdState.Up, b.State);
    }

    [Theory]
    [InlineData(BfdAuthenticationType.SimplePassword)]
    [InlineData(BfdAuthenticationType.KeyedMd5)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedMd5)]
    [InlineData(BfdAuthenticationType.KeyedSha1)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedSha1)]
    public void Authenticated_sessions_come_up_and_a_wrong_key_stays_down(BfdAuthenticationType type)
    {
        var good = BfdAuthenticationKey.FromString(type, 1, "right-key");
        var (a, b) = Pair(keyA: good, keyB: good);
        Run(3000);
        Assert.Equal(BfdState.Up, a.State);
        Assert.Equal(BfdState.Up, b.State);

        var wrongA = _a.StartSession(new BfdSessionOptions(A, IPAddress.Parse("192.0.2.3")) { Profile = Fast(), Authentication = good });
        var c = new BfdEndpoint(_time, new Random(3), _logs, null, _network.Factory, 3784, inline: true);
        var wrongC = c.StartSession(new BfdSessionOptions(IPAddress.Parse("192.0.2.3"), A) { Profile = Fast(), Authentication = BfdAuthenticationKey.FromString(type, 1, "wrong-key") });
        Run(3000);
        Assert.Equal(BfdState.Down, wrongA.State);
        Assert.Equal(BfdState.Down, wrongC.State);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("right-key") || l.Contains("wrong-key"));
    }

    [Fact]
    public void Single_hop_packets_with_TTL_below_255_are_dropped()
    {
        _network.Ttl = 254;
        var (a, b) = Pair();
        Run(3000);
        Assert.Equal(BfdState.Down, a.State);
        Assert.Equal(0, a.GetStatus().ControlPacketsReceived);
    }

    [Fact]
    public void Multihop_accepts_TTL_at_the_profile_minimum_and_drops_below()
    {
        _network.Ttl = 250;
        var a = _a.StartSession(new BfdSessionOptions(A, B) { Profile = Fast() with { MinimumTtl = 250 }, Multihop = true });
        var b = _b.StartSession(new BfdSessionOptions(B, A) { Profile = Fast() with { MinimumTtl = 251 }, Multihop = true });
        Run(3000);
        Assert.True(a.GetStatus().ControlPacketsReceived > 0);
        Assert.Equal(0, b.GetStatus().ControlPacketsReceived);
    }

    [Fact]
    public void Duplicate_session_is_refused()
    {
        _a.StartSession(new BfdSessionOptions(A, B));
        Assert.Throws<InvalidOperationException>(() => _a.StartSession(new BfdSessionOptions(A, B)));
        // The other hop mode is a different session.
        _a.StartSession(new BfdSessionOptions(A, B) { Multihop = true });
    }

    [Fact]
    public void Profile_ranges_follow_MetalLB()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BfdProfile { TransmitInterval = TimeSpan.FromMilliseconds(9) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BfdProfile { ReceiveInterval = TimeSpan.FromMilliseconds(60001) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BfdProfile { DetectMultiplier = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BfdProfile { MinimumTtl = 255 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BfdProfile { MinimumTtl = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => _a.StartSession(new BfdSessionOptions(A, IPAddress.IPv6Loopback)));
        var d = BfdProfile.Default;
        Assert.Equal((TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(50), (byte)3, (byte)254, false, false),
            (d.ReceiveInterval, d.TransmitInterval, d.EchoInterval, d.DetectMultiplier, d.MinimumTtl, d.EchoMode, d.PassiveMode));
    }

    [Fact]
    public void Malformed_and_unknown_packets_are_counted_and_dropped()
    {
        _network.Connected = false;
        var (a, _) = Pair();
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter == _a.Meter && i.Name == "bfd_packets_dropped") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => dropped += v);
        listener.Start();
        var link = a.Link;
        _a.Receive(link, new byte[] { 1, 2, 3 }, B.GetAddressBytes(), 255);
        _a.Receive(link, Convert.FromHexString("20400018000000010000000000000000000000000000000000"), B.GetAddressBytes(), 255);
        // A valid Down packet from an address with no session.
        _a.Receive(link, Convert.FromHexString("204003180000000100000000000f4240000f424000000000"), IPAddress.Parse("192.0.2.99").GetAddressBytes(), 255);
        // Your Discriminator of no session.
        _a.Receive(link, Convert.FromHexString("20c0031800000001deadbeef000f4240000f424000000000"), B.GetAddressBytes(), 255);
        Assert.Equal(4, dropped);
        Assert.Equal(BfdState.Down, a.State);
    }

    [Fact]
    public void Metrics_use_FRR_K8s_names()
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter == _a.Meter || i.Meter == _b.Meter) l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (seen) { seen[i.Name] = seen.GetValueOrDefault(i.Name) + v; } });
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => { lock (seen) { seen[i.Name] = seen.GetValueOrDefault(i.Name) + v; } });
        listener.Start();
        var (a, b) = Pair();
        Run(3000);
        _network.Connected = false;
        Run(500);
        listener.RecordObservableInstruments();
        Assert.True(seen["bfd_control_packet_output"] > 0);
        Assert.True(seen["bfd_control_packet_input"] > 0);
        Assert.Equal(2, seen["bfd_session_up_events"]);
        Assert.Equal(2, seen["bfd_session_down_events"]);
        Assert.True(seen.ContainsKey("bfd_session_up"));
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public List<string> Lines { get; } = new();
        public void AddProvider(ILoggerProvider provider) { }
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception) + " " + state);
            }
        }
    }
}
