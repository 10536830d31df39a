using System.Diagnostics.Metrics;
using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// Sessions against BIRD 2.0.12's BFD, which (unlike FRR bfdd 8.4) authenticates: all five RFC 5880 types,
/// wrong passwords and key IDs, a key change, Poll Sequences under authentication, restarts of either side (new
/// sequence numbers), either side first, multihop and IPv6. BIRD refuses single-hop
/// neighbors on 127.0.0.0/8 and binds the BFD ports on every address, so it runs in a network namespace on a
/// veth pair (<see cref="VethLink"/>) and never meets the bfdd tests. Real time, bounded polling of birdc.
/// </summary>
[Trait("Category", "Interop")]
public sealed class BirdBfdInteropTests
{
    private const byte KeyId = 7;

    // A 1 s detection time on both sides: fast enough to come up in a second or two, slow enough that a loaded
    // 2-core machine does not flap the session while a test checks that it stays Up.
    private const int IntervalMs = 200;
    private const byte Multiplier = 5;

    private static readonly BfdProfile Profile = new()
    {
        TransmitInterval = TimeSpan.FromMilliseconds(IntervalMs),
        ReceiveInterval = TimeSpan.FromMilliseconds(IntervalMs),
        DetectMultiplier = Multiplier,
    };

    private static string BirdAuthType(BfdAuthenticationType type) => type switch
    {
        BfdAuthenticationType.None => "none",
        BfdAuthenticationType.SimplePassword => "simple",
        BfdAuthenticationType.KeyedMd5 => "keyed md5",
        BfdAuthenticationType.MeticulousKeyedMd5 => "meticulous keyed md5",
        BfdAuthenticationType.KeyedSha1 => "keyed sha1",
        BfdAuthenticationType.MeticulousKeyedSha1 => "meticulous keyed sha1",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The inside of BIRD's <c>protocol bfd</c>: the same options for direct and multihop sessions, then the neighbors.</summary>
    private static string BirdBody(string neighbors, BfdAuthenticationType type = BfdAuthenticationType.None, string secret = "", byte keyId = KeyId,
        int intervalMs = IntervalMs, int multiplier = Multiplier)
    {
        var auth = type == BfdAuthenticationType.None ? "" : $"authentication {BirdAuthType(type)}; password \"{secret}\" {{ id {keyId}; }};";
        var options = $"{{ interval {intervalMs} ms; multiplier {multiplier}; {auth} }}";
        return $"  interface \"*\" {options};\n  multihop {options};\n  {neighbors}\n";
    }

    private static string Neighbor(IPAddress birdAddress, IPAddress ours, bool multihop = false) =>
        $"neighbor {ours} local {birdAddress}{(multihop ? " multihop yes" : "")};";

    private static BfdAuthenticationKey? Key(BfdAuthenticationType type, string secret, byte keyId = KeyId) =>
        type == BfdAuthenticationType.None ? null : BfdAuthenticationKey.FromString(type, keyId, secret);

    private static string Diagnostics(BirdBfdDaemon bird, BfdSession session) =>
        $"ours: {session.GetStatus()}\nBIRD: {bird.Birdc("show bfd sessions")}\nBIRD log:\n{bird.ReadLog()}";

    private static bool UpOnBothSides(BirdBfdDaemon bird, BfdSession session, bool multihop = false, double seconds = 20) =>
        Bfdd.WaitFor(() => session.State == BfdState.Up && bird.SessionState(session.LocalAddress.ToString(), multihop) == "Up", seconds);

    [Theory]
    [InlineData(BfdAuthenticationType.None)]
    [InlineData(BfdAuthenticationType.SimplePassword)]
    [InlineData(BfdAuthenticationType.KeyedMd5)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedMd5)]
    [InlineData(BfdAuthenticationType.KeyedSha1)]
    [InlineData(BfdAuthenticationType.MeticulousKeyedSha1)]
    public async Task Bird_first_then_us_come_up_and_stay_up_with_each_authentication_type(BfdAuthenticationType type)
    {
        const string secret = "bird-bfd-secret";
        using var link = VethLink.Create("bgpkit-bird");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner, link.Outer), type, secret), link.Name);
        await using var endpoint = new BfdEndpoint();
        using var failures = new AuthenticationFailures(endpoint);
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, secret) });
        Assert.True(UpOnBothSides(bird, session), Diagnostics(bird, session));

        // Keep exchanging for more than a second: BIRD advances the keyed (non-meticulous) sequence number once a
        // second and the meticulous one with every packet, so both windows get exercised on both sides. A refused
        // packet shows as an authentication failure on our side or in BIRD's log, however loaded the machine is.
        var received = session.GetStatus().ControlPacketsReceived;
        Assert.True(Bfdd.WaitFor(() => session.GetStatus().ControlPacketsReceived >= received + 10, 20), Diagnostics(bird, session));
        // BIRD runs the agreed 200 ms and detects in 5 x 200 ms.
        var expected = new BirdBfdDaemon.Session(link.Outer.ToString(), link.Namespace.InnerDevice, "Up", "0.200", "1.000");
        Assert.True(Bfdd.WaitFor(() => session.State == BfdState.Up && bird.FindSession(link.Outer.ToString()) == expected, 10), Diagnostics(bird, session));
        Assert.Equal(0, failures.Count);
        Assert.DoesNotContain("Authentication failed", bird.ReadLog(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BfdAuthenticationType.SimplePassword)]
    [InlineData(BfdAuthenticationType.KeyedSha1)]
    public async Task Wrong_password_stays_down_on_both_sides(BfdAuthenticationType type)
    {
        using var link = VethLink.Create("bgpkit-bird");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner, link.Outer), type, "birds-password"), link.Name);
        await using var endpoint = new BfdEndpoint();
        using var failures = new AuthenticationFailures(endpoint);
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, "not-the-password") });

        // BIRD sends once a second while Down: wait for a few of its packets to be refused by us, and ours by it.
        Assert.True(Bfdd.WaitFor(() => failures.Count >= 3 && bird.ReadLog().Contains("Authentication failed", StringComparison.Ordinal), 20),
            Diagnostics(bird, session));
        Assert.False(Bfdd.WaitFor(() => session.State != BfdState.Down || bird.SessionState(link.Outer.ToString()) != "Down", 1.5), Diagnostics(bird, session));
        Assert.Equal(0, session.GetStatus().UpEvents);
        Assert.Equal(0u, session.GetStatus().RemoteDiscriminator);
        Assert.Contains(type == BfdAuthenticationType.SimplePassword ? "wrong password" : "wrong authentication code", bird.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_key_id_stays_down_on_both_sides()
    {
        const string secret = "same-secret";
        using var link = VethLink.Create("bgpkit-bird");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner, link.Outer), BfdAuthenticationType.MeticulousKeyedSha1, secret, keyId: 7), link.Name);
        await using var endpoint = new BfdEndpoint();
        using var failures = new AuthenticationFailures(endpoint);
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner)
        {
            Profile = Profile,
            Authentication = Key(BfdAuthenticationType.MeticulousKeyedSha1, secret, keyId: 8),
        });

        Assert.True(Bfdd.WaitFor(() => failures.Count >= 3 && bird.ReadLog().Contains("no suitable password found (8)", StringComparison.Ordinal), 20),
            Diagnostics(bird, session));
        Assert.False(Bfdd.WaitFor(() => session.State != BfdState.Down || bird.SessionState(link.Outer.ToString()) != "Down", 1.5), Diagnostics(bird, session));
        Assert.Equal(0, session.GetStatus().UpEvents);
    }

    [Fact]
    public async Task Key_change_in_bird_takes_the_session_down_and_our_new_key_brings_it_back()
    {
        const BfdAuthenticationType type = BfdAuthenticationType.KeyedSha1;
        using var link = VethLink.Create("bgpkit-bird");
        var neighbor = Neighbor(link.Inner, link.Outer);
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(neighbor, type, "first-key", keyId: 1), link.Name);
        await using var endpoint = new BfdEndpoint();
        using var failures = new AuthenticationFailures(endpoint);
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, "first-key", 1) });
        Assert.True(UpOnBothSides(bird, session), Diagnostics(bird, session));

        // BIRD now signs with key 2 and knows no key 1: each side refuses the other's packets and times out.
        bird.Reconfigure(BirdBody(neighbor, type, "second-key", keyId: 2));
        Assert.True(await Bfdd.WaitForState(session, BfdState.Down, 10), Diagnostics(bird, session));
        Assert.Equal(BfdDiagnostic.ControlDetectionTimeExpired, session.GetStatus().LastDiagnostic);
        Assert.True(Bfdd.WaitFor(() => failures.Count > 0 && bird.SessionState(link.Outer.ToString()) == "Down", 10), Diagnostics(bird, session));

        await session.DisposeAsync();
        var renewed = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, "second-key", 2) });
        Assert.True(UpOnBothSides(bird, renewed, seconds: 30), Diagnostics(bird, renewed));
    }

    [Fact]
    public async Task Poll_sequences_both_ways_run_under_meticulous_authentication()
    {
        const BfdAuthenticationType type = BfdAuthenticationType.MeticulousKeyedMd5;
        using var link = VethLink.Create("bgpkit-bird");
        var neighbor = Neighbor(link.Inner, link.Outer);
        var us = link.Outer.ToString();
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(neighbor, type, "poll-final"), link.Name);
        await using var endpoint = new BfdEndpoint();
        using var failures = new AuthenticationFailures(endpoint);
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, "poll-final") });
        Assert.True(UpOnBothSides(bird, session), Diagnostics(bird, session));

        // Ours: BIRD transmits at max(its 200 ms, our new 400 ms RX) and detects in our 3 x max(its 200, our 300 ms TX).
        session.ChangeProfile(Profile with { TransmitInterval = TimeSpan.FromMilliseconds(300), ReceiveInterval = TimeSpan.FromMilliseconds(400), DetectMultiplier = 3 });
        Assert.True(Bfdd.WaitFor(() => bird.FindSession(us) is { State: "Up", Interval: "0.400", Timeout: "0.900" } && !session.Variables.PollActive), Diagnostics(bird, session));

        // BIRD's: 250 ms x 4 reaches us through its Poll Sequence; we detect in 4 x max(our 400 ms RX, its 250 ms TX).
        bird.Reconfigure(BirdBody(neighbor, type, "poll-final", intervalMs: 250, multiplier: 4));
        Assert.True(Bfdd.WaitFor(() => session.GetStatus().DetectionTime == TimeSpan.FromMilliseconds(1600)), Diagnostics(bird, session));
        Assert.Equal(BfdState.Up, session.State);
        Assert.Equal(TimeSpan.FromMilliseconds(300), session.GetStatus().TransmitInterval);
        Assert.Equal(0, failures.Count);
        Assert.DoesNotContain("Authentication failed", bird.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restarted_bird_with_a_new_sequence_number_comes_back_up()
    {
        const BfdAuthenticationType type = BfdAuthenticationType.MeticulousKeyedSha1;
        using var link = VethLink.Create("bgpkit-bird");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner, link.Outer), type, "restart-me"), link.Name);
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, "restart-me") });
        Assert.True(UpOnBothSides(bird, session), Diagnostics(bird, session));

        // A restarted BIRD starts its sequence numbers at a random value, outside the window we hold (6.7.4);
        // we drop its packets as SequenceOutOfWindow until AuthSeqKnown lapses, twice the
        // detection time after its last good packet (6.8.1), and then accept them again.
        await bird.RestartAsync();
        Assert.True(await Bfdd.WaitForState(session, BfdState.Down, 10), Diagnostics(bird, session));
        Assert.True(UpOnBothSides(bird, session, seconds: 30), Diagnostics(bird, session));
    }

    [Fact]
    public async Task Our_restarted_session_with_a_new_sequence_number_comes_back_up()
    {
        const BfdAuthenticationType type = BfdAuthenticationType.KeyedSha1;
        using var link = VethLink.Create("bgpkit-bird");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner, link.Outer), type, "restart-us"), link.Name);
        await using var endpoint = new BfdEndpoint();
        var options = new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, "restart-us") };
        var session = endpoint.StartSession(options);
        Assert.True(UpOnBothSides(bird, session), Diagnostics(bird, session));

        // Stopping tells BIRD AdminDown. The new session starts at another random sequence number, which BIRD
        // refuses ("wrong sequence number") until its detection time runs out and it forgets the old one (BIRD resets
        // rx_csn_known only then): 5 x the 1 s our AdminDown packets advertised (6.8.3), so about 5 s.
        await session.DisposeAsync();
        Assert.True(Bfdd.WaitFor(() => bird.SessionState(link.Outer.ToString()) == "Down"), Diagnostics(bird, session));
        var renewed = endpoint.StartSession(options);
        Assert.NotEqual(session.LocalDiscriminator, renewed.LocalDiscriminator);
        Assert.True(UpOnBothSides(bird, renewed, seconds: 30), Diagnostics(bird, renewed));
    }

    [Fact]
    public async Task We_start_first_and_bird_joins()
    {
        const BfdAuthenticationType type = BfdAuthenticationType.MeticulousKeyedSha1;
        using var link = VethLink.Create("bgpkit-bird");
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner) { Profile = Profile, Authentication = Key(type, "we-were-first") });
        Assert.True(Bfdd.WaitFor(() => session.GetStatus().ControlPacketsSent >= 2), "we never transmitted");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner, link.Outer), type, "we-were-first"), link.Name);
        Assert.True(UpOnBothSides(bird, session), Diagnostics(bird, session));
    }

    [Fact]
    public async Task Multihop_session_comes_up_with_keyed_md5()
    {
        const BfdAuthenticationType type = BfdAuthenticationType.KeyedMd5;
        using var link = VethLink.Create("bgpkit-bird");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner, link.Outer, multihop: true), type, "multihop-md5"), link.Name);
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer, link.Inner)
        {
            // BIRD 2.0.12 sends multihop packets with the system's default TTL (64 here), as RFC 5883 allows;
            // with the default MinimumTtl of 254 we drop every one of them (TtlTooLow).
            Profile = Profile with { MinimumTtl = 64 },
            Multihop = true,
            Authentication = Key(type, "multihop-md5"),
        });
        Assert.True(UpOnBothSides(bird, session, multihop: true), Diagnostics(bird, session));
    }

    [Fact]
    public async Task Ipv6_session_comes_up_with_meticulous_keyed_sha1()
    {
        const BfdAuthenticationType type = BfdAuthenticationType.MeticulousKeyedSha1;
        using var link = VethLink.Create("bgpkit-bird");
        await using var bird = await BirdBfdDaemon.StartAsync(BirdBody(Neighbor(link.Inner6, link.Outer6), type, "over-ipv6"), link.Name);
        await using var endpoint = new BfdEndpoint();
        using var failures = new AuthenticationFailures(endpoint);
        var session = endpoint.StartSession(new BfdSessionOptions(link.Outer6, link.Inner6) { Profile = Profile, Authentication = Key(type, "over-ipv6") });
        Assert.True(UpOnBothSides(bird, session), Diagnostics(bird, session));
        var received = session.GetStatus().ControlPacketsReceived;
        Assert.True(Bfdd.WaitFor(() => session.GetStatus().ControlPacketsReceived >= received + 10, 20), Diagnostics(bird, session));
        Assert.Equal(0, failures.Count);
        Assert.DoesNotContain("Authentication failed", bird.ReadLog(), StringComparison.Ordinal);
    }

    /// <summary>Counts our endpoint's packets dropped with reason AuthenticationFailed (the <c>bfd_packets_dropped</c> counter).</summary>
    private sealed class AuthenticationFailures : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public AuthenticationFailures(BfdEndpoint endpoint)
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter == endpoint.Meter && i.Name == "bfd_packets_dropped")
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason" && tag.Value as string == "AuthenticationFailed")
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}

