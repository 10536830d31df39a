using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// The echo function over a real link: two endpoints of ours, each in its own network namespace, on a
/// veth pair with forwarding on, so each kernel routes the other's echo packets back (RFC 5881 section 4).
/// FRR bfdd 8.4 cannot be the far end for echo here: standalone (without zebra) it knows no interfaces and
/// no peer MAC, so with echo-mode it starts its echo detection timer but sends no echo packets, and takes
/// the session down with "echo failed" once we advertise a Required Min Echo RX Interval.
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

        var changes = new List<BfdStateChange>();
        a.StateChanged += (_, change) => { lock (changes) { changes.Add(change); } };
        var controlBefore = a.GetStatus().ControlPacketsReceived;

        // B's kernel no longer forwards A's echo packets back; control packets (to B itself, UDP 3784) pass.
        NetNamespacePair.Exec(pair.NameB, "nft", "add", "table", "inet", "bkecho");
        NetNamespacePair.Exec(pair.NameB, "nft", "add", "chain", "inet", "bkecho", "echofilter", "{ type filter hook forward priority 0 ; }");
        NetNamespacePair.Exec(pair.NameB, "nft", "add", "rule", "inet", "bkecho", "echofilter", "udp", "dport", "3785", "drop");

        await Poll.UntilAsync(() => { lock (changes) { return changes.Any(c => c is { Previous: BfdState.Up, Current: BfdState.Down, Diagnostic: BfdDiagnostic.EchoFunctionFailed }); } },
            "A down with Echo Function Failed", TimeSpan.FromSeconds(10));
        // Control packets still flow: A keeps hearing B, and never loses it to the control detection time.
        await Poll.UntilAsync(() => a.GetStatus().ControlPacketsReceived > controlBefore + 5, "control packets from B after the echo drop", TimeSpan.FromSeconds(15));
        lock (changes)
        {
            Assert.DoesNotContain(changes, c => c.Diagnostic == BfdDiagnostic.ControlDetectionTimeExpired);
        }
        Assert.NotEqual(0u, a.GetStatus().RemoteDiscriminator);
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
