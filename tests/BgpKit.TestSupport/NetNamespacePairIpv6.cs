using System.Net;
using System.Text.RegularExpressions;

namespace BgpKit.TestSupport;

/// <summary>
/// IPv6 on a <see cref="NetNamespacePair"/>'s veth pair: one ULA address on each end (fd00:b6d:N::1/64 and
/// ::2/64, <c>nodad</c> so they are usable at once) and IPv6 forwarding on in both namespaces (each side's
/// kernel routes the other's echo packets back, RFC 5881 section 4). Nothing to undo: deleting the
/// namespaces removes it all.
/// </summary>
public static class NetNamespacePairIpv6
{
    /// <summary>Adds the ULA addresses and turns IPv6 forwarding on; returns the addresses of end A and end B.</summary>
    public static (IPAddress A, IPAddress B) AddIpv6(this NetNamespacePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var prefix = $"fd00:b6d:{Random.Shared.Next(1, 0xFFFF):x}";
        var a = IPAddress.Parse($"{prefix}::1");
        var b = IPAddress.Parse($"{prefix}::2");
        foreach (var (ns, device, address) in new[] { (pair.NameA, pair.DeviceA, a), (pair.NameB, pair.DeviceB, b) })
        {
            NetNamespacePair.Exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1", $"net.ipv6.conf.{device}.accept_dad=0");
            NetNamespacePair.Exec(ns, "ip", "addr", "add", $"{address}/64", "dev", device, "nodad");
        }
        return (a, b);
    }

    /// <summary>
    /// The link-local address of <paramref name="device"/> in <paramref name="ns"/> once the kernel has one
    /// that is not tentative, with its scope (the interface index) set; polls up to <paramref name="timeout"/>.
    /// </summary>
    public static async Task<IPAddress> LinkLocalAsync(string ns, string device, TimeSpan? timeout = null)
    {
        IPAddress? found = null;
        await Poll.UntilAsync(() =>
        {
            var text = NetNamespacePair.Exec(ns, "ip", "-6", "-o", "addr", "show", "dev", device, "scope", "link");
            var match = Regex.Match(text, @"^(\d+):.*inet6 (fe80:[0-9a-f:]+)/64(?!.*tentative)", RegexOptions.Multiline);
            if (!match.Success)
            {
                return false;
            }
            found = IPAddress.Parse(match.Groups[2].Value);
            found.ScopeId = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return true;
        }, $"a link-local address on {device}", timeout ?? TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        return found!;
    }
}
