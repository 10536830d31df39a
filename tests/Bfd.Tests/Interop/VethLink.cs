using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>
/// A network namespace for a daemon, joined to ours by a veth pair with an IPv4 /30 (from <see cref="NetNamespace"/>)
/// and an IPv6 ULA /64 on each end (added without duplicate address detection, so they are usable at once).
/// Our endpoint binds the outer addresses; the daemon, inside the namespace, the inner ones.
/// </summary>
internal sealed class VethLink : IDisposable
{
    private VethLink(NetNamespace ns, IPAddress outer6, IPAddress inner6)
    {
        Namespace = ns;
        Outer6 = outer6;
        Inner6 = inner6;
    }

    public NetNamespace Namespace { get; }

    public string Name => Namespace.Name;

    /// <summary>Our IPv4 address (10.251.N.1).</summary>
    public IPAddress Outer => Namespace.OuterAddress;

    /// <summary>The daemon's IPv4 address (10.251.N.2).</summary>
    public IPAddress Inner => Namespace.InnerAddress;

    /// <summary>Our IPv6 address (fd00:bf:N::1).</summary>
    public IPAddress Outer6 { get; }

    /// <summary>The daemon's IPv6 address (fd00:bf:N::2).</summary>
    public IPAddress Inner6 { get; }

    public static VethLink Create(string prefix)
    {
        var ns = NetNamespace.Create(prefix);
        try
        {
            var net = $"fd00:bf:{Guid.NewGuid().ToString("N")[..4]}";
            var outer6 = IPAddress.Parse(net + "::1");
            var inner6 = IPAddress.Parse(net + "::2");
            PeerDaemon.Run("ip", "-6", "addr", "add", $"{outer6}/64", "dev", ns.OuterDevice, "nodad");
            ns.Exec("ip", "-6", "addr", "add", $"{inner6}/64", "dev", ns.InnerDevice, "nodad");
            return new VethLink(ns, outer6, inner6);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    public void Dispose() => Namespace.Dispose();
}
