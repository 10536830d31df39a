using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>Sessions against FRR bfdd 8.4 over loopback (INTEROP.md): bfdd on 127.0.0.1, we on 127.0.0.2.</summary>
[Trait("Category", "Interop")]
public sealed class BfddInteropTests
{
    private static BfdProfile Profile(int ms, byte multiplier = 3, bool passive = false) => new()
    {
        TransmitInterval = TimeSpan.FromMilliseconds(ms),
        ReceiveInterval = TimeSpan.FromMilliseconds(ms),
        DetectMultiplier = multiplier,
        PassiveMode = passive,
    };

    [Fact]
    public async Task Session_comes_up_with_default_timers()
    {
        using var bfdd = FrrBfdd.Start(Bfdd.PeerConfig());
        await using var endpoint = new BfdEndpoint();
        var session = endpoint.StartSession(new BfdSessionOptions(Bfdd.OurAddress, Bfdd.DaemonAddress) { Profile = Profile(300) });
        Assert.True(await Bfdd.WaitForState(session, BfdState.Up), bfdd.LogText());
        Assert.True(Bfdd.WaitFor(() => bfdd.PeerStatus(Bfdd.OurAddress.ToString()) == "up"), bfdd.Vtysh("show bfd peers"));
    }
}
