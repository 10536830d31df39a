using BgpKit.Cli.Show;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.BgpKit.Cli.Tests.Show;

public sealed class TablesTests
{
    private static readonly BgpPeerSummary Up = new("dc1-router-primary", "127.0.0.2", 179, 64512, 64513, "Established", 3723, 3, 1, 12, 11, null);
    private static readonly BgpPeerSummary Down = new("dc2-router-primary", "127.0.0.3", 1790, 64512, 64513, "Active", 0, 0, 0, 0, 0, "connection refused");

    [Fact]
    public void Summary_is_shaped_like_vtysh()
    {
        var text = BgpTables.Summary(new BgpSummaryView("node-1", "10.0.0.1", 64513, [Up, Down]));
        Assert.Equal(
            "BGP router identifier 10.0.0.1, local AS number 64513, node node-1\n" +
            "Peers 2\n" +
            "\n" +
            "Neighbor                 V         AS   MsgRcvd   MsgSent  Up/Down State/PfxRcd   PfxSnt Desc\n" +
            "127.0.0.2                4      64512        11        12 01:02:03            1        3 dc1-router-primary\n" +
            "127.0.0.3:1790           4      64512         0         0    never       Active        0 dc2-router-primary\n" +
            "\n" +
            "Total number of neighbors 2\n",
            text);
    }

    [Theory]
    [InlineData(0, "00:00:00")]
    [InlineData(86399, "23:59:59")]
    [InlineData(86400 + 3600 * 2 + 60 * 3, "1d02h03m")]
    [InlineData(86400 * 15 + 3600 * 4, "02w1d04h")]
    public void Uptime_follows_frr(long seconds, string expected) => Assert.Equal(expected, Uptime.Format(seconds));

    [Fact]
    public void Bfd_brief_is_shaped_like_vtysh()
    {
        var view = new BfdPeersView([new BfdPeerStatus("127.0.0.2", "127.0.0.1", "Up", "Up", 7, 9, 300, 300, 3, 900, 62, 1)]);
        var lines = BfdTables.Brief(view).Split('\n');
        Assert.Equal("Session count: 1", lines[0]);
        Assert.StartsWith("SessionId  LocalAddress", lines[1]);
        Assert.Equal("7          127.0.0.1                                127.0.0.2                                up        ", lines[3]);
    }

    [Fact]
    public void Bfd_peers_shows_timers_and_uptime_in_words()
    {
        var view = new BfdPeersView([new BfdPeerStatus("127.0.0.2", "127.0.0.1", "Up", "Up", 7, 9, 300, 300, 3, 900, 62, 1)]);
        var text = BfdTables.Peers(view);
        Assert.Contains("\tpeer 127.0.0.2 local-address 127.0.0.1\n", text);
        Assert.Contains("\t\tUptime: 1 minute(s), 2 second(s)\n", text);
        Assert.Contains("\t\t\tDetection time: 900ms\n", text);
    }

    [Fact]
    public void Config_shows_refused_change_beside_the_configuration_in_force()
    {
        var view = new ConfigView("node-1",
            new AppliedConfigView(3, "2026-01-01T00:00:00.000Z", "/etc/metallb",
                [new SessionView("r1", "127.0.0.2", 179, 64513, 64512, null, 90, 30, null, null, false, "fast", true)],
                [new AnnouncementView("r1", "10.100.0.1/32", null, ["64512:1100", "no-export"], [])],
                [new ServiceView("default", "web", ["10.100.0.1"], "production-pool", true, "advertised by dc1-primary-advertisement")]),
            new ConfigChangeView("2026-01-01T00:01:00.000Z", false,
                [new ConfigProblemView("/etc/metallb/peers.yaml", 12, "BGPPeer", "r1", "spec.holdTime", "holdTime 1s is below 3s")], [], []));

        var text = ConfigTables.Config(view);

        Assert.Contains("Configuration in force: generation 3", text);
        Assert.Contains("  r1                       10.100.0.1/32                 - 64512:1100 no-export\n", text);
        Assert.Contains("  default/web 10.100.0.1 from production-pool: announced (advertised by dc1-primary-advertisement)\n", text);
        Assert.Contains("INVALID, not applied", text);
        Assert.Contains("  error: /etc/metallb/peers.yaml:12: BGPPeer r1 spec.holdTime: holdTime 1s is below 3s\n", text);
    }

    [Fact]
    public void Routes_group_by_peer_and_direction()
    {
        var text = BgpTables.Routes([
            new BgpRouteView("r1", "10.100.0.1/32", "sent", "127.0.0.1", 200, null, "64513", ["64512:1100"], []),
        ]);
        Assert.Equal(
            "Routes advertised to r1:\n" +
            "   Network              Next Hop           Metric LocPrf Path / Communities\n" +
            "*> 10.100.0.1/32        127.0.0.1" + new string(' ', 20) + "200 64513 i  64512:1100\n" +
            "\n" +
            "Displayed 1 routes\n\n",
            text);
    }

    [Fact]
    public void Sent_route_without_a_connection_shows_no_next_hop_rather_than_0_0_0_0()
    {
        var text = BgpTables.Routes([new BgpRouteView("r1", "10.100.0.1/32", "sent", "", null, null, "64513", [], [])]);
        Assert.Contains("*> 10.100.0.1/32        -" + new string(' ', 18), text);
        Assert.DoesNotContain("0.0.0.0", text);
    }
}
