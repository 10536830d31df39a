using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// Packs many prefixes that share one attribute set into as few UPDATEs as the session's maximum message length
/// allows (4096, or 65535 with RFC 8654), writing straight into an <see cref="IBufferWriter{T}"/>. IPv4 prefixes go in
/// the NLRI field (or, without a NEXT_HOP, in MP_REACH_NLRI with an IPv6 next hop per RFC 8950); IPv6 prefixes go in
/// MP_REACH_NLRI. Withdrawals go in the Withdrawn Routes field and MP_UNREACH_NLRI likewise.
/// </summary>
public sealed class UpdateBuilder
{
    private readonly BgpDecodeContext _context;

    /// <summary>A builder for a session.</summary>
    public UpdateBuilder(BgpDecodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <summary>The largest UPDATE written.</summary>
    public int MaxMessageLength => _context.MaxMessageLength;

    /// <summary>
    /// Writes UPDATEs announcing <paramref name="prefixes"/> with <paramref name="attributes"/>; returns the number of
    /// messages written. IPv4 prefixes use the attributes' NEXT_HOP; IPv6 prefixes (and IPv4 prefixes when the
    /// attributes carry no NEXT_HOP) use <paramref name="nextHop"/> and <paramref name="linkLocalNextHop"/> in MP_REACH_NLRI.
    /// </summary>
    /// <exception cref="ArgumentException">A next hop needed for MP_REACH_NLRI is missing or of the wrong family.</exception>
    /// <exception cref="InvalidOperationException">The attributes leave no room for a single prefix.</exception>
    public int WriteAnnouncements(IBufferWriter<byte> output, PathAttributes attributes, ReadOnlySpan<Nlri> prefixes, IPAddress? nextHop = null, IPAddress? linkLocalNextHop = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(attributes);
        var attributeLength = attributes.GetEncodedLength(_context);
        var rented = ArrayPool<byte>.Shared.Rent(attributeLength);
        try
        {
            var attributeBytes = rented.AsSpan(0, attributeLength);
            attributes.Write(attributeBytes, _context);
            return WriteAnnouncements(output, attributes.NextHop is not null, attributeBytes, prefixes, nextHop, linkLocalNextHop);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private int WriteAnnouncements(IBufferWriter<byte> output, bool ipv4InNlriField, ReadOnlySpan<byte> attributeBytes, ReadOnlySpan<Nlri> prefixes, IPAddress? nextHop, IPAddress? linkLocalNextHop)
    {
        var messages = 0;
        Span<byte> nextHopBytes = stackalloc byte[32];
        var nextHopLength = 0;
        if (nextHop is not null)
        {
            nextHopLength = nextHop.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;
            nextHop.TryWriteBytes(nextHopBytes, out _);
            if (linkLocalNextHop is not null)
            {
                if (nextHop.AddressFamily != AddressFamily.InterNetworkV6 || linkLocalNextHop.AddressFamily != AddressFamily.InterNetworkV6)
                {
                    throw new ArgumentException("A link-local next hop goes with an IPv6 global next hop.", nameof(linkLocalNextHop));
                }
                linkLocalNextHop.TryWriteBytes(nextHopBytes[16..], out _);
                nextHopLength = 32;
            }
        }
        ReadOnlySpan<Nlri> v6;
        if (ipv4InNlriField)
        {
            // The IPv4 field is filled straight from the caller's span, skipping IPv6 entries, so the common
            // all-IPv4 case reads the prefixes once instead of partitioning them first.
            messages += WriteIPv4Field(output, attributeBytes, prefixes, withdraw: false, out var ipv6Count);
            v6 = ipv6Count == 0 ? default : Partition(prefixes, ipv6: true);
        }
        else
        {
            var v4 = Partition(prefixes, ipv6: false);
            v6 = Partition(prefixes, ipv6: true);
            if (v4.Length > 0)
            {
                RequireNextHop(nextHop, nameof(nextHop));
                messages += WriteMp(output, attributeBytes, AfiSafi.IPv4Unicast, nextHopBytes[..nextHopLength], v4, withdraw: false);
            }
        }
        if (v6.Length > 0)
        {
            RequireNextHop(nextHop, nameof(nextHop));
            if (nextHop!.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException("IPv6 prefixes need an IPv6 next hop.", nameof(nextHop));
            }
            messages += WriteMp(output, attributeBytes, AfiSafi.IPv6Unicast, nextHopBytes[..nextHopLength], v6, withdraw: false);
        }
        return messages;
    }

    /// <summary>Writes UPDATEs withdrawing <paramref name="prefixes"/>; returns the number of messages written.</summary>
    public int WriteWithdrawals(IBufferWriter<byte> output, ReadOnlySpan<Nlri> prefixes)
    {
        ArgumentNullException.ThrowIfNull(output);
        var messages = WriteIPv4Field(output, [], prefixes, withdraw: true, out var ipv6Count);
        var v6 = ipv6Count == 0 ? default : Partition(prefixes, ipv6: true);
        if (v6.Length > 0)
        {
            messages += WriteMp(output, [], AfiSafi.IPv6Unicast, default, v6, withdraw: true);
        }
        return messages;
    }

    private static void RequireNextHop(IPAddress? nextHop, string name)
    {
        if (nextHop is null)
        {
            throw new ArgumentException("MP_REACH_NLRI needs a next hop.", name);
        }
    }

    // The common case (one family) takes the span as is in one scan; a mixed span is split into a copy.
    private static ReadOnlySpan<Nlri> Partition(ReadOnlySpan<Nlri> prefixes, bool ipv6)
    {
        var count = 0;
        foreach (ref readonly var p in prefixes)
        {
            if (p.Prefix.IsIPv6)
            {
                count++;
            }
        }
        if (!ipv6)
        {
            count = prefixes.Length - count;
        }
        if (count == prefixes.Length || count == 0)
        {
            return count == 0 ? default : prefixes;
        }
        var result = new Nlri[count];
        var i = 0;
        foreach (ref readonly var p in prefixes)
        {
            if (p.Prefix.IsIPv6 == ipv6)
            {
                result[i++] = p;
            }
        }
        return result;
    }

    // Writes the IPv4 prefixes of the span (IPv6 ones are skipped and counted) into the Withdrawn Routes or NLRI
    // field of as few UPDATEs as fit; writes nothing when there is no IPv4 prefix.
    private int WriteIPv4Field(IBufferWriter<byte> output, ReadOnlySpan<byte> attributeBytes, ReadOnlySpan<Nlri> prefixes, bool withdraw, out int ipv6Count)
    {
        ipv6Count = 0;
        var index = SkipIPv6(prefixes, 0, ref ipv6Count);
        if (index == prefixes.Length)
        {
            return 0;
        }
        var max = _context.MaxMessageLength;
        var addPath = _context.SendsPathIds(AfiSafi.IPv4Unicast);
        var entryMax = addPath ? 9 : 5;
        var fixedLength = BgpMessageHeader.Size + 4 + attributeBytes.Length;
        if (fixedLength + entryMax > max)
        {
            throw new InvalidOperationException($"Path attributes of {attributeBytes.Length} octets leave no room for a prefix in a {max}-octet UPDATE.");
        }
        var messages = 0;
        while (index < prefixes.Length)
        {
            var span = output.GetSpan(max);
            var at = BgpMessageHeader.Size;
            int fieldStart;
            if (withdraw)
            {
                at += 2;
                fieldStart = at;
                at = FillIPv4Field(span, at, max - 2, prefixes, ref index, addPath, ref ipv6Count);
                BinaryPrimitives.WriteUInt16BigEndian(span[BgpMessageHeader.Size..], (ushort)(at - fieldStart));
                BinaryPrimitives.WriteUInt16BigEndian(span[at..], 0);
                at += 2;
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(span[at..], 0);
                BinaryPrimitives.WriteUInt16BigEndian(span[(at + 2)..], (ushort)attributeBytes.Length);
                at += 4;
                attributeBytes.CopyTo(span[at..]);
                at += attributeBytes.Length;
                at = FillIPv4Field(span, at, max, prefixes, ref index, addPath, ref ipv6Count);
            }
            BgpMessageHeader.Write(span, at, BgpMessageType.Update);
            output.Advance(at);
            messages++;
            index = SkipIPv6(prefixes, index, ref ipv6Count);
        }
        return messages;
    }

    private static int SkipIPv6(ReadOnlySpan<Nlri> prefixes, int index, ref int ipv6Count)
    {
        while (index < prefixes.Length && prefixes[index].Prefix.IsIPv6)
        {
            index++;
            ipv6Count++;
        }
        return index;
    }

    private int WriteMp(IBufferWriter<byte> output, ReadOnlySpan<byte> attributeBytes, AfiSafi afiSafi, ReadOnlySpan<byte> nextHop, ReadOnlySpan<Nlri> prefixes, bool withdraw)
    {
        var max = _context.MaxMessageLength;
        var addPath = _context.SendsPathIds(afiSafi);
        var entryMax = (addPath ? 5 : 1) + (afiSafi.Afi == Afi.IPv6 ? 16 : 4);
        // Header, two length fields, the MP attribute's extended header, AFI/SAFI (+ next hop and reserved).
        var mpFixed = 4 + 3 + (withdraw ? 0 : 1 + nextHop.Length + 1);
        var fixedLength = BgpMessageHeader.Size + 4 + mpFixed + attributeBytes.Length;
        if (fixedLength + entryMax > max)
        {
            throw new InvalidOperationException($"Path attributes of {attributeBytes.Length} octets leave no room for a prefix in a {max}-octet UPDATE.");
        }
        var messages = 0;
        var index = 0;
        while (index < prefixes.Length)
        {
            var span = output.GetSpan(max);
            var at = BgpMessageHeader.Size;
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], 0);
            at += 4; // withdrawn length 0, then the attribute length patched below
            var attributesStart = at;
            span[at] = (byte)(PathAttributeFlags.Optional | PathAttributeFlags.ExtendedLength);
            span[at + 1] = (byte)(withdraw ? PathAttributeType.MpUnreachNlri : PathAttributeType.MpReachNlri);
            var mpLengthAt = at + 2;
            at += 4;
            var valueStart = at;
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)afiSafi.Afi);
            span[at + 2] = (byte)afiSafi.Safi;
            at += 3;
            if (!withdraw)
            {
                span[at++] = (byte)nextHop.Length;
                nextHop.CopyTo(span[at..]);
                at += nextHop.Length;
                span[at++] = 0;
            }
            at = Fill(span, at, max - attributeBytes.Length, prefixes, ref index, addPath);
            BinaryPrimitives.WriteUInt16BigEndian(span[mpLengthAt..], (ushort)(at - valueStart));
            attributeBytes.CopyTo(span[at..]);
            at += attributeBytes.Length;
            BinaryPrimitives.WriteUInt16BigEndian(span[(attributesStart - 2)..], (ushort)(at - attributesStart));
            BgpMessageHeader.Write(span, at, BgpMessageType.Update);
            output.Advance(at);
            messages++;
        }
        return messages;
    }

    // Fills an MP_REACH/MP_UNREACH NLRI field from prefixes of its family, in order, until the next one does not fit.
    private static int Fill(Span<byte> span, int at, int limit, ReadOnlySpan<Nlri> prefixes, ref int index, bool addPath)
    {
        if (!addPath && prefixes[index].Prefix.IsIPv4)
        {
            var ignored = 0;
            return FillIPv4Field(span, at, limit, prefixes, ref index, addPath, ref ignored);
        }
        while (index < prefixes.Length)
        {
            var prefix = prefixes[index].Prefix;
            var size = NlriCodec.EncodedLength(prefix, addPath);
            if (at + size > limit)
            {
                break;
            }
            at += NlriCodec.Write(span[at..], prefixes[index], addPath);
            index++;
        }
        return at;
    }

    // Fills an IPv4 field (Withdrawn Routes, NLRI, or MP NLRI of AFI 1) in order until the next IPv4 prefix does not
    // fit before limit; IPv6 prefixes are skipped and counted. Returns the offset after the last entry.
    private static int FillIPv4Field(Span<byte> span, int at, int limit, ReadOnlySpan<Nlri> prefixes, ref int index, bool addPath, ref int ipv6Count)
    {
        var i = index;
        while (i < prefixes.Length)
        {
            ref readonly var nlri = ref prefixes[i];
            var prefix = nlri.Prefix;
            if (prefix.IsIPv6)
            {
                i++;
                ipv6Count++;
                continue;
            }
            var size = NlriCodec.EncodedLength(prefix, addPath);
            if (at + size > limit)
            {
                break;
            }
            if (!addPath)
            {
                // A run of prefixes of this length: how many fit is known up front, so the run needs no bounds check.
                var run = FillIPv4Run(span, at, limit, prefixes, i, prefix.Length);
                if (run > 0)
                {
                    at += run * size;
                    i += run;
                    continue;
                }
            }
            at += NlriCodec.Write(span[at..], nlri, addPath);
            i++;
        }
        index = i;
        return at;
    }

    // The hot loop of the 1 GB/s target. Writes prefixes[start..] while they are IPv4 of the given length and fit,
    // each as one 8-octet big-endian store (length octet, 4 address octets, 3 spare octets that the next entry or
    // the end of the message overwrites; the address is host-bit clean, so only the significant octets count).
    // Stores stay inside the span: the run stops where an 8-octet store would cross its end, and the caller writes
    // the last entries exactly. Returns the number of entries written.
    private static int FillIPv4Run(Span<byte> span, int at, int limit, ReadOnlySpan<Nlri> prefixes, int start, int length)
    {
        var size = 1 + ((length + 7) >> 3);
        var end = Math.Min(limit, span.Length - sizeof(ulong) + size);
        var fit = (end - at) / size;
        if (fit <= 0)
        {
            return 0;
        }
        var count = Math.Min(fit, prefixes.Length - start);
        ref var destination = ref Unsafe.Add(ref MemoryMarshal.GetReference(span), at);
        ref readonly var source = ref prefixes[start];
        var tag = (ulong)length << 56;
        var written = 0;
        while (written < count)
        {
            var prefix = Unsafe.Add(ref Unsafe.AsRef(in source), written).Prefix;
            if (prefix.Length != length || prefix.IsIPv6)
            {
                break;
            }
            Unsafe.WriteUnaligned(ref destination, BinaryPrimitives.ReverseEndianness(tag | prefix.Upper >> 8));
            destination = ref Unsafe.Add(ref destination, size);
            written++;
        }
        return written;
    }
}
