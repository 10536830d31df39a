using System.Net;
using System.Runtime.InteropServices;

namespace BgpKit.TestSupport;

/// <summary>
/// Two network namespaces joined by a veth pair, one IPv4 /30 address on each end, both with IPv4
/// forwarding on (so each side's kernel routes the other's echo packets back, RFC 5881 section 4),
/// <c>accept_local</c> (a returning echo packet carries our own address as its source), no reverse-path
/// filter and no ICMP redirects. Code of the test process runs inside one of them with <see cref="Run{T}"/>:
/// sockets belong to the namespace of the thread that creates them. Removed in <see cref="Dispose"/>.
/// </summary>
public sealed class NetNamespacePair : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private bool _disposed;

    private NetNamespacePair(string nameA, string nameB, string deviceA, string deviceB, IPAddress addressA, IPAddress addressB)
    {
        NameA = nameA;
        NameB = nameB;
        DeviceA = deviceA;
        DeviceB = deviceB;
        AddressA = addressA;
        AddressB = addressB;
    }

    /// <summary>First namespace.</summary>
    public string NameA { get; }

    /// <summary>Second namespace.</summary>
    public string NameB { get; }

    /// <summary>The veth end in <see cref="NameA"/>.</summary>
    public string DeviceA { get; }

    /// <summary>The veth end in <see cref="NameB"/>.</summary>
    public string DeviceB { get; }

    /// <summary>Address of <see cref="DeviceA"/> (10.252.N.1).</summary>
    public IPAddress AddressA { get; }

    /// <summary>Address of <see cref="DeviceB"/> (10.252.N.2).</summary>
    public IPAddress AddressB { get; }

    /// <summary>Creates both namespaces and the veth pair between them.</summary>
    public static NetNamespacePair Create(string prefix = "bgpkit")
    {
        var id = Random.Shared.Next(1, 250);
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var pair = new NetNamespacePair($"{prefix}-{suffix}-a", $"{prefix}-{suffix}-b", $"bk{suffix}a", $"bk{suffix}b",
            IPAddress.Parse($"10.252.{id}.1"), IPAddress.Parse($"10.252.{id}.2"));
        try
        {
            Ip("netns", "add", pair.NameA);
            Ip("netns", "add", pair.NameB);
            Ip("link", "add", pair.DeviceA, "netns", pair.NameA, "type", "veth", "peer", "name", pair.DeviceB, "netns", pair.NameB);
            pair.Configure(pair.NameA, pair.DeviceA, pair.AddressA);
            pair.Configure(pair.NameB, pair.DeviceB, pair.AddressB);
        }
        catch
        {
            pair.Dispose();
            throw;
        }
        return pair;
    }

    private void Configure(string ns, string device, IPAddress address)
    {
        Ip("-n", ns, "addr", "add", $"{address}/30", "dev", device);
        Ip("-n", ns, "link", "set", device, "up");
        Ip("-n", ns, "link", "set", "lo", "up");
        Exec(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.all.send_redirects=0",
            $"net.ipv4.conf.{device}.rp_filter=0", $"net.ipv4.conf.{device}.send_redirects=0", $"net.ipv4.conf.{device}.accept_local=1");
    }

    /// <summary>Runs a command inside namespace <paramref name="ns"/> and returns its output.</summary>
    public static string Exec(string ns, params string[] command) => FrrBfdd.Run("ip", new[] { "netns", "exec", ns }.Concat(command).ToArray());

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread that has joined namespace <paramref name="ns"/>; sockets
    /// (and threads) it creates stay in that namespace after it returns.
    /// </summary>
    public static T Run<T>(string ns, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}");
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"in namespace {ns}: {failure.Message}", failure);
        }
        return result;
    }

    /// <summary>Deletes both namespaces (which deletes the veth pair).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var ns in new[] { NameA, NameB })
        {
            try
            {
                Ip("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private static void Ip(params string[] args) => FrrBfdd.Run("ip", args);

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
