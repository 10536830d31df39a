using System.Net;

namespace BgpKit.TestSupport;

/// <summary>
/// A network namespace joined to the test's own namespace by a veth pair, with one IPv4 /30 address on
/// each end. Created by the test and removed in <see cref="Dispose"/> (deleting the namespace deletes the pair).
/// </summary>
public sealed class NetNamespace : IDisposable
{
    private bool _disposed;

    private NetNamespace(string name, string outerDevice, string innerDevice, IPAddress outer, IPAddress inner)
    {
        Name = name;
        OuterDevice = outerDevice;
        InnerDevice = innerDevice;
        OuterAddress = outer;
        InnerAddress = inner;
    }

    /// <summary>True when we can create namespaces (root with iproute2).</summary>
    public static bool IsAvailable => File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip");

    /// <summary>The namespace's name (for <c>ip netns exec</c>).</summary>
    public string Name { get; }

    /// <summary>The veth end in the test's namespace.</summary>
    public string OuterDevice { get; }

    /// <summary>The veth end inside the namespace.</summary>
    public string InnerDevice { get; }

    /// <summary>Address of <see cref="OuterDevice"/>.</summary>
    public IPAddress OuterAddress { get; }

    /// <summary>Address of <see cref="InnerDevice"/>.</summary>
    public IPAddress InnerAddress { get; }

    /// <summary>Creates the namespace and the veth pair with addresses 10.251.N.1/30 (outer) and 10.251.N.2/30 (inner).</summary>
    public static NetNamespace Create(string prefix = "bgpkit")
    {
        var id = FreeSubnet();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var name = $"{prefix}-{suffix}";
        var outer = $"bk{suffix}o";
        var inner = $"bk{suffix}i";
        var outerAddress = IPAddress.Parse($"10.251.{id}.1");
        var innerAddress = IPAddress.Parse($"10.251.{id}.2");
        var ns = new NetNamespace(name, outer, inner, outerAddress, innerAddress) { _subnet = id };
        try
        {
            Ip("netns", "add", name);
            Ip("link", "add", outer, "type", "veth", "peer", "name", inner);
            Ip("link", "set", inner, "netns", name);
            Ip("addr", "add", $"{outerAddress}/30", "dev", outer);
            Ip("link", "set", outer, "up");
            Ip("netns", "exec", name, "ip", "addr", "add", $"{innerAddress}/30", "dev", inner);
            Ip("netns", "exec", name, "ip", "link", "set", inner, "up");
            Ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    /// <summary>Sets the outer end of the pair down (a link failure) or up.</summary>
    public void SetOuterLink(bool up) => Ip("link", "set", OuterDevice, up ? "up" : "down");

    /// <summary>Runs a command inside the namespace.</summary>
    public string Exec(params string[] command) => FrrBfdd.Run("ip", new[] { "netns", "exec", Name }.Concat(command).ToArray());

    /// <summary>Deletes the veth pair and the namespace.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        lock (Reserved)
        {
            Reserved.Remove(_subnet);
        }
        try
        {
            Ip("link", "del", OuterDevice);
        }
        catch (InvalidOperationException)
        {
        }
        try
        {
            Ip("netns", "del", Name);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void Ip(params string[] args) => FrrBfdd.Run("ip", args);

    // Test classes run in parallel: two pairs given the same 10.251.N.0/30 left two connected routes in this
    // namespace, and packets for one daemon went out of the other pair (a BIRD BFD test saw nothing we sent).
    private static readonly HashSet<int> Reserved = [];
    private int _subnet;

    /// <summary>A subnet number no pair of this process holds and no address in this namespace uses.</summary>
    private static int FreeSubnet()
    {
        var inUse = FrrBfdd.Run("ip", "-4", "-o", "addr", "show");
        lock (Reserved)
        {
            for (var attempt = 0; ; attempt++)
            {
                var id = Random.Shared.Next(1, 250);
                if (attempt < 500 && (Reserved.Contains(id) || inUse.Contains($" 10.251.{id}.", StringComparison.Ordinal)))
                {
                    continue;
                }
                Reserved.Add(id);
                return id;
            }
        }
    }
}
