using System.Buffers.Binary;

namespace BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606;

/// <summary>
/// Builds UPDATE octets by hand, right or deliberately wrong, for a 4-octet-AS session from AS 65001. Nothing here
/// goes through BgpKit's encoder: the octets are what a broken peer would put on the wire.
/// <code>
/// +---------------+---------------+---------------------+
/// | Attr. Flags   | Attr. Type    | Length (1 or 2)     |  value...
/// +---------------+---------------+---------------------+
/// </code>
/// </summary>
internal static class MalformedUpdate
{
    public const uint PeerAs = 65001;
    public const byte WellKnown = 0x40;
    public const byte Optional = 0x80;
    public const byte OptionalTransitive = 0xC0;
    public const byte ExtendedLength = 0x10;

    /// <summary>One attribute; the length field is one octet, or two with <see cref="ExtendedLength"/>; <paramref name="length"/> overrides it (a lie).</summary>
    public static byte[] Attr(byte flags, byte type, byte[] value, int? length = null)
    {
        var n = length ?? value.Length;
        return (flags & ExtendedLength) != 0
            ? [flags, type, (byte)(n >> 8), (byte)n, .. value]
            : [flags, type, (byte)n, .. value];
    }

    public static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    public static byte[] Origin(byte value = 0, byte flags = WellKnown) => Attr(flags, 1, [value]);

    /// <summary>AS_PATH with one AS_SEQUENCE of 4-octet ASNs.</summary>
    public static byte[] AsPath(params uint[] asns) => AsPathSegments(Segment(2, asns));

    public static byte[] Segment(byte type, params uint[] asns) => [type, (byte)asns.Length, .. asns.SelectMany(U32)];

    public static byte[] AsPathSegments(byte[] segments, byte flags = WellKnown) => Attr(flags, 2, segments);

    public static byte[] NextHop(uint address = 0xC0000201, byte flags = WellKnown) => Attr(flags, 3, U32(address));

    public static byte[] Med(uint value, byte flags = Optional) => Attr(flags, 4, U32(value));

    /// <summary>ORIGIN IGP, AS_PATH 65001, NEXT_HOP 192.0.2.1.</summary>
    public static byte[] Mandatory => [.. Origin(), .. AsPath(PeerAs), .. NextHop()];

    /// <summary>An IPv4 prefix in NLRI encoding.</summary>
    public static byte[] V4(byte a, byte b, byte c, int length = 24) => [(byte)length, a, b, c];

    /// <summary>2001:db8:x::/48 in NLRI encoding.</summary>
    public static byte[] V6(byte x) => [48, 0x20, 0x01, 0x0d, 0xb8, 0, x];

    /// <summary>MP_REACH_NLRI for IPv6 unicast with a global next hop 2001:db8::1 (or <paramref name="nextHop"/>).</summary>
    public static byte[] MpReachV6(byte[] nlri, byte[]? nextHop = null, byte flags = Optional, int? nextHopLength = null)
    {
        byte[] hop = nextHop ?? [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        return Attr(flags, 14, [0, 2, 1, (byte)(nextHopLength ?? hop.Length), .. hop, 0, .. nlri]);
    }

    public static byte[] MpUnreachV6(byte[] nlri, byte flags = Optional) => Attr(flags, 15, [0, 2, 1, .. nlri]);

    /// <summary>
    /// An UPDATE body (after the header). The two length fields are computed unless given: a given one may lie.
    /// </summary>
    public static byte[] Body(byte[] attributes, byte[] nlri, byte[]? withdrawn = null, int? withdrawnLength = null, int? attributesLength = null)
    {
        withdrawn ??= [];
        var wl = withdrawnLength ?? withdrawn.Length;
        var al = attributesLength ?? attributes.Length;
        return [(byte)(wl >> 8), (byte)wl, .. withdrawn, (byte)(al >> 8), (byte)al, .. attributes, .. nlri];
    }

    /// <summary>A whole UPDATE message: marker, length, type 2, body.</summary>
    public static byte[] Message(byte[] body)
    {
        var length = 19 + body.Length;
        return [.. Enumerable.Repeat((byte)0xFF, 16), (byte)(length >> 8), (byte)length, 2, .. body];
    }
}
