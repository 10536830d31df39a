using System.Net;

namespace BgpKit.TestSupport;

/// <summary>
/// A small LAN made by the test: a Linux bridge in the test's own namespace with 10.253.N.1/24, and
/// network namespaces attached to it by veth pairs (10.253.N.2, .3, ...), so processes in every
/// namespace reach each other and the test process (a fake API server listening on all addresses)
/// on one subnet, as nodes, a router and the API server do in a cluster. Removed in <see cref="Dispose"/>.
/// </summary>
public sealed class NetBridge : IDisposable
{
    private readonly string _suffix;
    private readonly int _subnet;
    private readonly List<string> _namespaces = [];
    private bool _disposed;

    private NetBridge(string prefix, string suffix, int subnet)
    {
        Prefix = prefix;
        _suffix = suffix;
        _subnet = subnet;
        Device = $"bk{suffix}br";
        Address = IPAddress.Parse($"10.253.{subnet}.1");
    }

    /// <summary>The namespace name prefix.</summary>
    public string Prefix { get; }

    /// <summary>The bridge device in the test's namespace.</summary>
    public string Device { get; }

    /// <summary>The bridge's own address: how processes in the namespaces reach the test process.</summary>
    public IPAddress Address { get; }

    /// <summary>Creates the bridge with its address, up.</summary>
    public static NetBridge Create(string prefix = "bgpkit")
    {
        var bridge = new NetBridge(prefix, Guid.NewGuid().ToString("N")[..6], Random.Shared.Next(1, 250));
        try
        {
            Ip("link", "add", bridge.Device, "type", "bridge");
            Ip("addr", "add", $"{bridge.Address}/24", "dev", bridge.Device);
            Ip("link", "set", bridge.Device, "up");
        }
        catch
        {
            bridge.Dispose();
            throw;
        }
        return bridge;
    }

    /// <summary>
    /// Creates namespace <c>PREFIX-SUFFIX-<paramref name="role"/></c> joined to the bridge with address 10.253.N.<paramref name="host"/>/24
    /// (2..254) and returns its name.
    /// </summary>
    public (string Name, IPAddress Address) AddNamespace(string role, int host)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(host, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(host, 254);
        var name = $"{Prefix}-{_suffix}-{role}";
        var outer = $"bk{_suffix}{host:x2}o";
        var inner = $"bk{_suffix}{host:x2}i";
        var address = IPAddress.Parse($"10.253.{_subnet}.{host}");
        Ip("netns", "add", name);
        _namespaces.Add(name);
        Ip("link", "add", outer, "type", "veth", "peer", "name", inner, "netns", name);
        Ip("link", "set", outer, "master", Device);
        Ip("link", "set", outer, "up");
        Ip("-n", name, "addr", "add", $"{address}/24", "dev", inner);
        Ip("-n", name, "link", "set", inner, "up");
        Ip("-n", name, "link", "set", "lo", "up");
        return (name, address);
    }

    /// <summary>Deletes the namespaces (and with them the veth pairs) and the bridge.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var ns in _namespaces)
        {
            try
            {
                Ip("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
            }
        }
        try
        {
            Ip("link", "del", Device);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void Ip(params string[] args) => FrrBfdd.Run("ip", args);
}
