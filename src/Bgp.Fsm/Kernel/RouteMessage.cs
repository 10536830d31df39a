using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>
/// rtnetlink route messages (rtnetlink(7), linux/rtnetlink.h) as bytes: RTM_NEWROUTE and RTM_DELROUTE requests,
/// the RTM_GETROUTE dump request, the dump's replies read back into routes, and the NLMSG_ERROR acknowledgement.
/// Pure functions over bytes; kernel structures are in host byte order (little-endian), addresses in network order.
/// <code>
/// nlmsghdr:   length (4) | type (2) | flags (2) | sequence (4) | port id (4)
/// rtmsg:      family (1) | dst_len (1) | src_len (1) | tos (1) | table (1) | protocol (1) | scope (1) | type (1) | flags (4)
/// rtattr:     length (2) | type (2) | value, padded to 4 bytes
///             RTA_DST 1, RTA_GATEWAY 5, RTA_PRIORITY 6, RTA_MULTIPATH 9, RTA_TABLE 15, RTA_VIA 18
/// rtnexthop:  length (2) | flags (1) | hops (1) | ifindex (4) | rtattrs (RTA_GATEWAY or RTA_VIA)
/// rtvia:      family (2) | address
/// nlmsgerr:   error (4, minus errno; 0 is the ACK) | the request's nlmsghdr (16) | NLMSGERR_ATTR_MSG 1 (with extended ACK)
/// </code>
/// </summary>
internal static class RouteMessage
{
    public const int HeaderLength = 16;
    public const int RtmsgLength = 12;

    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;
    public const ushort RtmNewRoute = 24;
    public const ushort RtmDelRoute = 25;
    public const ushort RtmGetRoute = 26;

    public const ushort NlmFRequest = 0x1;
    public const ushort NlmFMulti = 0x2;
    public const ushort NlmFAck = 0x4;
    public const ushort NlmFReplace = 0x100;
    public const ushort NlmFExcl = 0x200;
    public const ushort NlmFCreate = 0x400;
    public const ushort NlmFDump = 0x300;

    // In an NLMSG_ERROR: the request was not echoed back whole, and attributes (the extended ACK) follow.
    private const ushort NlmFCapped = 0x100;
    private const ushort NlmFAckTlvs = 0x200;
    private const ushort NlmsgerrAttrMsg = 1;

    private const ushort RtaDst = 1;
    private const ushort RtaGateway = 5;
    private const ushort RtaPriority = 6;
    private const ushort RtaMultipath = 9;
    private const ushort RtaTable = 15;
    private const ushort RtaVia = 18;

    private const byte AfInet = 2;
    private const byte AfInet6 = 10;
    private const byte RtScopeUniverse = 0;
    private const byte RtScopeNowhere = 255;
    private const byte RtnUnicast = 1;
    private const int RtnexthopLength = 8;

    /// <summary>The route family byte (AF_INET, AF_INET6) of an address.</summary>
    public static byte FamilyOf(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;

    /// <summary>How many bytes <see cref="WriteNewRoute"/> needs at most for <paramref name="nextHops"/> next hops.</summary>
    public static int MaxNewRouteLength(int nextHops) => HeaderLength + RtmsgLength + 20 + 8 + 8 + 4 + (nextHops * (RtnexthopLength + 24));

    /// <summary>
    /// Writes RTM_NEWROUTE for <paramref name="prefix"/> in <paramref name="table"/> with <paramref name="protocol"/> and
    /// <paramref name="metric"/>: one next hop as RTA_GATEWAY, several as RTA_MULTIPATH (ECMP, equal weights); a next hop
    /// of the other family than the prefix (IPv4 over IPv6, RFC 5549) as RTA_VIA. <paramref name="replace"/> sets
    /// NLM_F_REPLACE (change a route we own), otherwise NLM_F_EXCL (fail with EEXIST rather than touch a route that is
    /// not ours). Returns the length written.
    /// </summary>
    public static int WriteNewRoute(Span<byte> buffer, uint sequence, IPNetwork prefix, IReadOnlyList<IPAddress> nextHops, uint table, byte protocol, uint metric, bool replace)
    {
        ArgumentOutOfRangeException.ThrowIfZero(nextHops.Count);
        var family = FamilyOf(prefix.BaseAddress);
        var at = WriteRouteHeader(buffer, sequence, RtmNewRoute,
            (ushort)(NlmFRequest | NlmFAck | NlmFCreate | (replace ? NlmFReplace : NlmFExcl)),
            family, prefix, table, protocol, RtScopeUniverse, RtnUnicast);
        at += WriteU32(buffer[at..], RtaPriority, metric);
        if (nextHops.Count == 1)
        {
            at += WriteNextHopAttribute(buffer[at..], family, nextHops[0]);
        }
        else
        {
            var multipath = at;
            at += 4;
            foreach (var hop in nextHops)
            {
                var start = at;
                buffer.Slice(at, RtnexthopLength).Clear(); // flags 0, hops 0 (weight 1), ifindex 0: the kernel resolves the device
                at += RtnexthopLength;
                at += WriteNextHopAttribute(buffer[at..], family, hop);
                BinaryPrimitives.WriteUInt16LittleEndian(buffer[start..], (ushort)(at - start));
            }
            BinaryPrimitives.WriteUInt16LittleEndian(buffer[multipath..], (ushort)(at - multipath));
            BinaryPrimitives.WriteUInt16LittleEndian(buffer[(multipath + 2)..], RtaMultipath);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)at);
        return at;
    }

    /// <summary>
    /// Writes RTM_DELROUTE for <paramref name="prefix"/> in <paramref name="table"/>, restricted to <paramref name="protocol"/>:
    /// the kernel deletes a route only when its protocol matches (every next hop of a multipath route goes with it).
    /// </summary>
    public static int WriteDeleteRoute(Span<byte> buffer, uint sequence, IPNetwork prefix, uint table, byte protocol)
    {
        var at = WriteRouteHeader(buffer, sequence, RtmDelRoute, NlmFRequest | NlmFAck, FamilyOf(prefix.BaseAddress), prefix, table, protocol, RtScopeNowhere, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)at);
        return at;
    }

    /// <summary>Writes an RTM_GETROUTE dump request of every <paramref name="family"/> route in every table.</summary>
    public static int WriteDumpRequest(Span<byte> buffer, uint sequence, byte family)
    {
        const int length = HeaderLength + RtmsgLength;
        buffer[..length].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, length);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], RtmGetRoute);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], sequence);
        buffer[HeaderLength] = family;
        return length;
    }

    private static int WriteRouteHeader(Span<byte> buffer, uint sequence, ushort type, ushort flags, byte family, IPNetwork prefix, uint table, byte protocol, byte scope, byte routeType)
    {
        buffer[..(HeaderLength + RtmsgLength)].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], sequence);
        var rtm = buffer[HeaderLength..];
        rtm[0] = family;
        rtm[1] = (byte)prefix.PrefixLength;
        // Tables past 255 only fit RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC (what iproute2 does).
        rtm[4] = table < 256 ? (byte)table : (byte)0;
        rtm[5] = protocol;
        rtm[6] = scope;
        rtm[7] = routeType;
        var at = HeaderLength + RtmsgLength;
        at += WriteU32(buffer[at..], RtaTable, table);
        at += WriteAddress(buffer[at..], RtaDst, prefix.BaseAddress);
        return at;
    }

    private static int WriteNextHopAttribute(Span<byte> buffer, byte routeFamily, IPAddress hop)
    {
        var hopFamily = FamilyOf(hop);
        if (hopFamily == routeFamily)
        {
            return WriteAddress(buffer, RtaGateway, hop);
        }
        // RTA_VIA: struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }
        var addressLength = hopFamily == AfInet6 ? 16 : 4;
        var length = 4 + 2 + addressLength;
        var aligned = Align(length);
        buffer[..aligned].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[2..], RtaVia);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], hopFamily);
        hop.TryWriteBytes(buffer[6..], out _);
        return aligned;
    }

    private static int WriteAddress(Span<byte> buffer, ushort type, IPAddress address)
    {
        var addressLength = address.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)(4 + addressLength));
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[2..], type);
        address.TryWriteBytes(buffer[4..], out _);
        return 4 + addressLength;
    }

    private static int WriteU32(Span<byte> buffer, ushort type, uint value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[2..], type);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], value);
        return 8;
    }

    /// <summary>What one NLMSG_ERROR for a request says.</summary>
    /// <param name="Errno">0 for the ACK, otherwise the errno (positive).</param>
    /// <param name="Message">The kernel's extended ACK text (NLMSGERR_ATTR_MSG), when it sent one.</param>
    public readonly record struct Ack(int Errno, string? Message);

    /// <summary>
    /// Looks in one buffer of replies for the NLMSG_ERROR answering <paramref name="sequence"/>; false when this buffer
    /// has none (read the next). Replies to other sequences are skipped.
    /// </summary>
    public static bool TryReadAck(ReadOnlySpan<byte> replies, uint sequence, out Ack ack)
    {
        ack = default;
        foreach (var m in new Messages(replies, sequence))
        {
            var type = m.Type;
            var flags = m.Flags;
            var message = m.Body;
            if (type != NlmsgError || message.Length < HeaderLength + 4)
            {
                continue;
            }
            var body = message[HeaderLength..];
            var error = BinaryPrimitives.ReadInt32LittleEndian(body);
            string? text = null;
            if ((flags & NlmFAckTlvs) != 0 && body.Length >= 4 + HeaderLength)
            {
                // After the request's header (and, unless capped, its payload): the extended ACK attributes.
                var echoed = (flags & NlmFCapped) != 0 ? HeaderLength : (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body[4..]), (uint)(body.Length - 4));
                text = ReadStringAttribute(body[Math.Min(body.Length, 4 + Align(echoed))..], NlmsgerrAttrMsg);
            }
            ack = new Ack(-error, text);
            return true;
        }
        return false;
    }

    /// <summary>One route read from a dump (only what deleting it needs, and its next hops for the tests and logs).</summary>
    public readonly record struct DumpedRoute(IPNetwork Prefix, uint Table, byte Protocol, IReadOnlyList<IPAddress> NextHops);

    /// <summary>
    /// Adds to <paramref name="routes"/> every route of <paramref name="protocol"/> in one buffer of dump replies to
    /// <paramref name="sequence"/>; returns true once the dump ended (NLMSG_DONE or an error; bytes that do not parse
    /// end it too, what came before them counts).
    /// </summary>
    public static bool CollectDump(ReadOnlySpan<byte> replies, uint sequence, byte protocol, List<DumpedRoute> routes)
    {
        var messages = new Messages(replies, sequence);
        while (messages.MoveNext())
        {
            var m = messages.Current;
            var type = m.Type;
            var message = m.Body;
            if (type is NlmsgDone or NlmsgError)
            {
                return true;
            }
            if (type == RtmNewRoute && message.Length >= HeaderLength + RtmsgLength && message[HeaderLength + 5] == protocol
                && TryParseRoute(message[HeaderLength..], out var route))
            {
                routes.Add(route);
            }
        }
        return messages.Broken;
    }

    private static bool TryParseRoute(ReadOnlySpan<byte> body, out DumpedRoute route)
    {
        route = default;
        if (body.Length < RtmsgLength || body[0] is not (AfInet or AfInet6))
        {
            return false;
        }
        var family = body[0];
        var prefixLength = body[1];
        uint table = body[4];
        var protocol = body[5];
        IPAddress? destination = null;
        var hops = new List<IPAddress>();
        foreach (var a in new Attributes(body[RtmsgLength..]))
        {
            var type = a.Type;
            var value = a.Value;
            switch (type)
            {
                case RtaTable when value.Length >= 4:
                    table = BinaryPrimitives.ReadUInt32LittleEndian(value);
                    break;
                case RtaDst when value.Length is 4 or 16:
                    destination = new IPAddress(value);
                    break;
                case RtaGateway or RtaVia:
                    AddHop(type, value, hops);
                    break;
                case RtaMultipath:
                    var rest = value;
                    while (rest.Length >= RtnexthopLength)
                    {
                        var length = BinaryPrimitives.ReadUInt16LittleEndian(rest);
                        if (length < RtnexthopLength || length > rest.Length)
                        {
                            break;
                        }
                        foreach (var hop in new Attributes(rest[RtnexthopLength..length]))
                        {
                            AddHop(hop.Type, hop.Value, hops);
                        }
                        rest = rest[Math.Min(rest.Length, Align(length))..];
                    }
                    break;
            }
        }
        destination ??= family == AfInet6 ? IPAddress.IPv6Any : IPAddress.Any;
        if (prefixLength > (family == AfInet6 ? 128 : 32))
        {
            return false;
        }
        route = new DumpedRoute(new IPNetwork(destination, prefixLength), table, protocol, hops);
        return true;
    }

    private static void AddHop(ushort type, ReadOnlySpan<byte> value, List<IPAddress> hops)
    {
        if (type == RtaGateway && value.Length is 4 or 16)
        {
            hops.Add(new IPAddress(value));
        }
        else if (type == RtaVia && value.Length is 6 or 18)
        {
            hops.Add(new IPAddress(value[2..]));
        }
    }

    internal static string? ReadStringAttribute(ReadOnlySpan<byte> attributes, ushort wanted)
    {
        foreach (var a in new Attributes(attributes))
        {
            if (a.Type == wanted)
            {
                var end = a.Value.IndexOf((byte)0);
                return System.Text.Encoding.UTF8.GetString(end < 0 ? a.Value : a.Value[..end]);
            }
        }
        return null;
    }

    internal static int Align(int length) => (length + 3) & ~3;

    /// <summary>Walks the netlink messages of one buffer that answer one sequence number.</summary>
    internal ref struct Messages
    {
        private readonly uint _sequence;
        private ReadOnlySpan<byte> _rest;

        public Messages(ReadOnlySpan<byte> replies, uint sequence)
        {
            _rest = replies;
            _sequence = sequence;
            Current = default;
            Broken = false;
        }

        /// <summary>True once bytes that do not parse as a message were met.</summary>
        public bool Broken { get; private set; }

        public Message Current { get; private set; }

        public readonly Messages GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_rest.Length >= HeaderLength)
            {
                var length = BinaryPrimitives.ReadUInt32LittleEndian(_rest);
                if (length < HeaderLength || length > (uint)_rest.Length)
                {
                    Broken = true;
                    _rest = default;
                    return false;
                }
                var message = _rest[..(int)length];
                _rest = _rest[Math.Min(_rest.Length, Align((int)length))..];
                if (BinaryPrimitives.ReadUInt32LittleEndian(message[8..]) != _sequence)
                {
                    continue;
                }
                Current = new Message(BinaryPrimitives.ReadUInt16LittleEndian(message[4..]), BinaryPrimitives.ReadUInt16LittleEndian(message[6..]), message);
                return true;
            }
            Broken |= !_rest.IsEmpty;
            return false;
        }
    }

    /// <summary>Walks rtattrs; stops at the first one whose length does not fit.</summary>
    internal ref struct Attributes
    {
        private ReadOnlySpan<byte> _rest;

        public Attributes(ReadOnlySpan<byte> attributes)
        {
            _rest = attributes;
            Current = default;
        }

        public Attribute Current { get; private set; }

        public readonly Attributes GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.Length < 4)
            {
                return false;
            }
            var length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
            if (length < 4 || length > _rest.Length)
            {
                _rest = default;
                return false;
            }
            // NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the type's top bits.
            Current = new Attribute((ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]) & 0x3fff), _rest[4..length]);
            _rest = _rest[Math.Min(_rest.Length, Align(length))..];
            return true;
        }
    }

    /// <summary>One netlink message: its type, flags, and all of its bytes (header included).</summary>
    internal readonly ref struct Message(ushort type, ushort flags, ReadOnlySpan<byte> body)
    {
        public ushort Type { get; } = type;
        public ushort Flags { get; } = flags;
        public ReadOnlySpan<byte> Body { get; } = body;
    }

    /// <summary>One rtattr: its type (without the nested/byte-order bits) and value.</summary>
    internal readonly ref struct Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        public ushort Type { get; } = type;
        public ReadOnlySpan<byte> Value { get; } = value;
    }
}
