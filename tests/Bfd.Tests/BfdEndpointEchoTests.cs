using System.Diagnostics.Metrics;
using System.Net;
using BgpKit.Bfd.Tests.Transport;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests;

/// <summary>The echo function through the endpoint: two endpoints on an in-memory wire whose far end returns echo packets.</summary>
public sealed class BfdEndpointEchoTests : IAsyncLifetime
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    private readonly ManualTimeProvider _time = new();
    private readonly MemoryNetwork _network = new();
    private BfdEndpoint _a = null!;
    private BfdEndpoint _b = null!;

    public Task InitializeAsync()
    {
        _a = new BfdEndpoint(_time, new Random(1), null, null, _network.Factory, 3784, inline: true);
        _b = new BfdEndpoint(_time, new Random(2), null, null, _network.Factory, 3784, inline: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static BfdProfile Echo(bool echo = true) => new()
    {
        TransmitInterval = TimeSpan.FromMilliseconds(50),
        ReceiveInterval = TimeSpan.FromMilliseconds(50),
        DetectMultiplier = 3,
        EchoMode = echo,
        EchoInterval = TimeSpan.FromMilliseconds(20),
    };

    private void Run(int milliseconds)
    {
        for (var i = 0; i < milliseconds; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    private (BfdSession A, BfdSession B) Pair(BfdProfile? a = null, BfdProfile? b = null, bool multihop = false)
    {
        var sa = _a.StartSession(new BfdSessionOptions(A, B) { Profile = a ?? Echo(), Multihop = multihop });
        var sb = _b.StartSession(new BfdSessionOptions(B, A) { Profile = b ?? Echo(), Multihop = multihop });
        return (sa, sb);
    }

    [Fact]
    public void Echo_runs_once_Up_and_the_status_shows_it()
    {
        var (a, _) = Pair();
        Run(5000);
        var status = a.GetStatus();
        Assert.Equal(BfdState.Up, status.State);
        Assert.True(status.EchoActive);
        Assert.Null(status.EchoUnavailable);
        Assert.Equal(TimeSpan.FromMilliseconds(20), status.EchoTransmitInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(60), status.EchoDetectionTime);
        // 6.8.3: both sides asked for control packets at most once a second while echo runs.
        Assert.Equal(TimeSpan.FromSeconds(1), status.TransmitInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), status.DetectionTime);
        Assert.True(status.EchoPacketsSent > 50);
        Assert.InRange(status.EchoPacketsReceived, status.EchoPacketsSent - 1, status.EchoPacketsSent);
    }

    [Fact]
    public void Echo_packets_are_counted_under_FRR_K8s_names()
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter == _a.Meter) l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (seen) { seen[i.Name] = seen.GetValueOrDefault(i.Name) + v; } });
        listener.Start();
        var (a, _) = Pair();
        Run(3000);
        var status = a.GetStatus();
        Assert.Equal(status.EchoPacketsSent, seen["bfd_echo_packet_output"]);
        Assert.Equal(status.EchoPacketsReceived, seen["bfd_echo_packet_input"]);
    }

    [Fact]
    public void A_returned_echo_counts_only_with_hop_limit_254_and_others_are_dropped_and_counted()
    {
        var dropped = new List<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter == _a.Meter && i.Name == "bfd_packets_dropped") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => { lock (dropped) { dropped.Add(tags[0].Value as string); } });
        listener.Start();
        var (a, _) = Pair();
        Run(3000);
        var payload = new byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, a.LocalDiscriminator, a.EchoNonce);
        var before = a.GetStatus().EchoPacketsReceived;

        // Sent with 255: 255 never crossed the peer, 253 crossed more than one router.
        _a.ReceiveEcho(a.Link, payload, A, hopLimit: 255);
        _a.ReceiveEcho(a.Link, payload, A, hopLimit: 253);
        Assert.Equal(before, a.GetStatus().EchoPacketsReceived);
        Assert.Equal(["EchoHopLimit", "EchoHopLimit"], dropped);

        _a.ReceiveEcho(a.Link, payload, A, hopLimit: 254);
        // A transport that cannot read the hop limit (-1) skips the check.
        _a.ReceiveEcho(a.Link, payload, A);
        Assert.Equal(before + 2, a.GetStatus().EchoPacketsReceived);
        Assert.Equal(2, dropped.Count);
    }

    [Fact]
    public void Only_the_peer_of_a_session_that_advertises_echo_gets_its_echo_packets_returned()
    {
        // FRR bfdd's IPv6 echo is returned by our echo socket; nobody else may use it as a reflector.
        var (a, _) = Pair();
        Assert.True(_a.ReturnsPeerEcho(a.Link, A, B));
        Assert.False(_a.ReturnsPeerEcho(a.Link, A, IPAddress.Parse("192.0.2.99")));
        Assert.False(_a.ReturnsPeerEcho(a.Link, B, A));

        var quiet = _a.StartSession(new BfdSessionOptions(A, IPAddress.Parse("192.0.2.3")) { Profile = Echo(echo: false) });
        Assert.False(_a.ReturnsPeerEcho(quiet.Link, A, IPAddress.Parse("192.0.2.3")));
    }

    [Fact]
    public void Echo_loss_alone_takes_the_session_down_with_Echo_Function_Failed_at_the_echo_detection_time()
    {
        var (a, _) = Pair();
        Run(5000);
        Assert.True(a.GetStatus().EchoActive);
        var changes = new List<BfdStateChange>();
        a.StateChanged += (_, c) => changes.Add(c);

        _network.EchoReturned = false;
        var lastEcho = a.GetStatus().EchoPacketsReceived;
        // Echo detection is 3 x 20 ms after the last returned echo; the control detection time (3 s) is nowhere near.
        var deadline = a.Variables.EchoDetectionDeadline;
        Assert.Equal(TimeSpan.FromMilliseconds(60), a.GetStatus().EchoDetectionTime);
        _time.Advance(TimeSpan.FromTicks((deadline - _a.NowMicroseconds - 1) * 10));
        Assert.Empty(changes);
        _time.Advance(TimeSpan.FromTicks(10));
        var down = Assert.Single(changes, c => c.Previous == BfdState.Up);
        Assert.Equal(BfdDiagnostic.EchoFunctionFailed, down.Diagnostic);
        Assert.Equal(lastEcho, a.GetStatus().EchoPacketsReceived);
        // The peer hears why.
        Assert.Contains(_network.SentBy(A), p => p.State == BfdState.Down && p.Diagnostic == BfdDiagnostic.EchoFunctionFailed);
        Assert.DoesNotContain(changes, c => c.Diagnostic == BfdDiagnostic.ControlDetectionTimeExpired);

        // Echo back: the session comes up again and stays.
        _network.EchoReturned = true;
        Run(5000);
        Assert.Equal(BfdState.Up, a.State);
        Assert.True(a.GetStatus().EchoActive);
    }

    [Fact]
    public void When_the_transport_cannot_echo_the_session_runs_without_it_and_says_why()
    {
        _network.EchoUnavailable = "loopback: echo packets cannot be forwarded back over lo";
        var (a, _) = Pair();
        Run(3000);
        var status = a.GetStatus();
        Assert.Equal(BfdState.Up, status.State);
        Assert.False(status.EchoActive);
        Assert.Equal(_network.EchoUnavailable, status.EchoUnavailable);
        Assert.Equal(TimeSpan.FromMilliseconds(50), status.TransmitInterval);
        Assert.Empty(_network.EchoSent);
        Assert.All(_network.SentBy(A), p => Assert.Equal(0u, p.RequiredMinEchoRxInterval));
    }

    [Fact]
    public void Multihop_sessions_never_echo()
    {
        var (a, _) = Pair(multihop: true);
        Run(3000);
        var status = a.GetStatus();
        Assert.Equal(BfdState.Up, status.State);
        Assert.False(status.EchoActive);
        Assert.Contains("RFC 5883", status.EchoUnavailable);
        Assert.Empty(_network.EchoSent);
        Assert.All(_network.SentBy(A), p => Assert.Equal(0u, p.RequiredMinEchoRxInterval));
    }

    [Fact]
    public void Echo_needs_the_peer_to_want_it()
    {
        var (a, _) = Pair(b: Echo(echo: false));
        Run(3000);
        var status = a.GetStatus();
        Assert.Equal(BfdState.Up, status.State);
        Assert.False(status.EchoActive);
        Assert.Null(status.EchoUnavailable);
        Assert.DoesNotContain(_network.EchoSent, e => e.From.Equals(A));
    }

    [Fact]
    public void ChangeProfile_turns_echo_on_and_off()
    {
        var (a, b) = Pair(a: Echo(echo: false), b: Echo(echo: false));
        Run(3000);
        Assert.False(a.GetStatus().EchoActive);
        a.ChangeProfile(Echo());
        b.ChangeProfile(Echo());
        Run(3000);
        Assert.True(a.GetStatus().EchoActive);
        Assert.Equal(BfdState.Up, a.State);
        a.ChangeProfile(Echo(echo: false));
        Run(3000);
        Assert.False(a.GetStatus().EchoActive);
        Assert.Equal(TimeSpan.FromMilliseconds(50), a.GetStatus().TransmitInterval);
        Assert.Equal(1, a.GetStatus().UpEvents);
    }
}
