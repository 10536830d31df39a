using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Interop;

/// <summary>Our side of an interop test: a speaker on 127.0.0.1 with a free port, one peer at 127.0.0.2.</summary>
internal sealed class OurSide : IAsyncDisposable
{
    public static readonly IPAddress Us = IPAddress.Parse("127.0.0.1");
    public static readonly IPAddress Them = IPAddress.Parse("127.0.0.2");

    private OurSide(BgpSpeaker speaker, int port)
    {
        Speaker = speaker;
        Port = port;
    }

    public BgpSpeaker Speaker { get; }

    /// <summary>Our listening port (the daemon connects here).</summary>
    public int Port { get; }

    public PeerStatus Status => Speaker.GetStatus(Them);

    public static async Task<OurSide> StartAsync(uint localAs)
    {
        var port = FreePort.Tcp(Us);
        var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = localAs, RouterId = Us, ListenAddress = Us, ListenPort = port });
        await speaker.StartAsync();
        return new OurSide(speaker, port);
    }

    public Task AddPeerAsync(uint remoteAs, int remotePort, Func<BgpPeerOptions, BgpPeerOptions>? tweak = null)
    {
        var peer = new BgpPeerOptions
        {
            Address = Them,
            RemoteAs = remoteAs,
            HoldTime = TimeSpan.FromSeconds(30),
            IdleHoldTime = TimeSpan.FromMilliseconds(300),
            IdleHoldTimeMax = TimeSpan.FromSeconds(2),
            Families = [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast],
            Transport = new TransportOptions { RemotePort = remotePort, LocalAddress = Us, ConnectRetryTime = TimeSpan.FromSeconds(2), Ttl = 64 },
        };
        return Speaker.AddPeerAsync(tweak is null ? peer : tweak(peer));
    }

    public Task EstablishedAsync(TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => Status.State == SessionState.Established, "our session to Established", timeout ?? TimeSpan.FromSeconds(40));

    public ValueTask DisposeAsync() => Speaker.DisposeAsync();
}
