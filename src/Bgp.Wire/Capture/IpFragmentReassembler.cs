using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Capture;

/// <summary>A datagram put back together from its fragments: the payload after the IPv4 header, or the
/// IPv6 fragmentable part (which begins with <see cref="Protocol"/>, the first fragment's Next Header).</summary>
internal sealed record ReassembledDatagram(byte[] Source, byte[] Destination, byte Protocol, bool IsIpv6, byte[] Payload);

/// <summary>
/// Reassembles IPv4 fragments (RFC 791, keyed by source, destination, protocol and identification) and
/// IPv6 fragments (RFC 8200 4.5, keyed by source, destination and identification), with bounded memory:
/// <list type="bullet">
/// <item>one datagram holds at most <see cref="MaxDatagramOctets"/> octets of payload; a fragment reaching past it discards the datagram;</item>
/// <item>all pending datagrams together are charged at most <see cref="MaxBufferedOctets"/> (data plus a fixed cost per fragment
/// and per datagram); a fragment that would go over is dropped, as Linux drops new fragments above <c>ipfrag_high_thresh</c>;</item>
/// <item>a datagram not complete <see cref="Ipv4TimeoutMicroseconds"/> (IPv4) or <see cref="Ipv6TimeoutMicroseconds"/> (IPv6)
/// after its first fragment (by capture timestamp) is discarded, as Linux's <c>ipfrag_time</c> and <c>ip6frag_time</c>.</item>
/// </list>
/// Overlaps are handled as Linux does since 4.19 and RFC 5722 (with erratum 3089) requires for IPv6: a fragment
/// covering exactly the octets of one already held is a duplicate and ignored; any other overlap discards the whole
/// datagram, and its later fragments are dropped until the timeout.
/// </summary>
internal sealed class IpFragmentReassembler
{
    /// <summary>Linux's default <c>net.ipv4.ipfrag_time</c>: 30 seconds.</summary>
    public const long Ipv4TimeoutMicroseconds = 30_000_000;
    /// <summary>Linux's default <c>net.ipv6.ip6frag_time</c> and RFC 8200 4.5's 60 seconds.</summary>
    public const long Ipv6TimeoutMicroseconds = 60_000_000;
    /// <summary>The largest IPv4 payload (65535 minus a 20-octet header would be tighter; Linux allows 65535).</summary>
    public const int MaxDatagramOctets = 65535;
    /// <summary>Linux's default <c>ipfrag_high_thresh</c>: 4 MiB.</summary>
    public const long MaxBufferedOctets = 4 << 20;
    /// <summary>What one held fragment costs beyond its data (Linux charges an skb's truesize likewise).</summary>
    internal const int FragmentOverhead = 64;
    /// <summary>What one pending datagram costs beyond its fragments.</summary>
    internal const int DatagramOverhead = 128;

    private readonly Dictionary<Key, Pending> _pending = new();
    // One queue per timeout, so that each is in expiry order.
    private readonly Queue<Pending> _ipv4ByAge = new();
    private readonly Queue<Pending> _ipv6ByAge = new();

    /// <summary>Octets charged to pending datagrams now.</summary>
    public long BufferedOctets { get; private set; }

    /// <summary>Datagrams waiting for fragments (including discarded ones remembered until their timeout).</summary>
    public int PendingDatagrams => _pending.Count;

    /// <summary>Datagrams put back together.</summary>
    public long Reassembled { get; private set; }

    /// <summary>Fragments dropped or discarded: duplicates, overlaps, over a limit, malformed, timed out.</summary>
    public long Dropped { get; private set; }

    /// <summary>Adds a fragment seen at <paramref name="timestamp"/> (microseconds); returns the whole datagram once it is complete.</summary>
    public ReassembledDatagram? Add(long timestamp, in IpDatagram fragment)
    {
        Expire(timestamp);
        var data = fragment.Payload;
        var start = fragment.FragmentOffset;
        var end = start + data.Length;
        // Every fragment but the last carries a multiple of 8 octets (RFC 791, RFC 8200 4.5).
        if (fragment.Cut || (fragment.MoreFragments && (data.Length == 0 || (data.Length & 7) != 0)) || (!fragment.MoreFragments && data.Length == 0 && start == 0))
        {
            Dropped++;
            return null;
        }
        var key = new Key(ToKey(fragment.Source), ToKey(fragment.Destination), fragment.FragmentId, fragment.IsIpv6 ? (byte)0 : fragment.Protocol, fragment.IsIpv6);
        if (!_pending.TryGetValue(key, out var pending))
        {
            if (BufferedOctets + DatagramOverhead + FragmentOverhead + data.Length > MaxBufferedOctets)
            {
                Dropped++;
                return null;
            }
            pending = new Pending(key, timestamp, fragment.Source.ToArray(), fragment.Destination.ToArray(), fragment.IsIpv6);
            _pending.Add(key, pending);
            (fragment.IsIpv6 ? _ipv6ByAge : _ipv4ByAge).Enqueue(pending);
            BufferedOctets += DatagramOverhead;
            pending.Charged = DatagramOverhead;
        }
        if (pending.Discarded)
        {
            Dropped++;
            return null;
        }
        if (end > MaxDatagramOctets
            || (pending.TotalLength >= 0 && (end > pending.TotalLength || (!fragment.MoreFragments && end != pending.TotalLength)))
            || (!fragment.MoreFragments && pending.Fragments.Count > 0 && pending.Fragments[^1].Offset + pending.Fragments[^1].Data.Length > end))
        {
            Discard(pending);
            Dropped++;
            return null;
        }
        // Place the fragment among those held (sorted by offset).
        var fragments = pending.Fragments;
        var index = 0;
        while (index < fragments.Count && fragments[index].Offset < start)
        {
            index++;
        }
        if (index < fragments.Count && fragments[index].Offset == start && fragments[index].Data.Length == data.Length)
        {
            Dropped++;   // duplicate
            return null;
        }
        var overlapsPrevious = index > 0 && fragments[index - 1].Offset + fragments[index - 1].Data.Length > start;
        var overlapsNext = index < fragments.Count && fragments[index].Offset < end;
        if (overlapsPrevious || overlapsNext)
        {
            Discard(pending);
            Dropped++;
            return null;
        }
        if (BufferedOctets + FragmentOverhead + data.Length > MaxBufferedOctets)
        {
            Dropped++;
            return null;
        }
        fragments.Insert(index, new Held(start, data.ToArray()));
        var cost = FragmentOverhead + data.Length;
        BufferedOctets += cost;
        pending.Charged += cost;
        if (start == 0)
        {
            pending.Protocol = fragment.Protocol;
        }
        if (!fragment.MoreFragments)
        {
            pending.TotalLength = end;
        }
        if (pending.TotalLength < 0 || fragments[0].Offset != 0)
        {
            return null;
        }
        var covered = 0;
        foreach (var held in fragments)
        {
            if (held.Offset != covered)
            {
                return null;
            }
            covered += held.Data.Length;
        }
        if (covered != pending.TotalLength)
        {
            return null;
        }
        var payload = new byte[covered];
        foreach (var held in fragments)
        {
            held.Data.CopyTo(payload, held.Offset);
        }
        Release(pending);
        _pending.Remove(pending.Key);
        Reassembled++;
        return new ReassembledDatagram(pending.Source, pending.Destination, pending.Protocol, pending.IsIpv6, payload);
    }

    /// <summary>Discards every datagram whose first fragment came more than the timeout before <paramref name="timestamp"/>.</summary>
    public void Expire(long timestamp)
    {
        Expire(_ipv4ByAge, timestamp - Ipv4TimeoutMicroseconds);
        Expire(_ipv6ByAge, timestamp - Ipv6TimeoutMicroseconds);
    }

    private void Expire(Queue<Pending> byAge, long firstSeenBefore)
    {
        while (byAge.TryPeek(out var oldest) && oldest.FirstSeen < firstSeenBefore)
        {
            byAge.Dequeue();
            if (_pending.TryGetValue(oldest.Key, out var current) && ReferenceEquals(current, oldest))
            {
                Dropped += oldest.Fragments.Count;
                Release(oldest);
                _pending.Remove(oldest.Key);
            }
        }
    }

    /// <summary>Discards every pending datagram (the capture ended: their missing fragments will not come).</summary>
    public void DropPending()
    {
        foreach (var pending in _pending.Values)
        {
            Dropped += pending.Fragments.Count;
            Release(pending);
        }
        _pending.Clear();
        _ipv4ByAge.Clear();
        _ipv6ByAge.Clear();
    }

    private void Discard(Pending pending)
    {
        Dropped += pending.Fragments.Count;
        Release(pending);
        // Remembered (at the cost of its overhead) so that its later fragments are dropped too.
        pending.Discarded = true;
        pending.Charged = DatagramOverhead;
        BufferedOctets += DatagramOverhead;
    }

    private void Release(Pending pending)
    {
        BufferedOctets -= pending.Charged;
        pending.Charged = 0;
        pending.Fragments.Clear();
        pending.Fragments.TrimExcess();
    }

    private static UInt128 ToKey(ReadOnlySpan<byte> address) => address.Length == 4
        ? new UInt128(0xFFFF_0000_0000_0000, BinaryPrimitives.ReadUInt32BigEndian(address))
        : BinaryPrimitives.ReadUInt128BigEndian(address);

    private readonly record struct Key(UInt128 Source, UInt128 Destination, uint Id, byte Protocol, bool IsIpv6);

    private readonly record struct Held(int Offset, byte[] Data);

    private sealed class Pending(Key key, long firstSeen, byte[] source, byte[] destination, bool isIpv6)
    {
        public Key Key { get; } = key;
        public long FirstSeen { get; } = firstSeen;
        public byte[] Source { get; } = source;
        public byte[] Destination { get; } = destination;
        public bool IsIpv6 { get; } = isIpv6;
        public List<Held> Fragments { get; } = [];
        public byte Protocol { get; set; }
        public int TotalLength { get; set; } = -1;
        public long Charged { get; set; }
        public bool Discarded { get; set; }
    }
}
