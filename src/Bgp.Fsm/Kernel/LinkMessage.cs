using System.Buffers.Binary;
using System.Text;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>
/// The rtnetlink link query that finds a VRF device's routing table (linux/if_link.h): RTM_GETLINK by name, and
/// the RTM_NEWLINK answer read down to IFLA_LINKINFO / IFLA_INFO_KIND "vrf" / IFLA_INFO_DATA / IFLA_VRF_TABLE.
/// <code>
/// nlmsghdr:   length (4) | type (2) | flags (2) | sequence (4) | port id (4)
/// ifinfomsg:  family (1) | pad (1) | type (2) | index (4) | flags (4) | change (4)
/// rtattrs:    IFLA_IFNAME 3 (string) | IFLA_LINKINFO 18 (nested: IFLA_INFO_KIND 1 string, IFLA_INFO_DATA 2 nested:
///             IFLA_VRF_TABLE 1 u32)
/// </code>
/// </summary>
internal static class LinkMessage
{
    public const ushort RtmNewLink = 16;
    public const ushort RtmGetLink = 18;
    private const int IfinfomsgLength = 16;
    private const ushort IflaIfname = 3;
    private const ushort IflaLinkinfo = 18;
    private const ushort IflaInfoKind = 1;
    private const ushort IflaInfoData = 2;
    private const ushort IflaVrfTable = 1;

    /// <summary>Writes RTM_GETLINK for the device named <paramref name="name"/> (IFNAMSIZ: at most 15 bytes).</summary>
    public static int WriteGetLink(Span<byte> buffer, uint sequence, string name)
    {
        var nameLength = Encoding.UTF8.GetByteCount(name) + 1;
        var at = RouteMessage.HeaderLength + IfinfomsgLength;
        var length = at + RouteMessage.Align(4 + nameLength);
        buffer[..length].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], RtmGetLink);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], RouteMessage.NlmFRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[at..], (ushort)(4 + nameLength));
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[(at + 2)..], IflaIfname);
        Encoding.UTF8.GetBytes(name, buffer[(at + 4)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)length);
        return length;
    }

    /// <summary>What the answer to <see cref="WriteGetLink"/> says.</summary>
    public enum Outcome
    {
        /// <summary>This buffer holds no answer to the request: read the next.</summary>
        NoAnswer,

        /// <summary>The device is a VRF; the table is set.</summary>
        Vrf,

        /// <summary>The device exists but is not a VRF (or carries no table).</summary>
        NotVrf,

        /// <summary>The kernel refused (ENODEV when there is no such device); the errno is set.</summary>
        Error,
    }

    /// <summary>Reads the answer to the RTM_GETLINK of <paramref name="sequence"/> from one buffer of replies.</summary>
    public static Outcome ReadVrfTable(ReadOnlySpan<byte> replies, uint sequence, out uint table, out int errno)
    {
        table = 0;
        errno = 0;
        foreach (var m in new RouteMessage.Messages(replies, sequence))
        {
            if (m.Type == RouteMessage.NlmsgError && m.Body.Length >= RouteMessage.HeaderLength + 4)
            {
                errno = -BinaryPrimitives.ReadInt32LittleEndian(m.Body[RouteMessage.HeaderLength..]);
                if (errno != 0)
                {
                    return Outcome.Error;
                }
                continue;
            }
            if (m.Type != RtmNewLink || m.Body.Length < RouteMessage.HeaderLength + IfinfomsgLength)
            {
                continue;
            }
            string? kind = null;
            uint? found = null;
            foreach (var a in new RouteMessage.Attributes(m.Body[(RouteMessage.HeaderLength + IfinfomsgLength)..]))
            {
                if (a.Type != IflaLinkinfo)
                {
                    continue;
                }
                foreach (var info in new RouteMessage.Attributes(a.Value))
                {
                    if (info.Type == IflaInfoKind)
                    {
                        var end = info.Value.IndexOf((byte)0);
                        kind = Encoding.UTF8.GetString(end < 0 ? info.Value : info.Value[..end]);
                    }
                    else if (info.Type == IflaInfoData)
                    {
                        foreach (var data in new RouteMessage.Attributes(info.Value))
                        {
                            if (data.Type == IflaVrfTable && data.Value.Length >= 4)
                            {
                                found = BinaryPrimitives.ReadUInt32LittleEndian(data.Value);
                            }
                        }
                    }
                }
            }
            if (kind == "vrf" && found is { } t)
            {
                table = t;
                return Outcome.Vrf;
            }
            return Outcome.NotVrf;
        }
        return Outcome.NoAnswer;
    }
}
