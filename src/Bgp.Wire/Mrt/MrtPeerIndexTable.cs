using System.Buffers.Binary;
using System.Net;

namespace BgpKit.Bgp.Wire.Mrt;

//  PEER_INDEX_TABLE (RFC 6396 4.3.1):
//  +-------------------------------+-----------------+--------------------+------------------+
//  | Collector BGP ID (4)          | View Name Length (2) | View Name (var) | Peer Count (2)   |
//  +-------------------------------+-----------------+--------------------+------------------+
//  then per peer: Peer Type (1) | Peer BGP ID (4) | Peer IP (4 or 16) | Peer AS (2 or 4)
//  Peer Type bit 0 (0x01): IPv6 address; bit 1 (0x02): 4-octet AS.

/// <summary>A peer of a TABLE_DUMP_V2 collector, as listed in its PEER_INDEX_TABLE.</summary>
/// <param name="BgpId">The peer's BGP identifier.</param>
/// <param name="Address">The peer's address.</param>
/// <param name="Asn">The peer's AS number.</param>
public sealed record MrtPeer(uint BgpId, IPAddress Address, uint Asn)
{
    /// <summary>The address as text, kept so that printing many RIB entries formats it once.</summary>
    public string AddressText { get; } = Address.ToString();
}

/// <summary>The TABLE_DUMP_V2 peer index table (RFC 6396 4.3.1) that RIB entries refer to.</summary>
/// <param name="CollectorBgpId">The collector's BGP identifier.</param>
/// <param name="ViewName">The optional view name (empty when absent).</param>
/// <param name="Peers">The peers in index order.</param>
public sealed record MrtPeerIndexTable(uint CollectorBgpId, string ViewName, IReadOnlyList<MrtPeer> Peers)
{
    /// <summary>Decodes a PEER_INDEX_TABLE body; null with <paramref name="problem"/> set when it is damaged.</summary>
    public static MrtPeerIndexTable? TryDecode(ReadOnlySpan<byte> body, out string? problem)
    {
        problem = null;
        if (body.Length < 6)
        {
            problem = "PEER_INDEX_TABLE shorter than its fixed fields";
            return null;
        }
        var collector = BinaryPrimitives.ReadUInt32BigEndian(body);
        int nameLength = BinaryPrimitives.ReadUInt16BigEndian(body[4..]);
        if (body.Length < 6 + nameLength + 2)
        {
            problem = "PEER_INDEX_TABLE view name runs past the record";
            return null;
        }
        var name = System.Text.Encoding.UTF8.GetString(body.Slice(6, nameLength));
        var rest = body[(6 + nameLength)..];
        int count = BinaryPrimitives.ReadUInt16BigEndian(rest);
        rest = rest[2..];
        // The smallest peer entry (IPv4, 2-octet AS) is 11 octets: a count the record cannot hold is damage,
        // found before reserving room for what the count claims.
        const int smallestPeer = 1 + 4 + 4 + 2;
        if (count > rest.Length / smallestPeer)
        {
            problem = $"PEER_INDEX_TABLE claims {count} peers, more than its {rest.Length} remaining octets can hold";
            return null;
        }
        var peers = new MrtPeer[count];
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 1)
            {
                problem = $"PEER_INDEX_TABLE ends at peer {i} of {count}";
                return null;
            }
            var type = rest[0];
            var addressLength = (type & 0x01) != 0 ? 16 : 4;
            var asLength = (type & 0x02) != 0 ? 4 : 2;
            if (rest.Length < 1 + 4 + addressLength + asLength)
            {
                problem = $"PEER_INDEX_TABLE ends inside peer {i} of {count}";
                return null;
            }
            var bgpId = BinaryPrimitives.ReadUInt32BigEndian(rest[1..]);
            var address = new IPAddress(rest.Slice(5, addressLength));
            var asn = asLength == 4
                ? BinaryPrimitives.ReadUInt32BigEndian(rest[(5 + addressLength)..])
                : BinaryPrimitives.ReadUInt16BigEndian(rest[(5 + addressLength)..]);
            peers[i] = new MrtPeer(bgpId, address, asn);
            rest = rest[(5 + addressLength + asLength)..];
        }
        return new MrtPeerIndexTable(collector, name, peers);
    }
}
