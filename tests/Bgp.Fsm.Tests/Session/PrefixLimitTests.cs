using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging;

using static BgpKit.Bgp.Fsm.Tests.Session.ScriptedSession;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>
/// Maximum-prefix limits on a real loopback session with a scripted peer and a manual clock: the threshold warning,
/// Cease/1 with the RFC 4486 section 4 data, the hold-down and its restart interval to the tick, clearing with
/// StartPeerAsync, warning-only mode, ADD-PATH paths, withdrawals and treat-as-withdraw.
/// </summary>
public class PrefixLimitTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly ManualTimeProvider _time = new();
    private readonly CapturingLoggerFactory _logs = new();

    private BgpSpeaker Speaker() => new(new BgpSpeakerOptions
    {
        LocalAs = 65001,
        RouterId = IPAddress.Parse("10.0.0.1"),
        ListenAddress = null,
        TimeProvider = _time,
        Random = () => 0,
        LoggerFactory = _logs,
    });

    private static BgpPeerOptions Peer(int port, params PrefixLimit[] limits) => new()
    {
        Address = IPAddress.Loopback,
        RemoteAs = 65002,
        HoldTime = TimeSpan.FromSeconds(9),
        Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast],
        Transport = new TransportOptions { RemotePort = port, ConnectRetryTime = TimeSpan.FromSeconds(30), Ttl = 64 },
        IdleHoldTime = TimeSpan.FromSeconds(2),
        KeepAdjRibIn = true,
        PrefixLimits = limits,
    };

    private static PrefixLimit V4(uint limit) => new() { Family = AfiSafi.IPv4Unicast, MaximumPrefixes = limit };

    private int Logged(string text) => _logs.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task Threshold_warning_is_logged_once_and_again_only_after_the_count_drops_back_under()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var session = await Establish(fake, speaker, Peer(fake.Port, V4(10))); // 75 %: warns above 7

        await Send(fake, session, V4Prefixes(0, 7));
        Assert.Equal(0, Logged("warning threshold"));
        await Send(fake, session, V4Prefixes(7, 1));
        Assert.Equal(1, Logged("warning threshold"));
        await Send(fake, session, V4Prefixes(8, 2));
        Assert.Equal(1, Logged("warning threshold"));
        var status = Assert.Single(speaker.GetStatus(IPAddress.Loopback).PrefixLimits);
        Assert.Equal(new PrefixLimitStatus(AfiSafi.IPv4Unicast, 10, 75, false, 10, ThresholdReached: true, Exceeded: false), status);

        await Send(fake, session, V4Prefixes(0, 3), withdraw: true);
        Assert.False(speaker.GetStatus(IPAddress.Loopback).PrefixLimits[0].ThresholdReached);
        Assert.Equal(7, speaker.GetStatus(IPAddress.Loopback).PrefixLimits[0].Received);
        await Send(fake, session, V4Prefixes(0, 1));
        Assert.Equal(2, Logged("warning threshold"));
        Assert.Equal(SessionState.Established, session.State);
    }

    [Fact]
    public async Task Exceeding_the_limit_sends_Cease_1_with_AFI_SAFI_and_the_limit_clears_the_routes_and_holds_the_peer_until_cleared()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var session = await Establish(fake, speaker, Peer(fake.Port, V4(10)));

        await Send(fake, session, V4Prefixes(0, 10)); // at the limit: still fine
        Assert.Equal(SessionState.Established, session.State);
        fake.Send(Update(V4Prefixes(10, 1)));

        var notification = await fake.ReadUntilAsync<NotificationMessage>();
        Assert.Equal(BgpErrorCode.Cease, notification.Code);
        Assert.Equal(CeaseSubcode.MaximumNumberOfPrefixesReached, notification.CeaseSubcode);
        Assert.Equal("0001" + "01" + "0000000a", Convert.ToHexStringLower(notification.Data.Span));
        Assert.Null(await fake.ReadAsync()); // and the connection closes
        Assert.Equal(SessionState.Idle, await Settled(session));
        Assert.Equal(0, session.AdjRibIn!.Count);
        var status = speaker.GetStatus(IPAddress.Loopback);
        Assert.True(status.PrefixLimitHeldDown);
        Assert.Null(status.PrefixLimitRestartAt);
        Assert.Contains("Maximum Number of Prefixes Reached (IPv4/Unicast, upper bound 10)", status.LastError);
        Assert.Equal(1, session.PrefixLimitExceededCount);
        Assert.Equal(1, Logged("exceed the maximum-prefix limit 10; sending Cease"));

        // No IdleHold restart (2 s) nor anything later: the peer stays down until cleared.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(SessionState.Idle, await Settled(session));
        Assert.False(fake.HasPendingConnection);

        await speaker.StartPeerAsync(IPAddress.Loopback);
        Assert.NotEqual(SessionState.Idle, await Settled(session));
        Assert.False(speaker.GetStatus(IPAddress.Loopback).PrefixLimitHeldDown);
        await fake.AcceptAsync(); // it connects again
    }

    [Fact]
    public async Task With_a_restart_interval_the_peer_comes_back_at_the_interval_and_not_one_tick_earlier()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var restart = TimeSpan.FromMinutes(5);
        var session = await Establish(fake, speaker, Peer(fake.Port, V4(3) with { RestartInterval = restart }));
        var exceededAt = _time.GetUtcNow();

        fake.Send(Update(V4Prefixes(0, 4)));
        await fake.ReadUntilAsync<NotificationMessage>();
        Assert.Equal(SessionState.Idle, await Settled(session));
        Assert.Equal(exceededAt + restart, speaker.GetStatus(IPAddress.Loopback).PrefixLimitRestartAt);

        _time.Advance(restart - Tick);
        Assert.Equal(SessionState.Idle, await Settled(session));
        Assert.True(speaker.GetStatus(IPAddress.Loopback).PrefixLimitHeldDown);
        Assert.False(fake.HasPendingConnection);

        _time.Advance(Tick);
        Assert.NotEqual(SessionState.Idle, await Settled(session));
        var status = speaker.GetStatus(IPAddress.Loopback);
        Assert.False(status.PrefixLimitHeldDown);
        Assert.Null(status.PrefixLimitRestartAt);
        await fake.AcceptAsync();
    }

    [Fact]
    public async Task Liveness_coming_back_does_not_start_a_held_peer_and_the_restart_timer_does_not_start_a_shut_down_one()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var restart = TimeSpan.FromMinutes(1);
        var session = await Establish(fake, speaker, Peer(fake.Port, V4(1) with { RestartInterval = restart }));
        fake.Send(Update(V4Prefixes(0, 2)));
        await fake.ReadUntilAsync<NotificationMessage>();
        Assert.Equal(SessionState.Idle, await Settled(session));

        await speaker.SetPeerLivenessAsync(IPAddress.Loopback, false);
        await speaker.SetPeerLivenessAsync(IPAddress.Loopback, true);
        Assert.Equal(SessionState.Idle, await Settled(session));
        Assert.True(speaker.GetStatus(IPAddress.Loopback).PrefixLimitHeldDown);

        // An administrative shutdown meanwhile wins: the interval ends the hold, not the shutdown.
        await speaker.ShutdownPeerAsync(IPAddress.Loopback);
        _time.Advance(restart);
        Assert.Equal(SessionState.Idle, await Settled(session));
        Assert.False(speaker.GetStatus(IPAddress.Loopback).PrefixLimitHeldDown);
        Assert.False(fake.HasPendingConnection);
        await speaker.StartPeerAsync(IPAddress.Loopback);
        await fake.AcceptAsync();
    }

    [Fact]
    public async Task Warning_only_keeps_the_session_and_the_routes_and_warns_once()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var session = await Establish(fake, speaker, Peer(fake.Port, V4(5) with { WarningOnly = true }));

        await Send(fake, session, V4Prefixes(0, 6));
        await Send(fake, session, V4Prefixes(6, 2));

        Assert.Equal(SessionState.Established, session.State);
        Assert.Equal(8, session.AdjRibIn!.Count);
        Assert.Equal(0, Volatile.Read(ref session.Counters.NotificationsSent));
        Assert.Equal(1, Logged("warning only, the session stays"));
        var status = speaker.GetStatus(IPAddress.Loopback);
        Assert.True(status.PrefixLimits[0].Exceeded);
        Assert.False(status.PrefixLimitHeldDown);
        Assert.Equal(1, session.PrefixLimitExceededCount);
    }

    [Fact]
    public async Task An_IPv6_limit_counts_IPv6_routes_only_and_names_AFI_2_in_the_notification()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var session = await Establish(fake, speaker, Peer(fake.Port, new PrefixLimit { Family = AfiSafi.IPv6Unicast, MaximumPrefixes = 2 }));

        await Send(fake, session, V4Prefixes(0, 5)); // IPv4 is not limited
        await Send(fake, session, [Prefix.Parse("2001:db8:1::/48"), Prefix.Parse("2001:db8:2::/48")]);
        Assert.Equal(SessionState.Established, session.State);
        Assert.Equal(2, speaker.GetStatus(IPAddress.Loopback).PrefixLimits[0].Received);

        fake.Send(Update([Prefix.Parse("2001:db8:3::/48")]));
        var notification = await fake.ReadUntilAsync<NotificationMessage>();
        Assert.Equal("0002" + "01" + "00000002", Convert.ToHexStringLower(notification.Data.Span));
    }

    [Fact]
    public async Task ADD_PATH_paths_of_one_prefix_count_separately()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var peer = Peer(fake.Port, V4(3)) with { AddPathReceive = true };
        var session = await Establish(fake, speaker, peer,
            new AddPathCapability([new AddPathFamily(AfiSafi.IPv4Unicast, AddPathDirection.Send), new AddPathFamily(AfiSafi.IPv6Unicast, AddPathDirection.Send)]));
        var sending = BgpDecodeContext.FourOctetAsDefault.WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Send);
        var prefix = Prefix.Parse("11.0.0.0/24");

        await Send(fake, session, [new Nlri(1, prefix), new Nlri(2, prefix), new Nlri(3, prefix)], context: sending);
        Assert.Equal(3, speaker.GetStatus(IPAddress.Loopback).PrefixLimits[0].Received);
        Assert.Equal(SessionState.Established, session.State);

        fake.Send(Update([new Nlri(4, prefix)], sending));
        var notification = await fake.ReadUntilAsync<NotificationMessage>();
        Assert.Equal(CeaseSubcode.MaximumNumberOfPrefixesReached, notification.CeaseSubcode);
    }

    [Fact]
    public async Task Withdrawals_lower_the_count_and_treat_as_withdraw_routes_do_not_count()
    {
        await using var fake = new FakePeer();
        await using var speaker = Speaker();
        var session = await Establish(fake, speaker, Peer(fake.Port, V4(5)));

        await Send(fake, session, V4Prefixes(0, 5));
        await Send(fake, session, V4Prefixes(0, 2), withdraw: true);
        await Send(fake, session, V4Prefixes(10, 2));
        Assert.Equal(5, speaker.GetStatus(IPAddress.Loopback).PrefixLimits[0].Received);

        // ORIGIN 5 is malformed: RFC 7606 section 7.1 treats the UPDATE as a withdrawal of its three prefixes.
        var malformed = Update(V4Prefixes(20, 3));
        var origin = malformed.AsSpan().IndexOf(new byte[] { 0x40, 0x01, 0x01, 0x00 });
        malformed[origin + 3] = 5;
        await SendRaw(fake, session, malformed);

        Assert.NotNull(session.LastUpdateError);
        Assert.Equal(SessionState.Established, session.State);
        Assert.Equal(5, speaker.GetStatus(IPAddress.Loopback).PrefixLimits[0].Received);
    }

    private static byte[] Update(Nlri[] nlri, BgpDecodeContext? context = null)
    {
        var output = new ArrayBufferWriter<byte>();
        new UpdateBuilder(context ?? BgpDecodeContext.FourOctetAsDefault).WriteAnnouncements(output, Attributes, nlri, IPAddress.Parse("2001:db8::2"));
        return output.WrittenSpan.ToArray();
    }
}

/// <summary>Keeps every formatted log line of every logger it creates.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");

    public void Dispose()
    {
    }
}
