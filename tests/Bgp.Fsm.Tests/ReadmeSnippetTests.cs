using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests;

/// <summary>The README's snippet, compiled and run against FRR (only addresses and ports differ).</summary>
[Trait("Category", "Interop")]
public class ReadmeSnippetTests
{
    [Fact]
    public async Task The_README_snippet_holds_a_session_to_FRR_and_announces_a_route()
    {
        var ourPort = FreePort.Tcp(IPAddress.Loopback);
        var frrPort = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
        await using var bgpd = await FrrBgpd.StartAsync(FrrBgpd.Config(65002, "127.0.0.2", "127.0.0.1", 65001, ourPort), frrPort);

        // --- README snippet (addresses and ports for loopback) ---
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions
        {
            LocalAs = 65001,
            RouterId = IPAddress.Parse("127.0.0.1"),
            ListenAddress = IPAddress.Loopback, ListenPort = ourPort,
        });
        await speaker.StartAsync();
        var frr = IPAddress.Parse("127.0.0.2");
        await speaker.AddPeerAsync(new BgpPeerOptions { Address = frr, RemoteAs = 65002, Transport = new() { RemotePort = frrPort, LocalAddress = IPAddress.Loopback } });
        await speaker.AnnounceAsync(Prefix.Parse("198.51.100.0/24"),
            new PathAttributes { Communities = [new Community(65001, 100)] });
        await speaker.WaitForStateAsync(frr, SessionState.Established).WaitAsync(TimeSpan.FromSeconds(60));
        // --- end of snippet ---

        await Poll.UntilAsync(() => bgpd.ShowJson("show bgp ipv4 unicast json")["routes"]?["198.51.100.0/24"] is not null, "FRR has 198.51.100.0/24");
    }
}
