using System.Net;
using System.Text.Json.Nodes;
using BgpKit.Bgp.Fsm.Tests.Session;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;
using static BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606.MalformedUpdate;

namespace BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606;

/// <summary>
/// RFC 7606 judged by FRR: each row's octets go from a raw peer (AS 65001) to FRR bgpd 8.4 and to a BgpSpeaker
/// (both AS 65002, eBGP). BgpKit must do what the RFC asks; FRR must do what was recorded for it, so a change in
/// FRR shows up. One bgpd serves the whole class, each row on a fresh session from its own loopback address.
/// </summary>
[Trait("Category", "Interop")]
public sealed class Rfc7606ConformanceTests(Rfc7606ConformanceTests.FrrFixture frr) : IClassFixture<Rfc7606ConformanceTests.FrrFixture>
{
    private static readonly TimeSpan Verdict = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Rows()
    {
        var data = new TheoryData<string>();
        foreach (var c in Rfc7606Cases.All)
        {
            data.Add(c.Id);
        }
        return data;
    }

    private static (Rfc7606Case Case, int Index) Row(string id)
    {
        var index = Rfc7606Cases.All.ToList().FindIndex(c => c.Id == id);
        return (Rfc7606Cases.All[index], index + 1);
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Rows))]
    public async Task FRR_bgpd_does_what_was_recorded(string id)
    {
        var (row, i) = Row(id);
        var neighbor = $"127.0.1.{i}";
        await using var peer = await FakePeer.ConnectAsync(IPAddress.Parse(neighbor), new IPEndPoint(OurSide.Them, frr.Bgpd.Port));
        await OpenAsync(peer, i);
        await Poll.UntilAsync(() => frr.Bgpd.NeighborState(neighbor) == "Established", $"FRR's session with {neighbor}");
        var seen = await RunAsync(row, i, peer, prefix => frr.Route(neighbor, prefix));
        Assert.True(row.FrrExpected == seen, $"{row}: FRR recorded as {row.FrrExpected}, now {seen}");
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Rows))]
    public async Task BgpKit_does_what_the_RFC_asks(string id)
    {
        var (row, i) = Row(id);
        await using var peer = new FakePeer();
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65002, RouterId = IPAddress.Parse("10.0.0.2"), ListenAddress = null });
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = IPAddress.Loopback,
            RemoteAs = PeerAs,
            HoldTime = TimeSpan.FromSeconds(90),
            Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast],
            KeepAdjRibIn = true,
            IdleHoldTime = TimeSpan.FromSeconds(30),
            Transport = new TransportOptions { RemotePort = peer.Port, ConnectRetryTime = TimeSpan.FromSeconds(30), Ttl = 64 },
        });
        await peer.AcceptAsync();
        await OpenAsync(peer, i);
        await Poll.UntilAsync(() => speaker.GetStatus(IPAddress.Loopback).State == SessionState.Established, "Established");
        var seen = await RunAsync(row, i, peer, prefix => Route(speaker, prefix));
        Assert.True(row.Rfc == seen, $"{row}: RFC asks {row.Rfc}, BgpKit did {seen}");
        if (row.Rfc.Verdict != Interop.Rfc7606.Verdict.Reset)
        {
            Assert.Equal(SessionState.Established, speaker.GetStatus(IPAddress.Loopback).State);
        }
    }

    private static async Task OpenAsync(FakePeer peer, int i)
    {
        peer.SendOpen(PeerAs, 90, $"10.255.0.{i}", new MultiprotocolCapability(AfiSafi.IPv6Unicast));
        await peer.ReadUntilAsync<OpenMessage>();
        peer.SendKeepalive();
        await peer.ReadUntilAsync<KeepaliveMessage>();
    }

    private static RouteSeen? Route(BgpSpeaker speaker, Prefix prefix) =>
        speaker.GetReceivedRoutes(IPAddress.Loopback).FirstOrDefault(r => r.Prefix == prefix)?.Attributes is { } a
            ? new RouteSeen(a.MultiExitDisc, a.AtomicAggregate, a.Aggregator is not null, a.LocalPref is not null)
            : null;

    /// <summary>
    /// Announces the victim (MED 1), sends the bad UPDATE and a marker route behind it, then judges: a NOTIFICATION
    /// (or a close) before the marker shows, or else the victim route as the receiver holds it.
    /// </summary>
    private static async Task<Outcome> RunAsync(Rfc7606Case row, int i, FakePeer peer, Func<Prefix, RouteSeen?> lookup)
    {
        var victimNlri = V4(10, (byte)i, 1);
        var markerNlri = V4(10, (byte)i, 2);
        var victim = Prefix.Parse($"10.{i}.1.0/24");
        var marker = Prefix.Parse($"10.{i}.2.0/24");
        peer.Send(Message(Body([.. Mandatory, .. Med(1)], victimNlri)));
        await Poll.UntilAsync(() => lookup(victim)?.Med == 1, "the victim route before the bad UPDATE", Verdict);

        var notification = NotificationAsync(peer);
        try
        {
            peer.Send(Message(row.Body(victimNlri)));
            peer.Send(Message(Body([.. Mandatory, .. Med(1)], markerNlri)));
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The receiver closed already: the NOTIFICATION tells why.
        }
        await Poll.UntilAsync(() => notification.IsCompleted || lookup(marker) is not null, "a NOTIFICATION or the marker route", Verdict);
        if (notification.IsCompleted)
        {
            var n = await notification;
            return n is null ? Outcome.Reset(0, 0) : Outcome.Reset(n.Subcode, (byte)n.Code);
        }
        return row.Judge(lookup(victim));
    }

    private static async Task<NotificationMessage?> NotificationAsync(FakePeer peer)
    {
        try
        {
            while (await peer.ReadAsync(TimeSpan.FromSeconds(120)) is { } m)
            {
                if (m.Message is NotificationMessage n)
                {
                    return n;
                }
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        return null;
    }

    /// <summary>One FRR bgpd for the class, with a passive eBGP neighbor per row (127.0.1.N, AS 65001, IPv4 and IPv6).</summary>
    public sealed class FrrFixture : IAsyncLifetime
    {
        private FrrBgpd? _bgpd;

        public FrrBgpd Bgpd => _bgpd ?? throw new InvalidOperationException("bgpd not started");

        public async Task InitializeAsync()
        {
            var rows = Enumerable.Range(1, Rfc7606Cases.All.Count).ToList();
            var neighbors = string.Join('\n', rows.Select(i => $" neighbor 127.0.1.{i} remote-as {PeerAs}\n neighbor 127.0.1.{i} passive"));
            var v6 = string.Join('\n', rows.Select(i => $"  neighbor 127.0.1.{i} activate"));
            var config = $"""
                frr defaults traditional
                router bgp 65002
                 bgp router-id 127.0.0.2
                 no bgp ebgp-requires-policy
                 no bgp network import-check
                 bgp allow-martian-nexthop
                {neighbors}
                 address-family ipv6 unicast
                {v6}
                 exit-address-family

                """;
            _bgpd = await FrrBgpd.StartAsync(config, FreePort.Tcp(OurSide.Them));
        }

        /// <summary>FRR's route for <paramref name="prefix"/> from <paramref name="neighbor"/>, or null when it has none (or only a withdrawn one).</summary>
        internal RouteSeen? Route(string neighbor, Prefix prefix)
        {
            var paths = Bgpd.ShowJson($"show bgp ipv4 unicast {prefix} json")["paths"]?.AsArray();
            var path = paths?.FirstOrDefault(p => p?["peer"]?["peerId"]?.GetValue<string>() == neighbor);
            if (path is null || path["removed"] is not null)
            {
                return null;
            }
            return new RouteSeen(
                path["metric"] is JsonNode m ? m.GetValue<uint>() : null,
                path["atomicAggregate"] is not null,
                path["aggregatorAs"] is not null,
                path["locPrf"] is not null);
        }

        public async Task DisposeAsync()
        {
            if (_bgpd is not null)
            {
                await _bgpd.DisposeAsync();
            }
        }
    }
}
