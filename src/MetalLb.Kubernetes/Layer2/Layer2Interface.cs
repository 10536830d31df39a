using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>
/// A network interface layer 2 mode may answer on, as MetalLB's announcer picks them: administratively
/// up, not enslaved to a bridge or bond (no <c>master</c>), not NOARP; ARP where the interface
/// broadcasts, NDP where it has an IPv6 link-local address. Loopback never qualifies (no broadcast, no
/// link-local); dummy devices (NOARP) neither.
/// </summary>
internal sealed record Layer2Interface(string Name, int Index, PhysicalAddress Mac, bool Arp, IPAddress? LinkLocal)
{
    private const int IffUp = 0x1;
    private const int IffBroadcast = 0x2;
    private const int IffLoopback = 0x8;
    private const int IffNoArp = 0x80;

    public bool Ndp => LinkLocal is not null;

    /// <summary>The interfaces of this network namespace that qualify, by name.</summary>
    public static IReadOnlyList<Layer2Interface> Scan(string sysClassNet = "/sys/class/net")
    {
        var found = new List<Layer2Interface>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var dir = Path.Combine(sysClassNet, nic.Name);
            if (!TryReadInt(Path.Combine(dir, "flags"), out int flags) || !TryReadInt(Path.Combine(dir, "ifindex"), out int index))
            {
                continue;
            }
            if ((flags & IffUp) == 0 || (flags & IffNoArp) != 0 || (flags & IffLoopback) != 0 || Path.Exists(Path.Combine(dir, "master")))
            {
                continue;
            }
            var mac = nic.GetPhysicalAddress();
            if (mac.GetAddressBytes().Length != 6)
            {
                continue;
            }
            var linkLocal = nic.GetIPProperties().UnicastAddresses.Select(u => u.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv6LinkLocal);
            bool arp = (flags & IffBroadcast) != 0;
            if (arp || linkLocal is not null)
            {
                found.Add(new Layer2Interface(nic.Name, index, mac, arp, linkLocal is null ? null : new IPAddress(linkLocal.GetAddressBytes())));
            }
        }
        return found.OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
    }

    private static bool TryReadInt(string path, out int value)
    {
        value = 0;
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.StartsWith("0x", StringComparison.Ordinal)
                ? int.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
                : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
