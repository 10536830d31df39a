using System.Net;
using BgpKit.MetalLb.Kubernetes.Layer2;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>Hand-built Ethernet frames for the layer 2 harness (our MAC is 02:00:00:00:00:01, the asker's 02:00:00:00:00:02).</summary>
internal static partial class SyntheticSeeds
{
    private const string Asker = "020000000002";

    public static IEnumerable<byte[]> Layer2Frames()
    {
        // ARP requests (RFC 826): who has 192.0.2.1 (owned anywhere), 192.0.2.2 (owned on eth1 only), 192.0.2.9 (not owned).
        foreach (var target in (string[])["c0000201", "c0000202", "c0000209"])
        {
            yield return FromHex("ffffffffffff" + Asker + "0806" + "0001" + "0800" + "06" + "04" + "0001" + Asker + "c0000214" + "000000000000" + target);
        }
        // An ARP reply (not a request), and a VLAN-tagged ARP request (other protocol).
        yield return FromHex(Asker + "020000000003" + "0806" + "0001080006040002" + "020000000003c0000203" + Asker + "c0000214");
        yield return FromHex("ffffffffffff" + Asker + "8100" + "0064" + "0806" + "0001080006040001" + Asker + "c0000214" + "000000000000c0000201");
        // Neighbor Solicitations (RFC 4861 section 4.3) with a Source Link-Layer Address option.
        yield return Solicitation("fe80::2", "2001:db8::1", "0101" + Asker);
        yield return Solicitation("fe80::2", "2001:db8::2", "0101" + Asker);
        yield return Solicitation("fe80::2", "2001:db8::9", "0101" + Asker);
        // Duplicate address detection: from the unspecified address, no option; and one with a nonce option (type 14).
        yield return Solicitation("::", "2001:db8::1", "");
        yield return Solicitation("fe80::2", "2001:db8::1", "0e01" + "010203040506" + "0101" + Asker);
        // Our own gratuitous ARP and unsolicited advertisement, as another speaker would send them.
        var frame = new byte[Layer2FrameWriter.AdvertisementFrameLength];
        byte[] mac = [0x02, 0, 0, 0, 0, 0x03];
        yield return frame[..Layer2FrameWriter.GratuitousArp(frame, mac, IPAddress.Parse("192.0.2.1"), reply: false)];
        yield return frame[..Layer2FrameWriter.UnsolicitedAdvertisement(frame, mac, IPAddress.Parse("2001:db8::1"))];
    }

    /// <summary>A solicitation from <paramref name="source"/> for <paramref name="target"/> to its solicited-node group, checksum set.</summary>
    private static byte[] Solicitation(string source, string target, string optionsHex)
    {
        var from = IPAddress.Parse(source).GetAddressBytes();
        var group = Layer2FrameWriter.SolicitedNode(IPAddress.Parse(target)).GetAddressBytes();
        var options = FromHex(optionsHex);
        var icmp = new byte[24 + options.Length];
        icmp[0] = Layer2Frame.NeighborSolicitationType;
        IPAddress.Parse(target).GetAddressBytes().CopyTo(icmp, 8);
        options.CopyTo(icmp, 24);
        var checksum = Layer2Frame.Checksum(from, group, icmp);
        icmp[2] = (byte)(checksum >> 8);
        icmp[3] = (byte)checksum;
        byte[] ethernet = [0x33, 0x33, .. group[12..], .. FromHex(Asker + "86dd")];
        byte[] ip = [0x60, 0, 0, 0, (byte)(icmp.Length >> 8), (byte)icmp.Length, Layer2Frame.Icmpv6, 255, .. from, .. group];
        return [.. ethernet, .. ip, .. icmp];
    }
}
