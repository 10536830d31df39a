using System.Net;
using BgpKit.MetalLb.Kubernetes.Reconcile;

namespace BgpKit.MetalLb.Kubernetes.Tests.Reconcile;

/// <summary>Small builders for intents in tests.</summary>
internal static class Intents
{
    public static PeerIntent Peer(string name, string address = "127.0.0.2", uint peerAsn = 64512, string? password = null, BfdIntent? bfd = null) => new()
    {
        Name = name,
        Address = IPAddress.Parse(address),
        MyAsn = 64513,
        PeerAsn = peerAsn,
        Password = password,
        Bfd = bfd,
    };

    public static RouteIntent Route(string peer, string prefix, uint? localPref = null, params uint[] communities) =>
        new(peer, IPNetwork.Parse(prefix), localPref, communities, []);

    public static uint Community(ushort high, ushort low) => ((uint)high << 16) | low;
}
