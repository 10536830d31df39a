using System.Buffers.Binary;
using System.Text;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// Hand-built seed inputs, one small set per harness, written out as fuzz/corpus/NAME/seed-*.bin by
/// <c>BgpKit.Fuzz seed-corpus</c>. They follow the golden vectors of the test projects: every message
/// type, the capabilities we read, the path attributes RFC 7606 treats differently, each MRT subtype the
/// reader decodes, BFD with and without authentication, a pcap and a pcapng capture of a BGP session.
/// </summary>
internal static partial class SyntheticSeeds
{
    // Capabilities: MP IPv4/IPv6 unicast, route refresh, 4-octet AS 65001, ADD-PATH IPv4 both,
    // graceful restart 120 s, extended message (RFC 8654), enhanced route refresh (RFC 7313).
    private const string Capabilities = "010400010001" + "010400020001" + "0200" + "41040000fde9" + "450400010103" + "40020078" + "0600" + "4600";

    public static byte[] Open() => Message(1, "04" + "5ba0" + "00b4" + "c0000201" + Param(Capabilities));

    /// <summary>An OPEN with the RFC 9072 extended optional parameters length (0xFF marker).</summary>
    public static byte[] OpenExtended()
    {
        var caps = "02" + Hex2(Capabilities.Length / 2) + Capabilities;
        return Message(1, "04" + "fde9" + "005a" + "c0000202" + "ff" + "ff" + Hex2(caps.Length / 2) + caps);
    }

    public static byte[] Keepalive() => Message(4, "");

    // ORIGIN IGP, AS_PATH (one 4-octet AS_SEQUENCE), NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES, LARGE_COMMUNITY.
    private const string Attributes4 = "40010100" + "4002060201" + "0000fde9" + "400304c0000201" + "80040400000064" + "40050400000064"
        + "c00804fde90064" + "c0200c0000fde90000000100000002";

    public static IEnumerable<byte[]> Updates()
    {
        yield return Message(2, "0000" + Hex2(Attributes4.Length / 2) + Attributes4 + "18c63364" + "20cb007101");
        yield return Message(2, "0004" + "18c63364" + "0000");
        yield return Message(2, "00000000"); // End-of-RIB for IPv4 unicast
        // MP_REACH_NLRI IPv6 (extended length flag) and MP_UNREACH_NLRI.
        var reach = "900e001c" + "0002" + "01" + "10" + "20010db8000000000000000000000001" + "00" + "30" + "20010db80001";
        var unreach = "800f0a" + "0002" + "01" + "30" + "20010db80002";
        var v6 = "40010100" + "4002060201" + "0000fde9" + reach + unreach;
        yield return Message(2, "0000" + Hex2(v6.Length / 2) + v6);
        // The attributes RFC 7606 sorts into discard / treat-as-withdraw / reset, in a 2-octet AS session:
        // ATOMIC_AGGREGATE, AGGREGATOR, ORIGINATOR_ID, CLUSTER_LIST, EXTENDED COMMUNITIES, AS4_PATH,
        // AS4_AGGREGATOR, an unknown optional transitive attribute.
        var mixed = "40010102" + "4002040201fde9" + "400304c0000201" + "400600" + "c00706fde9c0000201" + "800904c0000203"
            + "800a04c0000204" + "c010080002fde900000064" + "c0110602010001fbf0" + "c012080001fbf0c0000201" + "c06302abcd";
        yield return Message(2, "0000" + Hex2(mixed.Length / 2) + mixed + "18c63365");
        // ADD-PATH NLRI (path identifier 1).
        yield return Message(2, "0000" + Hex2(Attributes4.Length / 2) + Attributes4 + "00000001" + "18c63364");
        // A duplicate attribute and a malformed ORIGIN value: treat-as-withdraw paths.
        var broken = "40010105" + "40010100" + "4002060201" + "0000fde9" + "400304c0000201";
        yield return Message(2, "0000" + Hex2(broken.Length / 2) + broken + "18c63366");
    }

    public static IEnumerable<byte[]> NotificationsAndRefresh()
    {
        yield return Message(3, "06020e" + Convert.ToHexString(Encoding.UTF8.GetBytes("maintenance 42")));
        yield return Message(3, "0202fde9");
        yield return Message(3, "01020000");
        yield return Message(3, "0400");
        yield return Message(3, "0304" + "400101");
        yield return Message(5, "00010001");
        yield return Message(5, "00020101"); // enhanced route refresh: BoRR
        yield return Message(5, "00010201"); // EoRR
        yield return Keepalive();
    }

    public static IEnumerable<byte[]> Bfd()
    {
        // Version 1, diag 0, state Up, detect multiplier 3, length 24, discriminators 1 and 2, 1 s intervals.
        yield return FromHex("20c00318" + "00000001" + "00000002" + "000f4240" + "000f4240" + "00000000");
        // Poll, state Init, simple password authentication (RFC 5880 4.2).
        yield return FromHex("2064031f" + "00000003" + "00000000" + "000f4240" + "000f4240" + "00000000" + "010701" + "70617373");
        // Keyed SHA1 (type 4): key id 1, sequence 5, 20-octet digest.
        yield return FromHex("20c40334" + "00000001" + "00000002" + "000f4240" + "000f4240" + "00000000" + "041c0100" + "00000005" + new string('a', 40));
        // Our echo payload: version 1, length 16, discriminator 7, nonce.
        yield return FromHex("01100000" + "00000007" + "0123456789abcdef");
    }

    public static IEnumerable<byte[]> Mrt()
    {
        // TABLE_DUMP_V2 PEER_INDEX_TABLE: collector 192.0.2.1, empty view name, one IPv4 peer with a 4-octet AS.
        var peerIndex = Record(13, 1, "c0000201" + "0000" + "0001" + "02" + "c0000201" + "c0000202" + "0000fde9");
        var ribAttributes = "40010100" + "4002060201" + "0000fde9" + "400304c0000202";
        var ribV4 = Record(13, 2, "00000000" + "18c63364" + "0001" + "0000" + "00000000" + Hex2Word(ribAttributes.Length / 2) + ribAttributes);
        var ribV6 = Record(13, 4, "00000001" + "3020010db80001" + "0001" + "0000" + "00000000" + Hex2Word(ribAttributes.Length / 2) + ribAttributes);
        var generic = Record(13, 6, "00000002" + "0001" + "01" + "18c63364" + "0001" + "0000" + "00000000" + Hex2Word(ribAttributes.Length / 2) + ribAttributes);
        yield return [.. peerIndex, .. ribV4, .. ribV6, .. generic];
        // ADD-PATH RIB (RFC 8050 subtype 8): path identifier after the originated time.
        yield return [.. peerIndex, .. Record(13, 8, "00000003" + "18c63364" + "0001" + "0000" + "00000000" + "00000001" + Hex2Word(ribAttributes.Length / 2) + ribAttributes)];
        var update = Convert.ToHexString(Updates().First()).ToLowerInvariant();
        // BGP4MP MESSAGE_AS4 and STATE_CHANGE_AS4, then the same as BGP4MP_ET (microseconds).
        var messageAs4 = "0000fde9" + "0000fdea" + "0000" + "0001" + "c0000202" + "c0000201" + update;
        var stateAs4 = "0000fde9" + "0000fdea" + "0000" + "0001" + "c0000202" + "c0000201" + "0001" + "0006";
        yield return [.. Record(16, 4, messageAs4), .. Record(16, 5, stateAs4), .. Record(16, 1, "fde9fdea00000001c0000202c0000201" + Convert.ToHexString(Keepalive()).ToLowerInvariant())];
        yield return [.. Record(17, 4, "000003e8" + messageAs4), .. Record(17, 0, "000003e8" + "fde9fdea" + "0000" + "0001" + "c0000202" + "c0000201" + "00010006")];
        // Legacy TABLE_DUMP (type 12, IPv4): view, sequence, prefix, length, status, time, peer, AS, attributes.
        var legacyAttributes = "40010100" + "4002040201fde9" + "400304c0000202";
        yield return Record(12, 1, "0000" + "0001" + "c6336400" + "18" + "01" + "00000000" + "c0000202" + "fde9" + Hex2Word(legacyAttributes.Length / 2) + legacyAttributes);
    }

    /// <summary>A pcap (Ethernet) and a pcapng capture of both directions of a BGP session, and a BFD packet over UDP.</summary>
    public static IEnumerable<byte[]> Captures()
    {
        var open = Open();
        var keepalive = Keepalive();
        var update = Updates().First();
        var frames = new List<byte[]>
        {
            TcpFrame(0xc0000201, 0xc0000202, 40000, 179, 1000, [.. open, .. keepalive]),
            TcpFrame(0xc0000202, 0xc0000201, 179, 40000, 5000, [.. open]),
            TcpFrame(0xc0000202, 0xc0000201, 179, 40000, 5000 + (uint)open.Length, [.. keepalive, .. update.AsSpan(0, 30)]),
            TcpFrame(0xc0000202, 0xc0000201, 179, 40000, 5000 + (uint)(open.Length + keepalive.Length + 30), update.AsSpan(30).ToArray()),
            UdpFrame(0xc0000201, 0xc0000202, 49152, 3784, Bfd().First()),
        };
        yield return Pcap(frames);
        yield return PcapNg(frames);
    }

    public static IEnumerable<byte[]> Manifests()
    {
        yield return Encoding.UTF8.GetBytes("""
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: pool-a
              namespace: metallb-system
            spec:
              addresses:
              - 192.0.2.0/28
              - 2001:db8::/124
              - 198.51.100.10-198.51.100.20
              autoAssign: true
            ---
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata:
              name: tor
              namespace: metallb-system
            spec:
              myASN: 64512
              peerASN: 64513
              peerAddress: 192.0.2.254
              holdTime: 90s
              password: not-a-real-secret
              bfdProfile: fast
            ---
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata:
              name: adv
              namespace: metallb-system
            spec:
              ipAddressPools: [pool-a]
              aggregationLength: 32
              communities: ["64512:100", "large:1:2:3"]
              localPref: 100
            """);
        yield return Encoding.UTF8.GetBytes("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: metallb.io/v1beta1
              kind: BFDProfile
              metadata: {name: fast, namespace: metallb-system}
              spec: {receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3}
            - apiVersion: metallb.io/v1beta1
              kind: L2Advertisement
              metadata: {name: l2, namespace: metallb-system}
              spec: {ipAddressPools: [pool-a], interfaces: [eth0]}
            - apiVersion: metallb.io/v1beta1
              kind: Community
              metadata: {name: communities, namespace: metallb-system}
              spec: {communities: [{name: no-advertise, value: "65535:65282"}]}
            """);
        yield return Encoding.UTF8.GetBytes("""
            {"apiVersion":"frrk8s.metallb.io/v1beta1","kind":"FRRConfiguration","metadata":{"name":"frr","namespace":"frr-k8s-system"},
             "spec":{"bgp":{"routers":[{"asn":64512,"neighbors":[{"asn":64513,"address":"192.0.2.1","toReceive":{"allowed":{"mode":"filtered","prefixes":[{"prefix":"10.0.0.0/8","le":32}]}}}],
             "prefixes":["192.0.2.0/24"]}]}}}
            """);
    }

    public static IEnumerable<byte[]> AdmissionReviews()
    {
        yield return Encoding.UTF8.GetBytes("""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
             "kind":{"group":"metallb.io","version":"v1beta2","kind":"BGPPeer"},"operation":"CREATE","namespace":"metallb-system","name":"tor",
             "object":{"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"tor","namespace":"metallb-system"},
             "spec":{"myASN":64512,"peerASN":64513,"peerAddress":"192.0.2.254"}}}}
            """);
        yield return Encoding.UTF8.GetBytes("""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","operation":"UPDATE","namespace":"metallb-system","name":"pool",
             "object":{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool","namespace":"metallb-system"},"spec":{"addresses":["192.0.2.0/24"]}},
             "oldObject":{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool","namespace":"metallb-system"},"spec":{"addresses":["192.0.2.0/25"]}}}}
            """);
        yield return Encoding.UTF8.GetBytes("""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"2","operation":"DELETE","namespace":"other","name":"x","oldObject":{"kind":"BFDProfile"}}}
            """);
    }

    // ---- building blocks ----

    public static byte[] Message(byte type, string bodyHex)
    {
        var body = FromHex(bodyHex);
        var message = new byte[19 + body.Length];
        message.AsSpan(0, 16).Fill(0xFF);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(16), (ushort)message.Length);
        message[18] = type;
        body.CopyTo(message, 19);
        return message;
    }

    private static string Param(string capabilities) =>
        Hex1(capabilities.Length / 2 + 2) + "02" + Hex1(capabilities.Length / 2) + capabilities;

    private static byte[] Record(ushort type, ushort subtype, string bodyHex)
    {
        var body = FromHex(bodyHex);
        var record = new byte[12 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(record, 1_700_000_000);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(6), subtype);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(8), (uint)body.Length);
        body.CopyTo(record, 12);
        return record;
    }

    private static byte[] TcpFrame(uint source, uint destination, ushort sourcePort, ushort destinationPort, uint sequence, byte[] payload)
    {
        var frame = new byte[14 + 20 + 20 + payload.Length];
        Ethernet(frame);
        Ipv4(frame.AsSpan(14), 6, source, destination, 20 + 20 + payload.Length);
        var tcp = frame.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 1);
        tcp[12] = 0x50;
        tcp[13] = 0x18; // PSH, ACK
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 0xFFFF);
        payload.CopyTo(tcp[20..]);
        return frame;
    }

    private static byte[] UdpFrame(uint source, uint destination, ushort sourcePort, ushort destinationPort, byte[] payload)
    {
        var frame = new byte[14 + 20 + 8 + payload.Length];
        Ethernet(frame);
        Ipv4(frame.AsSpan(14), 17, source, destination, 20 + 8 + payload.Length);
        var udp = frame.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(udp[8..]);
        return frame;
    }

    private static void Ethernet(byte[] frame)
    {
        FromHex("020000000002" + "020000000001" + "0800").CopyTo(frame, 0);
    }

    private static void Ipv4(Span<byte> ip, byte protocol, uint source, uint destination, int totalLength)
    {
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)totalLength);
        ip[6] = 0x40; // don't fragment
        ip[8] = 64;
        ip[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
    }

    private static byte[] Pcap(List<byte[]> frames)
    {
        var output = new MemoryStream();
        output.Write(FromHex("d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "01000000"));
        var second = 1_700_000_000u;
        foreach (var frame in frames)
        {
            var header = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(header, second++);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)frame.Length);
            output.Write(header);
            output.Write(frame);
        }
        return output.ToArray();
    }

    private static byte[] PcapNg(List<byte[]> frames)
    {
        var output = new MemoryStream();
        // Section header block (little endian), then one Ethernet interface description block.
        output.Write(FromHex("0a0d0d0a" + "1c000000" + "4d3c2b1a" + "0100" + "0000" + "ffffffffffffffff" + "1c000000"));
        output.Write(FromHex("01000000" + "14000000" + "0100" + "0000" + "00000400" + "14000000"));
        ulong time = 1_700_000_000_000_000;
        foreach (var frame in frames)
        {
            var padded = (frame.Length + 3) & ~3;
            var length = 32 + padded;
            var block = new byte[length];
            BinaryPrimitives.WriteUInt32LittleEndian(block, 6);
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(12), (uint)(time >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(16), (uint)time);
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(20), (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(24), (uint)frame.Length);
            frame.CopyTo(block, 28);
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(length - 4), (uint)length);
            output.Write(block);
            time += 1000;
        }
        return output.ToArray();
    }

    private static string Hex1(int value) => value.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);

    private static string Hex2(int value) => value.ToString("x4", System.Globalization.CultureInfo.InvariantCulture);

    private static string Hex2Word(int value) => Hex2(value);

    public static byte[] FromHex(string hex) => Convert.FromHexString(hex);
}
