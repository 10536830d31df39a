using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// The echo function over IPv6 on a real link: two endpoints of ours, each in its own network namespace, on a
/// veth pair with ULA addresses and IPv6 forwarding on, so each kernel routes the other's echo packets back
/// (RFC 5881 section 4). The IPv4 twin is <see cref="EchoNamespaceTests"/>.
/// </summary>
[Trait("Category", "Interop")]
public sealed class EchoIpv6NamespaceTests
{
    private static readonly BfdProfile Echo = new()
    {
        TransmitInterval = TimeSpan.FromMilliseconds(50),
        ReceiveInterval = TimeSpan.FromMilliseconds(50),
        DetectMultiplier = 3,
        EchoMode = true,
        EchoInterval = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task Echo_runs_over_IPv6_and_dropping_only_echo_takes_the_session_down_with_diagnostic_2()
    {
        using var pair = NetNamespacePair.Create("bgpkit-echo6");
        var (addressA, addressB) = pair.AddIpv6();
        await using var endpointA = NetNamespacePair.Run(pair.NameA, () => new BfdEndpoint());
        await using var endpointB = NetNamespacePair.Run(pair.NameB, () => new BfdEndpoint());
        var a = NetNamespacePair.Run(pair.NameA, () => endpointA.StartSession(new BfdSessionOptions(addressA, addressB) { Profile = Echo }));
        var b = NetNamespacePair.Run(pair.NameB, () => endpointB.StartSession(new BfdSessionOptions(addressB, addressA) { Profile = Echo }));
        Assert.Null(a.GetStatus().EchoUnavailable);
        Assert.Null(b.GetStatus().EchoUnavailable);

        // Up, echo running both ways (the peer's MAC from the neighbour table), control slowed to 1 s (6.8.3).
        foreach (var session in new[] { a, b })
        {
            var up = await Poll.ForAsync(session.GetStatus, s => s is { State: BfdState.Up, EchoActive: true, EchoPacketsReceived: > 10 }
                && s.TransmitInterval == TimeSpan.FromSeconds(1) && s.ReceiveInterval == TimeSpan.FromSeconds(1),
                $"{session.LocalAddress}: Up with echo returning", TimeSpan.FromSeconds(30));
            Assert.Equal(TimeSpan.FromMilliseconds(150), up.EchoDetectionTime);
        }

        // B's kernel no longer forwards A's echo packets back; control packets (to B itself, UDP 3784) pass.
        await EchoDrop.AssertOnlyEchoFailsAsync(a, pair.NameB, controlPackets: 5);
    }

    [Fact]
    public async Task A_peer_whose_MAC_changes_while_Up_gets_our_echo_at_its_new_MAC_after_one_or_two_lost_packets()
    {
        using var pair = NetNamespacePair.Create("bgpkit-echomac6");
        var (addressA, addressB) = pair.AddIpv6();
        // B announces its new MAC with an unsolicited Neighbor Advertisement (override flag set).
        NetNamespacePair.Exec(pair.NameB, "sysctl", "-q", "-w", "net.ipv6.conf.all.ndisc_notify=1");
        await using var endpointA = NetNamespacePair.Run(pair.NameA, () => new BfdEndpoint());
        await using var endpointB = NetNamespacePair.Run(pair.NameB, () => new BfdEndpoint());
        var a = NetNamespacePair.Run(pair.NameA, () => endpointA.StartSession(new BfdSessionOptions(addressA, addressB) { Profile = Echo }));
        NetNamespacePair.Run(pair.NameB, () => endpointB.StartSession(new BfdSessionOptions(addressB, addressA) { Profile = Echo }));
        await EchoMacChange.AssertFewEchoesGoToTheOldMacAsync(pair, a);
    }

    [Fact]
    public async Task A_link_local_session_runs_without_echo_and_says_why()
    {
        using var pair = NetNamespacePair.Create("bgpkit-echoll");
        pair.AddIpv6();
        var local = await NetNamespacePairIpv6.LinkLocalAsync(pair.NameA, pair.DeviceA);
        var peer = await NetNamespacePairIpv6.LinkLocalAsync(pair.NameB, pair.DeviceB);
        peer.ScopeId = local.ScopeId;
        await using var endpoint = NetNamespacePair.Run(pair.NameA, () => new BfdEndpoint());
        var session = NetNamespacePair.Run(pair.NameA, () => endpoint.StartSession(new BfdSessionOptions(local, peer) { Profile = Echo }));
        var status = session.GetStatus();
        Assert.False(status.EchoActive);
        Assert.Contains("link-local", status.EchoUnavailable);
        // Echo off means off both ways: no Required Min Echo RX Interval is advertised.
        Assert.Equal(0u, session.Variables.RequiredMinEchoRxInterval);
    }
}

/// <summary>
/// Echo over IPv6 against FRR bfdd 8.4.4 with <c>echo-mode</c>, bfdd and zebra in one namespace, our endpoint in
/// the other. bfdd warns "Echo mode works correctly for IPv4, but only works when the peer is also FRR for IPv6":
/// its IPv6 echo is UDP to our address with hop limit 255, which the peer's BFD daemon (not its forwarding
/// plane) must send back. We do (for peers of our own sessions), so both echo functions run: ours through
/// bfdd's forwarding plane, bfdd's through our echo socket.
/// </summary>
[Trait("Category", "Interop")]
public sealed class BfddEchoIpv6Tests
{
    [Fact]
    public async Task Echo_over_IPv6_with_bfdd_in_echo_mode_runs_both_ways_and_dropping_only_echo_takes_our_session_down_with_diagnostic_2()
    {
        Assert.True(FrrBfdd.IsAvailable && FrrZebra.IsAvailable, "FRR bfdd and zebra are installed in CI");
        using var pair = NetNamespacePair.Create("bgpkit-fecho6");
        var (addressA, addressB) = pair.AddIpv6();
        using var bfdd = FrrBfdd.Start($"bfd\n peer {addressA} local-address {addressB} interface {pair.DeviceB}\n" +
            "  receive-interval 50\n  transmit-interval 50\n  detect-multiplier 3\n  echo-mode\n  echo transmit-interval 50\n  echo receive-interval 50\n", pair.NameB);
        using var zebra = FrrZebra.Start(pair.NameB, Path.Combine(bfdd.Directory, "zserv.api"), bfdd.Directory);
        await using var endpoint = NetNamespacePair.Run(pair.NameA, () => new BfdEndpoint());
        var profile = new BfdProfile
        {
            TransmitInterval = TimeSpan.FromMilliseconds(50),
            ReceiveInterval = TimeSpan.FromMilliseconds(50),
            EchoMode = true,
            EchoInterval = TimeSpan.FromMilliseconds(50),
        };
        var session = NetNamespacePair.Run(pair.NameA, () => endpoint.StartSession(new BfdSessionOptions(addressA, addressB) { Profile = profile }));
        var peer = addressA.ToString();

        BfdSessionStatus up;
        try
        {
            up = await Poll.ForAsync(session.GetStatus, s => s is { State: BfdState.Up, EchoActive: true, EchoPacketsReceived: > 10 },
                "our echo returning through bfdd's namespace", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Console.WriteLine(session.GetStatus() + bfdd.Vtysh("show bfd peers json") + bfdd.Vtysh("show bfd peers counters json") + bfdd.LogText());
            throw;
        }
        Assert.Equal(TimeSpan.FromMilliseconds(150), up.EchoDetectionTime);
        // bfdd's own echo comes back from us: its echo input grows and its session stays Up through it.
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(peer) is { } p && p.GetProperty("status").GetString() == "up" && EchoInput(bfdd) > 20),
            bfdd.Vtysh("show bfd peers json") + bfdd.Vtysh("show bfd peers counters json"));
        var downsBefore = Counter(bfdd, "session-down");
        var echoBefore = EchoInput(bfdd);
        await Poll.UntilAsync(() => EchoInput(bfdd) > echoBefore + 20, "bfdd's echo packets returning");
        Assert.Equal(downsBefore, Counter(bfdd, "session-down"));
        Assert.Equal(BfdState.Up, session.GetStatus().State);

        // bfdd's kernel no longer routes our echo packets back; control packets and bfdd's own echo (to us) pass.
        await EchoDrop.AssertOnlyEchoFailsAsync(session, pair.NameB, controlPackets: 0);
    }

    private static long Counter(FrrBfdd bfdd, string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(bfdd.Vtysh("show bfd peers counters json"));
        return doc.RootElement.EnumerateArray().Sum(p => p.TryGetProperty(name, out var v) ? v.GetInt64() : 0);
    }

    private static long EchoInput(FrrBfdd bfdd) => Counter(bfdd, "echo-packet-input");
}
