using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// The echo function over a real link: two endpoints of ours, each in its own network namespace, on a
/// veth pair with forwarding on, so each kernel routes the other's echo packets back (RFC 5881 section 4).
/// The same against FRR bfdd is <see cref="BfddEchoTests"/>.
/// </summary>
[Trait("Category", "Interop")]
public sealed class EchoNamespaceTests
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
    public async Task Echo_runs_over_a_veth_pair_and_dropping_only_echo_takes_the_session_down_with_diagnostic_2()
    {
        using var pair = NetNamespacePair.Create("bgpkit-echo");
        await using var endpointA = NetNamespacePair.Run(pair.NameA, () => new BfdEndpoint());
        await using var endpointB = NetNamespacePair.Run(pair.NameB, () => new BfdEndpoint());
        var a = NetNamespacePair.Run(pair.NameA, () => endpointA.StartSession(new BfdSessionOptions(pair.AddressA, pair.AddressB) { Profile = Echo }));
        var b = NetNamespacePair.Run(pair.NameB, () => endpointB.StartSession(new BfdSessionOptions(pair.AddressB, pair.AddressA) { Profile = Echo }));
        Assert.Null(a.GetStatus().EchoUnavailable);

        // Up, echo running both ways, and (6.8.3) control slowed to one second each way once the Poll completed.
        foreach (var session in new[] { a, b })
        {
            var up = await Poll.ForAsync(session.GetStatus, s => s is { State: BfdState.Up, EchoActive: true, EchoPacketsReceived: > 10 }
                && s.TransmitInterval == TimeSpan.FromSeconds(1) && s.ReceiveInterval == TimeSpan.FromSeconds(1),
                $"{session.LocalAddress}: Up with echo returning", TimeSpan.FromSeconds(30));
            Assert.Equal(TimeSpan.FromMilliseconds(50), up.EchoTransmitInterval);
            Assert.Equal(TimeSpan.FromMilliseconds(150), up.EchoDetectionTime);
            Assert.Equal(TimeSpan.FromSeconds(3), up.DetectionTime);
        }

        // B's kernel no longer forwards A's echo packets back; control packets (to B itself, UDP 3784) pass.
        await EchoDrop.AssertOnlyEchoFailsAsync(a, pair.NameB, controlPackets: 5);
        Assert.NotEqual(0u, a.GetStatus().RemoteDiscriminator);
    }

    [Fact]
    public async Task A_peer_whose_MAC_changes_while_Up_gets_our_echo_at_its_new_MAC_after_one_or_two_lost_packets()
    {
        using var pair = NetNamespacePair.Create("bgpkit-echomac");
        // B announces its new MAC with a gratuitous ARP, as a failover or a replaced NIC would.
        NetNamespacePair.Exec(pair.NameB, "sysctl", "-q", "-w", "net.ipv4.conf.all.arp_notify=1");
        await using var endpointA = NetNamespacePair.Run(pair.NameA, () => new BfdEndpoint());
        await using var endpointB = NetNamespacePair.Run(pair.NameB, () => new BfdEndpoint());
        var a = NetNamespacePair.Run(pair.NameA, () => endpointA.StartSession(new BfdSessionOptions(pair.AddressA, pair.AddressB) { Profile = Echo }));
        NetNamespacePair.Run(pair.NameB, () => endpointB.StartSession(new BfdSessionOptions(pair.AddressB, pair.AddressA) { Profile = Echo }));
        await EchoMacChange.AssertFewEchoesGoToTheOldMacAsync(pair, a);
    }

    [Fact]
    public async Task On_loopback_echo_mode_is_silently_off_and_says_why()
    {
        await using var endpoint = new BfdEndpoint();
        // Addresses no other test uses: our control socket binds 127.0.0.9:3784.
        var session = endpoint.StartSession(new BfdSessionOptions(IPAddress.Parse("127.0.0.9"), IPAddress.Parse("127.0.0.10")) { Profile = Echo });
        var status = session.GetStatus();
        Assert.False(status.EchoActive);
        Assert.Contains("loopback", status.EchoUnavailable);
        // Echo off means off both ways: no Required Min Echo RX Interval is advertised.
        Assert.Equal(0u, session.Variables.RequiredMinEchoRxInterval);
    }
}

/// <summary>
/// Echo against FRR bfdd 8.4.4 with <c>echo-mode</c>, bfdd and zebra in one namespace, our endpoint in the
/// other. bfdd's IPv4 echo on Linux needs zebra (it learns the interface and its MAC from it); standalone it
/// sends no echo packets of its own, and with <c>interface</c> in the peer it does not start the session.
/// Both directions run: bfdd's echo is routed back by our namespace, ours by bfdd's.
/// </summary>
[Trait("Category", "Interop")]
public sealed class BfddEchoTests
{
    [Fact]
    public async Task Echo_with_bfdd_in_echo_mode_and_dropping_only_echo_takes_our_session_down_with_diagnostic_2()
    {
        Assert.True(FrrBfdd.IsAvailable && FrrZebra.IsAvailable, "FRR bfdd and zebra are installed in CI");
        using var pair = NetNamespacePair.Create("bgpkit-fecho");
        using var bfdd = FrrBfdd.Start($"bfd\n peer {pair.AddressA} local-address {pair.AddressB} interface {pair.DeviceB}\n" +
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
        var session = NetNamespacePair.Run(pair.NameA, () => endpoint.StartSession(new BfdSessionOptions(pair.AddressA, pair.AddressB) { Profile = profile }));
        var peer = pair.AddressA.ToString();
        var up = await Poll.ForAsync(session.GetStatus, s => s is { State: BfdState.Up, EchoActive: true, EchoPacketsReceived: > 10 },
            "our echo returning through bfdd's namespace", TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromMilliseconds(150), up.EchoDetectionTime);
        // bfdd runs its own echo through our namespace, and follows our 6.8.3 request for 1 s control packets.
        Assert.True(Bfdd.WaitFor(() => bfdd.Peer(peer) is { } p && p.GetProperty("status").GetString() == "up"
            && p.GetProperty("remote-echo-receive-interval").GetInt32() == 50 && p.GetProperty("remote-receive-interval").GetInt32() == 1000),
            bfdd.Vtysh("show bfd peers json"));
        Assert.True(Bfdd.WaitFor(() => EchoInput(bfdd) > 10), bfdd.Vtysh("show bfd peers counters json") + zebra.LogText());
        await Poll.UntilAsync(() => session.GetStatus().ReceiveInterval == TimeSpan.FromSeconds(1), "bfdd sending control at 1 s");

        // bfdd's kernel no longer routes our echo packets back; control packets and bfdd's own echo pass, and
        // bfdd's control packets keep arriving (at 1 s while it was Up, faster in slow start after).
        await EchoDrop.AssertOnlyEchoFailsAsync(session, pair.NameB, controlPackets: 3);
        // bfdd saw our Down (diagnostic 2 on the wire): its session went down too, by our signal, not by a timeout.
        Assert.True(Bfdd.WaitFor(() => DownEvents(bfdd) >= 1),
            bfdd.Vtysh("show bfd peers counters json"));
    }

    private static long Counter(FrrBfdd bfdd, string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(bfdd.Vtysh("show bfd peers counters json"));
        return doc.RootElement.EnumerateArray().Sum(p => p.TryGetProperty(name, out var v) ? v.GetInt64() : 0);
    }

    private static long EchoInput(FrrBfdd bfdd) => Counter(bfdd, "echo-packet-input");

    private static long DownEvents(FrrBfdd bfdd) => Counter(bfdd, "session-down");
}
