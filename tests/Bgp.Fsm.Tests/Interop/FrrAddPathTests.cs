using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>
/// ADD-PATH receive (RFC 7911) from FRR bgpd 8.4 with <c>addpath-tx-all-paths</c>: FRR learns one prefix from two
/// origin speakers of ours (AS 65003 on 127.0.0.3, AS 65004 on 127.0.0.4) and sends both paths to us (127.0.0.1).
/// </summary>
[Trait("Category", "Interop")]
public class FrrAddPathTests
{
    private static readonly Prefix Shared = Prefix.Parse("12.0.1.0/24");

    private static async Task<BgpSpeaker> OriginAsync(string address, uint asn, int port, int frrPort)
    {
        var local = IPAddress.Parse(address);
        var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = asn, RouterId = local, ListenAddress = local, ListenPort = port });
        await speaker.StartAsync();
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = OurSide.Them,
            RemoteAs = 65002,
            IdleHoldTime = TimeSpan.FromMilliseconds(300),
            Families = [AfiSafi.IPv4Unicast],
            Transport = new TransportOptions { RemotePort = frrPort, LocalAddress = local, ConnectRetryTime = TimeSpan.FromSeconds(2), Ttl = 64 },
        });
        await speaker.AnnounceAsync(Shared, new PathAttributes { Communities = [new Community((ushort)asn, 1)] });
        return speaker;
    }

    [Fact]
    public async Task FRR_sends_two_paths_for_one_prefix_and_withdraws_one()
    {
        await using var us = await OurSide.StartAsync(65001);
        var frrPort = FreePort.Tcp(OurSide.Them);
        var port3 = FreePort.Tcp(IPAddress.Parse("127.0.0.3"));
        var port4 = FreePort.Tcp(IPAddress.Parse("127.0.0.4"));
        var origins = string.Concat(new[] { ("127.0.0.3", 65003, port3), ("127.0.0.4", 65004, port4) }.Select(o => $"""
             neighbor {o.Item1} remote-as {o.Item2}
             neighbor {o.Item1} port {o.Item3}
             neighbor {o.Item1} update-source 127.0.0.2

            """));
        await using var frr = await FrrBgpd.StartAsync(FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, us.Port,
            extra: origins, ipv4: "  neighbor 127.0.0.1 addpath-tx-all-paths"), frrPort);
        await using var origin3 = await OriginAsync("127.0.0.3", 65003, port3, frrPort);
        await using var origin4 = await OriginAsync("127.0.0.4", 65004, port4, frrPort);
        await us.AddPeerAsync(65002, frrPort, p => p with { KeepAdjRibIn = true, AddPathReceive = true, Families = [AfiSafi.IPv4Unicast] });
        await us.EstablishedAsync();
        Assert.Contains(us.Status.Capabilities, c => c.Contains("add-path", StringComparison.OrdinalIgnoreCase));

        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count(r => r.Prefix == Shared) == 2, "both of FRR's paths for 12.0.1.0/24");
        var paths = us.Speaker.GetReceivedRoutes(OurSide.Them).Where(r => r.Prefix == Shared).ToList();
        Assert.All(paths, r => Assert.NotNull(r.PathId));
        Assert.NotEqual(paths[0].PathId, paths[1].PathId);
        Assert.Equal(["65002 65003", "65002 65004"], paths.Select(r => r.Attributes!.AsPath!.ToString()).Order());

        await origin3.WithdrawAsync(Shared);
        await Poll.UntilAsync(() => us.Speaker.GetReceivedRoutes(OurSide.Them).Count(r => r.Prefix == Shared) == 1, "the AS 65003 path withdrawn");
        var left = us.Speaker.GetReceivedRoutes(OurSide.Them).Single(r => r.Prefix == Shared);
        Assert.Equal("65002 65004", left.Attributes!.AsPath!.ToString());
    }
}
