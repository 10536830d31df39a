using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Each launcher starts its daemon on loopback, answers its CLI and stops cleanly.</summary>
[Trait("Category", "Interop")]
public class DaemonLauncherTests
{
    [Fact]
    public async Task Frr_bgpd_starts_and_answers_vtysh()
    {
        var port = FreePort.Tcp();
        await using var frr = await FrrBgpd.StartAsync(FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, FreePort.Tcp()), port);
        Assert.Contains(frr.NeighborState("127.0.0.1"), new[] { "Idle", "Connect", "Active" });
        var pid = frr.Pid;
        await frr.DisposeAsync();
        Assert.False(Directory.Exists(frr.Directory));
        Assert.False(File.Exists($"/proc/{pid}/status"));
    }

    [Fact]
    public async Task Bird_starts_and_answers_birdc()
    {
        await using var bird = await BirdDaemon.StartAsync(BirdDaemon.Config(65002, "127.0.0.2", FreePort.Tcp(), "127.0.0.1", 65001, FreePort.Tcp()));
        Assert.NotEqual("", bird.BgpState());
        Assert.Equal(0, bird.RouteCount());
    }

    [Fact]
    public async Task GoBgp_starts_and_answers_gobgp()
    {
        await using var gobgp = await GoBgpDaemon.StartAsync(GoBgpDaemon.Config(65002, "127.0.0.2", FreePort.Tcp(), "127.0.0.1", 65001, FreePort.Tcp()));
        Assert.NotEqual("established", gobgp.NeighborState("127.0.0.1"));
    }

    [Fact]
    public async Task ExaBgp_starts_and_logs()
    {
        await using var exa = await ExaBgpDaemon.StartAsync(ExaBgpDaemon.Config(65002, "127.0.0.2", FreePort.Tcp(), "127.0.0.1", 65001, FreePort.Tcp(), "family { ipv4 unicast; }"));
        await Poll.UntilAsync(() => exa.ReadLog().Contains("127.0.0.1", StringComparison.Ordinal), "ExaBGP to log its neighbor");
    }
}
