using System.Text.Json.Nodes;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Interop;

/// <summary>
/// The speaker host end to end against two real FRR bgpd routers, with the seeds' multi-router
/// production example (004) adapted to loopback: dc1-router-primary is eBGP (AS 64512) at
/// 127.0.0.2, dc1-router-secondary is iBGP (AS 64513, so LOCAL_PREF travels) at 127.0.0.3. Manifest
/// edits must change only what they should on FRR's side, seen in FRR's own counters.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerFrrTests : IAsyncLifetime
{
    private const string Us = "127.0.0.1";
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-speaker-e2e-").FullName;
    private FrrBgpd _primary = null!;
    private FrrBgpd _secondary = null!;

    public async Task InitializeAsync()
    {
        var primaryPort = MetalLbPort(System.Net.IPAddress.Parse("127.0.0.2"));
        var secondaryPort = MetalLbPort(System.Net.IPAddress.Parse("127.0.0.3"));
        // FRR may try to connect to us; nothing listens there (the speaker connects out), which FRR tolerates.
        var unused = FreePort.Tcp();
        _primary = await FrrBgpd.StartAsync(FrrBgpd.Config(64512, "127.0.0.2", Us, 64513, unused), primaryPort, "127.0.0.2");
        _secondary = await FrrBgpd.StartAsync(FrrBgpd.Config(64513, "127.0.0.3", Us, 64513, unused), secondaryPort, "127.0.0.3");
    }

    /// <summary>A free TCP port that MetalLB accepts as peerPort (1..16384; FreePort's ephemeral ones are above).</summary>
    internal static int MetalLbPort(System.Net.IPAddress address)
    {
        var random = new Random(Environment.ProcessId ^ address.GetHashCode());
        for (var attempt = 0; ; attempt++)
        {
            var port = random.Next(11000, 16384);
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(address, port);
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 200)
            {
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _secondary.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Peers(bool withPrimary) => (withPrimary ? $"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata:
          name: dc1-router-primary
          namespace: metallb-system
        spec:
          myASN: 64513
          peerASN: 64512
          peerAddress: 127.0.0.2
          peerPort: {_primary.Port}
          sourceAddress: 127.0.0.1
          routerID: 127.0.0.1
          holdTime: 9s
          keepaliveTime: 3s
        ---

        """ : "") + $"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata:
          name: dc1-router-secondary
          namespace: metallb-system
        spec:
          myASN: 64513
          peerASN: 64513
          peerAddress: 127.0.0.3
          peerPort: {_secondary.Port}
          sourceAddress: 127.0.0.1
          routerID: 127.0.0.1
          holdTime: 9s
          keepaliveTime: 3s
        """;

    private static string Advertisements(string secondaryCommunity) => $"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: production-pool
          namespace: metallb-system
        spec:
          addresses:
            - 10.100.0.0/24
          autoAssign: true
          avoidBuggyIPs: true
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata:
          name: dc1-primary-advertisement
          namespace: metallb-system
        spec:
          ipAddressPools:
            - production-pool
          peers:
            - dc1-router-primary
          localPref: 200
          communities:
            - dc1-primary
          aggregationLength: 32
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata:
          name: dc1-secondary-advertisement
          namespace: metallb-system
        spec:
          ipAddressPools:
            - production-pool
          peers:
            - dc1-router-secondary
          localPref: 190
          communities:
            - {secondaryCommunity}
          aggregationLength: 32
        ---
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata:
          name: dc1-communities
          namespace: metallb-system
        spec:
          communities:
            - name: dc1-primary
              value: "64512:1100"
            - name: dc1-secondary
              value: "64512:1200"
        """;

    private static string Service(string name) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: default
        spec:
          type: LoadBalancer
          ports:
            - port: 80
              protocol: TCP
        ---

        """;

    private void Write(string file, string text)
    {
        // Write then rename, as kubectl and editors do, so the watcher never reads half a file.
        var temp = Path.Combine(_dir, "." + file + ".tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, Path.Combine(_dir, file), overwrite: true);
    }

    private static JsonNode Neighbor(FrrBgpd frr) => frr.ShowJson($"show bgp neighbors {Us} json")[Us]!;

    private static int ConnectionsEstablished(FrrBgpd frr) => Neighbor(frr)["connectionsEstablished"]?.GetValue<int>() ?? 0;

    private static JsonNode? Path0(FrrBgpd frr, string prefix) =>
        frr.ShowJson($"show bgp ipv4 unicast {prefix} json")["paths"]?[0];

    private static string Communities(FrrBgpd frr, string prefix) => Path0(frr, prefix)?["community"]?["string"]?.GetValue<string>() ?? "";

    /// <summary>
    /// UPDATE messages FRR received from us. The judge of "nothing re-sent": FRR's per-path lastUpdate is not one,
    /// since bgpd computes it as time(NULL) - (monotime(NULL) - uptime) in whole seconds of two clocks, so it moves
    /// by a second between two reads with no UPDATE at all (seen in 2 of 40 reads of an idle bgpd 8.4.4), and a
    /// duplicate UPDATE would not move it anyway.
    /// </summary>
    private static long UpdatesReceived(FrrBgpd frr) => Neighbor(frr)["messageStats"]?["updatesRecv"]?.GetValue<long>() ?? -1;

    /// <summary>
    /// Waits until FRR has received one more KEEPALIVE from us. A session's messages leave in order from its one
    /// loop, so any UPDATE that the last applied change queued has reached FRR once a later KEEPALIVE has.
    /// </summary>
    private static async Task OneKeepaliveLater(FrrBgpd frr)
    {
        var before = Neighbor(frr)["messageStats"]?["keepalivesRecv"]?.GetValue<long>() ?? 0;
        await Poll.UntilAsync(() => (Neighbor(frr)["messageStats"]?["keepalivesRecv"]?.GetValue<long>() ?? 0) > before,
            "one more KEEPALIVE at FRR", TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits until the reconcile loop has applied a configuration newer than <paramref name="generation"/>.</summary>
    private static Task Applied(SpeakerHost host, long generation) =>
        Poll.UntilAsync(() => host.Status.Config().InForce?.Generation > generation, "the change to be applied", TimeSpan.FromSeconds(30));

    private static long Generation(SpeakerHost host) => host.Status.Config().InForce!.Generation;

    private string Describe(SpeakerHost host)
    {
        var config = host.Status.Config();
        var errors = string.Join("; ", config.LastChange?.Errors.Select(e => $"{e.File}:{e.Line} {e.Kind} {e.Name} {e.Field}: {e.Message}") ?? []);
        var peers = string.Join("; ", host.Status.BgpSummary().Peers.Select(p => $"{p.Name} {p.State} sent={p.PrefixesSent} err={p.LastError}"));
        return $"valid={config.LastChange?.Valid} errors=[{errors}] peers=[{peers}] primary={_primary.NeighborState(Us)}/{_primary.PrefixesReceived(Us)} secondary={_secondary.NeighborState(Us)}/{_secondary.PrefixesReceived(Us)}";
    }

    [Fact]
    public async Task Plan_reaches_FRR_exactly_and_edits_change_only_what_they_should()
    {
        Write("peers.yaml", Peers(withPrimary: true));
        Write("advertisements.yaml", Advertisements("dc1-secondary"));
        Write("services.yaml", Service("api") + Service("web"));
        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = "node-1",
            ConfigPaths = [_dir],
            BgpListen = null,
            StatusEndPoint = null,
            RescanInterval = TimeSpan.FromSeconds(1),
            LoggerFactory = NullLoggerFactory.Instance,
        });
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(stop.Token);
        try
        {
            // Exactly the plan's routes, with communities; LOCAL_PREF only on the iBGP session.
            await Poll.UntilAsync(() => _primary.PrefixesReceived(Us) == 2 && _secondary.PrefixesReceived(Us) == 2,
                "both routers have the 2 service routes", TimeSpan.FromSeconds(60)).WithDiagnostics(() => Describe(host));
            // MetalLB 0.15's address families: the IPv4 peers' OPEN offered IPv4 unicast only (no dualStackAddressFamily).
            var multiprotocol = Neighbor(_primary)["neighborCapabilities"]?["multiprotocolExtensions"];
            Assert.True(multiprotocol?["ipv4Unicast"] is not null && multiprotocol["ipv6Unicast"] is null, multiprotocol?.ToJsonString());
            var planned = host.Status.Config().InForce!.Announcements;
            Assert.Equal(["10.100.0.1/32", "10.100.0.2/32"], planned.Where(a => a.Peer == "dc1-router-primary").Select(a => a.Prefix));
            foreach (var prefix in new[] { "10.100.0.1/32", "10.100.0.2/32" })
            {
                Assert.Equal("64512:1100", Communities(_primary, prefix));
                Assert.Equal("64513", Path0(_primary, prefix)!["aspath"]!["string"]!.GetValue<string>());
                Assert.Equal("64512:1200", Communities(_secondary, prefix));
                Assert.Equal(190, Path0(_secondary, prefix)!["locPrf"]!.GetValue<int>());
            }
            var primaryConnections = ConnectionsEstablished(_primary);
            var secondaryConnections = ConnectionsEstablished(_secondary);
            await Task.WhenAll(OneKeepaliveLater(_primary), OneKeepaliveLater(_secondary)); // past End-of-RIB
            var primaryUpdates = UpdatesReceived(_primary);
            var secondaryUpdates = UpdatesReceived(_secondary);

            // Add a service: one more route on each router, no session reset, the others untouched.
            Write("services.yaml", Service("api") + Service("web") + Service("zz-new"));
            await Poll.UntilAsync(() => _primary.PrefixesReceived(Us) == 3 && _secondary.PrefixesReceived(Us) == 3, "the new service's route on both routers", TimeSpan.FromSeconds(30));
            Assert.Equal(primaryConnections, ConnectionsEstablished(_primary));
            Assert.Equal(secondaryConnections, ConnectionsEstablished(_secondary));
            // One UPDATE for the new route; the unchanged ones are neither withdrawn nor re-sent.
            await Task.WhenAll(OneKeepaliveLater(_primary), OneKeepaliveLater(_secondary));
            Assert.Equal(primaryUpdates + 1, UpdatesReceived(_primary));
            Assert.Equal(secondaryUpdates + 1, UpdatesReceived(_secondary));

            // Change a community: the secondary's routes change in place, the primary's do not move.
            primaryUpdates = UpdatesReceived(_primary);
            Write("advertisements.yaml", Advertisements("dc1-primary"));
            await Poll.UntilAsync(() => Communities(_secondary, "10.100.0.2/32") == "64512:1100", "the secondary's new community", TimeSpan.FromSeconds(30));
            Assert.Equal(3, _secondary.PrefixesReceived(Us));
            Assert.Equal(secondaryConnections, ConnectionsEstablished(_secondary));
            await OneKeepaliveLater(_primary);
            Assert.Equal(primaryUpdates, UpdatesReceived(_primary));

            // An invalid manifest changes nothing on FRR's side and is reported by show config.
            var generation = Generation(host);
            primaryUpdates = UpdatesReceived(_primary);
            secondaryUpdates = UpdatesReceived(_secondary);
            Write("broken.yaml", """
                apiVersion: metallb.io/v1beta2
                kind: BGPPeer
                metadata:
                  name: broken
                  namespace: metallb-system
                spec:
                  myASN: 64513
                  peerASN: 64512
                  peerAddress: 127.0.0.9
                  holdTime: 1s
                """);
            await Poll.UntilAsync(() => host.Status.Config().LastChange is { Valid: false }, "the invalid change to be reported", TimeSpan.FromSeconds(30));
            var change = host.Status.Config().LastChange!;
            Assert.Contains(change.Errors, e => e.Name?.Contains("broken", StringComparison.Ordinal) == true);
            Assert.Equal(generation, host.Status.Config().InForce!.Generation);
            Assert.Equal(3, _primary.PrefixesReceived(Us));
            Assert.Equal(3, _secondary.PrefixesReceived(Us));
            Assert.Equal(primaryUpdates, UpdatesReceived(_primary));
            Assert.Equal(secondaryUpdates, UpdatesReceived(_secondary));
            File.Delete(Path.Combine(_dir, "broken.yaml"));
            await Applied(host, generation);

            // Remove a peer: that session goes away, the other one is untouched: not reset, and not one UPDATE.
            secondaryUpdates = UpdatesReceived(_secondary);
            generation = Generation(host);
            Write("peers.yaml", Peers(withPrimary: false));
            await Poll.UntilAsync(() => _primary.NeighborState(Us) != "Established", "the primary's session to close", TimeSpan.FromSeconds(30));
            Assert.Equal("Established", _secondary.NeighborState(Us));
            Assert.Equal(secondaryConnections, ConnectionsEstablished(_secondary));
            await Applied(host, generation);
            await OneKeepaliveLater(_secondary);
            Assert.Equal(secondaryUpdates, UpdatesReceived(_secondary));
            Assert.Equal(3, _secondary.PrefixesReceived(Us));
            Assert.Equal("64512:1100", Communities(_secondary, "10.100.0.1/32"));
            Assert.Equal(190, Path0(_secondary, "10.100.0.1/32")!["locPrf"]!.GetValue<int>());
            Assert.Equal(["dc1-router-secondary"], host.Status.BgpSummary().Peers.Select(p => p.Name));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
        // Graceful stop: FRR saw an administrative shutdown, not a hold timer expiry.
        await Poll.UntilAsync(() => _secondary.NeighborState(Us) != "Established", "the secondary's session to close on stop", TimeSpan.FromSeconds(15));
        Assert.Contains("Administrative Shutdown", Neighbor(_secondary)["lastNotificationReason"]?.ToString() ?? _secondary.ReadLog(), StringComparison.OrdinalIgnoreCase);
    }
}

internal static class PollDiagnostics
{
    /// <summary>Adds the system's state to a polling timeout, so a failure says what was seen.</summary>
    public static async Task WithDiagnostics(this Task poll, Func<string> describe)
    {
        try
        {
            await poll;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + " | " + describe(), e);
        }
    }
}
