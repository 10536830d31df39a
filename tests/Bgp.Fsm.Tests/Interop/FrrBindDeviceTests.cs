using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>
/// <see cref="TransportOptions.BindDevice"/> (SO_BINDTODEVICE) against FRR bgpd 8.4 run in a namespace behind a veth
/// pair. FRR is passive, so only our own connection can bring the session up: through the right device (or VRF) it
/// does, through the wrong one the connect fails and nothing comes up.
/// </summary>
[Trait("Category", "Interop")]
public class FrrBindDeviceTests
{
    private const int FrrPort = 1790;

    private static async Task<(BgpSpeaker Speaker, FrrBgpdProcess Frr)> StartAsync(NetNamespace ns, string? bindDevice)
    {
        // Our listener stays on loopback: an address inside a VRF cannot be bound from the default VRF, and FRR is passive.
        var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("127.0.0.1"), ListenAddress = IPAddress.Loopback, ListenPort = FreePort.Tcp() });
        await speaker.StartAsync();
        var config = FrrBgpd.Config(65002, ns.InnerAddress.ToString(), ns.OuterAddress.ToString(), 65001, 179,
            extra: $" neighbor {ns.OuterAddress} passive", ipv4: "  network 12.0.1.0/24");
        var frr = await FrrBgpdProcess.StartAsync(config, FrrPort, ns.InnerAddress.ToString(), ns.Name);
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = ns.InnerAddress,
            RemoteAs = 65002,
            HoldTime = TimeSpan.FromSeconds(30),
            IdleHoldTime = TimeSpan.FromMilliseconds(300),
            IdleHoldTimeMax = TimeSpan.FromSeconds(2),
            KeepAdjRibIn = true,
            Transport = new TransportOptions { RemotePort = FrrPort, LocalAddress = ns.OuterAddress, BindDevice = bindDevice, ConnectRetryTime = TimeSpan.FromSeconds(3), ConnectTimeout = TimeSpan.FromSeconds(1) },
        });
        await speaker.AnnounceAsync(Prefix.Parse("11.0.0.1/32"), new PathAttributes());
        return (speaker, frr);
    }

    private static async Task ComesUpAsync(BgpSpeaker speaker, FrrBgpdProcess frr, NetNamespace ns)
    {
        await Poll.UntilAsync(() => speaker.GetStatus(ns.InnerAddress).State == SessionState.Established, "the session through the bound device", TimeSpan.FromSeconds(40));
        await Poll.UntilAsync(() => frr.PrefixesReceived(ns.OuterAddress.ToString()) == 1, "FRR has our route");
        await Poll.UntilAsync(() => speaker.GetReceivedRoutes(ns.InnerAddress).Any(r => r.Prefix == Prefix.Parse("12.0.1.0/24")), "we have FRR's route");
    }

    private static async Task StaysDownAsync(BgpSpeaker speaker, FrrBgpdProcess frr, NetNamespace ns)
    {
        // Bounded: wait for our connect to fail (unreachable, or SYNs lost on the wrong device until the 1 s connect timeout, shorter than ConnectRetryTime so that the failure is recorded).
        try
        {
            await Poll.UntilAsync(() => speaker.GetStatus(ns.InnerAddress).LastError?.StartsWith("connect failed", StringComparison.Ordinal) == true,
                "our connect through the wrong device to fail", TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "; " + speaker.GetStatus(ns.InnerAddress), e);
        }
        Assert.NotEqual(SessionState.Established, speaker.GetStatus(ns.InnerAddress).State);
        Assert.NotEqual("Established", frr.NeighborState(ns.OuterAddress.ToString()));
    }

    [Fact]
    public async Task The_session_comes_up_through_the_bound_device_and_not_through_another()
    {
        using var ns = NetNamespace.Create("bk-bind");
        var (speaker, frr) = await StartAsync(ns, ns.OuterDevice);
        await using (speaker)
        await using (frr)
        {
            await ComesUpAsync(speaker, frr, ns);
        }

        (speaker, frr) = await StartAsync(ns, "lo");
        await using (speaker)
        await using (frr)
        {
            await StaysDownAsync(speaker, frr, ns);
        }
    }

    [VrfFact]
    public async Task The_session_comes_up_through_the_VRF_it_is_bound_to_and_not_from_the_default_VRF()
    {
        using var ns = NetNamespace.Create("bk-vrf");
        using var vrf = VrfDevice.Create();
        vrf.Enslave(ns.OuterDevice);
        var (speaker, frr) = await StartAsync(ns, vrf.Name);
        await using (speaker)
        await using (frr)
        {
            await ComesUpAsync(speaker, frr, ns);
        }

        (speaker, frr) = await StartAsync(ns, null);
        await using (speaker)
        await using (frr)
        {
            await StaysDownAsync(speaker, frr, ns);
        }
    }
}

/// <summary>A fact skipped, with the reason, where the kernel cannot make VRF devices (no vrf driver).</summary>
public sealed class VrfFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="VrfDevice.Unsupported"/> says why.</summary>
    public VrfFactAttribute()
    {
        if (VrfDevice.Unsupported is { } reason)
        {
            Skip = reason;
        }
    }
}
