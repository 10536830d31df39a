using System.Net;
using System.Text.Json.Nodes;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Model.Tests.Interop;

/// <summary>
/// The rendered frr.conf loads into a real FRR 8.4 bgpd (standalone, -Z), and the routes FRR then
/// advertises to GoBGP equal the plan's announcements for that peer, attribute for attribute
/// (prefix, communities, large communities, LOCAL_PREF on iBGP). The examples are the ones under
/// Examples/, moved to loopback addresses and free ports.
/// </summary>
[Trait("Category", "Interop")]
public class FrrEquivalenceTests
{
    // GoBGP 3.10 treats a loopback NEXT_HOP as a withdraw (INTEROP.md), so FRR is told to send these.
    private static readonly FrrRenderOptions Loopback = new()
    {
        AllowMartianNextHop = true,
        IncludeBfdProfiles = false,
        NextHopV4 = IPAddress.Parse("192.0.2.254"),
        NextHopV6 = IPAddress.Parse("2001:db8:ffff::254"),
    };

    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "Examples", name);

    [Fact]
    public async Task Production_multi_router_routes_reach_gobgp_as_planned()
    {
        int frrPort = FreePort.Tcp(IPAddress.Parse("127.0.0.61"));
        int primaryPort = LowPort(IPAddress.Parse("127.0.0.62"));
        int secondaryPort = LowPort(IPAddress.Parse("127.0.0.65"));
        // The four routers move to 127.0.0.62..65; GoBGP plays dc1-router-primary and dc2-router-secondary.
        // bgpd without zebra has no interface to take a router ID from, so the peers set one.
        string yaml = string.Concat(Directory.GetFiles(Example("production"), "*.yaml").Order().Select(f => File.ReadAllText(f) + "\n---\n"))
            .Replace("peerAddress: 192.168.1.1", $"peerAddress: 127.0.0.62\n  peerPort: {primaryPort}\n  sourceAddress: 127.0.0.61\n  routerID: 127.0.0.61")
            .Replace("peerAddress: 192.168.1.2", $"peerAddress: 127.0.0.63\n  peerPort: {primaryPort}\n  sourceAddress: 127.0.0.61\n  routerID: 127.0.0.61")
            .Replace("peerAddress: 192.168.2.1", $"peerAddress: 127.0.0.64\n  peerPort: {primaryPort}\n  sourceAddress: 127.0.0.61\n  routerID: 127.0.0.61")
            .Replace("peerAddress: 192.168.2.2", $"peerAddress: 127.0.0.65\n  peerPort: {secondaryPort}\n  sourceAddress: 127.0.0.61\n  routerID: 127.0.0.61");
        var plan = MetalLbPlanner.Plan(ManifestSet.Parse(yaml, "production"), new PlanOptions { Node = "worker-1" });
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var node = plan.Nodes.Single();

        await using var frr = await FrrBgpd.StartAsync(FrrConfigRenderer.Render(node, Loopback), frrPort, "127.0.0.61");
        await using var primary = await GoBgpDaemon.StartAsync(GoBgp(64512, "127.0.0.62", primaryPort, "127.0.0.61", 64513, frrPort, "dc1-md5-key", v6: false), "127.0.0.62");
        await using var secondary = await GoBgpDaemon.StartAsync(GoBgp(64512, "127.0.0.65", secondaryPort, "127.0.0.61", 64513, frrPort, "dc2-md5-key", v6: false), "127.0.0.65");

        await AssertReceivedAsync(primary, node, "dc1-router-primary", ibgp: false, v6: false);
        await AssertReceivedAsync(secondary, node, "dc2-router-secondary", ibgp: false, v6: false);
    }

    [Fact]
    public async Task Dual_stack_ibgp_routes_reach_gobgp_with_local_pref_and_large_communities()
    {
        int frrPort = FreePort.Tcp(IPAddress.Parse("127.0.0.71"));
        int peerPort = LowPort(IPAddress.Parse("127.0.0.72"));
        string yaml = File.ReadAllText(Path.Combine(Example("dual-stack"), "metallb.yaml"))
            // dualStackAddressFamily: both families over the IPv4 session (MP-BGP); without it MetalLB sends tor-v4 IPv4 only.
            .Replace("peerAddress: 10.0.20.1", $"peerAddress: 127.0.0.72\n  peerPort: {peerPort}\n  sourceAddress: 127.0.0.71\n  routerID: 127.0.0.71\n  dualStackAddressFamily: true")
            .Replace("peerAddress: 2620:52:0:88::104", $"peerAddress: 127.0.0.73\n  peerPort: {peerPort}\n  sourceAddress: 127.0.0.71\n  routerID: 127.0.0.71");
        var plan = MetalLbPlanner.Plan(ManifestSet.Parse(yaml, "dual-stack"), new PlanOptions { Node = "worker-1" });
        Assert.True(plan.Valid, string.Join("\n", plan.Errors));
        var node = plan.Nodes.Single();
        Assert.Contains(node.Announcements, a => a.Peer == "tor-v4" && a.Prefix.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);

        await using var frr = await FrrBgpd.StartAsync(FrrConfigRenderer.Render(node, Loopback), frrPort, "127.0.0.71");
        await using var tor = await GoBgpDaemon.StartAsync(GoBgp(64500, "127.0.0.72", peerPort, "127.0.0.71", 64500, frrPort, null, v6: true), "127.0.0.72");

        await AssertReceivedAsync(tor, node, "tor-v4", ibgp: true, v6: true);
    }

    /// <summary>A free port that BGPPeer.peerPort accepts (1..16384; FreePort hands out ephemeral ones).</summary>
    private static int LowPort(IPAddress address)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(10_000, 16_385);
            try
            {
                var listener = new System.Net.Sockets.TcpListener(address, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }
        throw new InvalidOperationException("no free port below 16385");
    }

    private static string GoBgp(long asn, string address, int port, string neighbor, long neighborAs, int neighborPort, string? password, bool v6) => $"""
        [global.config]
          as = {asn}
          router-id = "{address}"
          port = {port}
          local-address-list = ["{address}"]
        [[neighbors]]
          [neighbors.config]
            neighbor-address = "{neighbor}"
            peer-as = {neighborAs}
            {(password is null ? "" : $"auth-password = \"{password}\"")}
          [neighbors.transport.config]
            local-address = "{address}"
            remote-port = {neighborPort}
          [[neighbors.afi-safis]]
            [neighbors.afi-safis.config]
              afi-safi-name = "ipv4-unicast"
          {(v6 ? "[[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"ipv6-unicast\"" : "")}
        """;

    private static async Task AssertReceivedAsync(GoBgpDaemon gobgp, NodePlan node, string peer, bool ibgp, bool v6)
    {
        var expected = node.Announcements.Where(a => a.Peer == peer)
            .Select(a => Describe(a.Prefix.ToString(), ibgp ? a.LocalPref : null, a.Communities, a.LargeCommunities))
            .Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        List<string> actual = [];
        try
        {
            await Poll.UntilAsync(() =>
            {
                actual = Received(gobgp, "ipv4", ibgp).Concat(v6 ? Received(gobgp, "ipv6", ibgp) : []).Order(StringComparer.Ordinal).ToList();
                return actual.SequenceEqual(expected);
            }, $"GoBGP to receive {peer}'s planned routes", TimeSpan.FromSeconds(40));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Assert.Fail($"{peer}: expected\n{string.Join("\n", expected)}\nreceived\n{string.Join("\n", actual)}\nstate {gobgp.NeighborState(GoBgpNeighbor(gobgp))}");
        }
        Assert.Equal(expected, actual);
    }

    private static string GoBgpNeighbor(GoBgpDaemon gobgp) => gobgp.GobgpJson("neighbor").AsArray()[0]?["state"]?["neighbor_address"]?.ToString() ?? "";

    private static IEnumerable<string> Received(GoBgpDaemon gobgp, string family, bool ibgp)
    {
        var neighbor = GoBgpNeighbor(gobgp);
        if (neighbor.Length == 0)
        {
            return [];
        }
        var routes = gobgp.GobgpJson("neighbor", neighbor, "adj-in", "-a", family);
        var result = new List<string>();
        foreach (var (prefix, paths) in routes.AsObject())
        {
            var path = paths!.AsArray()[0]!;
            uint? localPref = null;
            var communities = new List<string>();
            var large = new List<string>();
            foreach (var attribute in path["attrs"]!.AsArray())
            {
                switch (attribute!["type"]!.GetValue<int>())
                {
                    case 5:
                        localPref = attribute["value"]!.GetValue<uint>();
                        break;
                    case 8:
                        communities.AddRange(attribute["communities"]!.AsArray().Select(c => $"{c!.GetValue<uint>() >> 16}:{c.GetValue<uint>() & 0xFFFF}"));
                        break;
                    case 32:
                        // gobgp -j prints its native attribute: {"ASN", "LocalData1", "LocalData2"}.
                        large.AddRange(attribute["value"]!.AsArray().Select(l => $"{l!["ASN"] ?? l["global_admin"]}:{l["LocalData1"] ?? l["local_data1"]}:{l["LocalData2"] ?? l["local_data2"]}"));
                        break;
                }
            }
            result.Add(Describe(prefix, ibgp ? localPref : null, communities, large));
        }
        return result;
    }

    private static string Describe(string prefix, uint? localPref, IEnumerable<string> communities, IEnumerable<string> large) =>
        $"{prefix} lp={localPref?.ToString() ?? "-"} c=[{string.Join(" ", communities.Order(StringComparer.Ordinal))}] lc=[{string.Join(" ", large.Order(StringComparer.Ordinal))}]";
}
