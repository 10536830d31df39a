using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

public sealed partial class PathAttributes
{
    private const PathAttributeFlags WellKnown = PathAttributeFlags.Transitive;
    private const PathAttributeFlags OptionalTransitive = PathAttributeFlags.Optional | PathAttributeFlags.Transitive;
    private const PathAttributeFlags OptionalNonTransitive = PathAttributeFlags.Optional;

    /// <summary>Octets the attributes take on a session with this context (MP_REACH/MP_UNREACH excluded).</summary>
    public int GetEncodedLength(BgpDecodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var asnSize = context.FourOctetAs ? 4 : 2;
        var v = V;
        var n = 0;
        if (Origin is not null)
        {
            n += Header(1, 1);
        }
        if (AsPath is { } path)
        {
            n += Header(2, path.EncodedLength(asnSize));
            if (!context.FourOctetAs && path.HasFourOctetAsns)
            {
                n += Header(17, path.EncodedLength(4, skipConfed: true));
            }
        }
        n += NextHop is null ? 0 : Header(3, 4);
        n += MultiExitDisc is null ? 0 : Header(4, 4);
        n += LocalPref is null ? 0 : Header(5, 4);
        n += AtomicAggregate ? Header(6, 0) : 0;
        if (Aggregator is { } ag)
        {
            n += Header(7, 4 + asnSize);
            if (!context.FourOctetAs && ag.Asn > ushort.MaxValue)
            {
                n += Header(18, 8);
            }
        }
        n += v.Communities.Length == 0 ? 0 : Header(8, 4 * v.Communities.Length);
        n += OriginatorId is null ? 0 : Header(9, 4);
        n += v.ClusterList.Length == 0 ? 0 : Header(10, 4 * v.ClusterList.Length);
        n += v.ExtendedCommunities.Length == 0 ? 0 : Header(16, 8 * v.ExtendedCommunities.Length);
        n += v.LargeCommunities.Length == 0 ? 0 : Header(32, 12 * v.LargeCommunities.Length);
        n += OnlyToCustomer is null ? 0 : Header(35, 4);
        foreach (var u in v.Unknown)
        {
            n += u.Value.Length + (u.Value.Length > 255 || (u.Flags & PathAttributeFlags.ExtendedLength) != 0 ? 4 : 3);
        }
        return n;
    }

    private int Header(byte type, int valueLength) => valueLength + (UsesExtendedLength(type, valueLength) ? 4 : 3);

    private bool UsesExtendedLength(byte type, int valueLength) => valueLength > 255 || ((ExtendedLengthTypes >> type) & 1) != 0;

    /// <summary>
    /// Writes the attributes in ascending type order, unknown ones at their place; returns the octets written.
    /// The destination must hold <see cref="GetEncodedLength"/> octets.
    /// </summary>
    public int Write(Span<byte> destination, BgpDecodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var asnSize = context.FourOctetAs ? 4 : 2;
        var v = V;
        var at = 0;
        var unknown = 0;
        var sorted = SortedUnknown(v.Unknown);
        void FlushUnknown(Span<byte> d, ref int pos, int upTo, UnknownAttribute[] list, ref int index)
        {
            while (index < list.Length && list[index].TypeCode < upTo)
            {
                var u = list[index++];
                var extended = u.Value.Length > 255 || (u.Flags & PathAttributeFlags.ExtendedLength) != 0;
                pos = WriteHeader(d, pos, u.Flags & ~PathAttributeFlags.ExtendedLength, u.TypeCode, u.Value.Length, extended);
                u.Value.Span.CopyTo(d[pos..]);
                pos += u.Value.Length;
            }
        }

        if (Origin is { } origin)
        {
            FlushUnknown(destination, ref at, 1, sorted, ref unknown);
            at = WriteHeader(destination, at, WellKnown, 1, 1);
            destination[at++] = (byte)origin;
        }
        if (AsPath is { } path)
        {
            FlushUnknown(destination, ref at, 2, sorted, ref unknown);
            at = WriteHeader(destination, at, WellKnown, 2, path.EncodedLength(asnSize));
            at += path.Write(destination[at..], asnSize);
        }
        at = WriteUInt32(destination, at, WellKnown, 3, NextHop, sorted, ref unknown);
        at = WriteUInt32(destination, at, OptionalNonTransitive, 4, MultiExitDisc, sorted, ref unknown);
        at = WriteUInt32(destination, at, WellKnown, 5, LocalPref, sorted, ref unknown);
        if (AtomicAggregate)
        {
            FlushUnknown(destination, ref at, 6, sorted, ref unknown);
            at = WriteHeader(destination, at, WellKnown, 6, 0);
        }
        if (Aggregator is { } ag)
        {
            FlushUnknown(destination, ref at, 7, sorted, ref unknown);
            at = WriteHeader(destination, at, OptionalTransitive, 7, 4 + asnSize);
            if (asnSize == 4)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], ag.Asn);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(destination[at..], ag.Asn > ushort.MaxValue ? OpenMessage.AsTrans : (ushort)ag.Asn);
            }
            at += asnSize;
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], ag.Address);
            at += 4;
        }
        if (v.Communities.Length > 0)
        {
            FlushUnknown(destination, ref at, 8, sorted, ref unknown);
            at = WriteHeader(destination, at, OptionalTransitive, 8, 4 * v.Communities.Length);
            foreach (var c in v.Communities)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], c.Value);
                at += 4;
            }
        }
        at = WriteUInt32(destination, at, OptionalNonTransitive, 9, OriginatorId, sorted, ref unknown);
        if (v.ClusterList.Length > 0)
        {
            FlushUnknown(destination, ref at, 10, sorted, ref unknown);
            at = WriteHeader(destination, at, OptionalNonTransitive, 10, 4 * v.ClusterList.Length);
            foreach (var c in v.ClusterList)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], c);
                at += 4;
            }
        }
        if (v.ExtendedCommunities.Length > 0)
        {
            FlushUnknown(destination, ref at, 16, sorted, ref unknown);
            at = WriteHeader(destination, at, OptionalTransitive, 16, 8 * v.ExtendedCommunities.Length);
            foreach (var c in v.ExtendedCommunities)
            {
                c.Write(destination[at..]);
                at += 8;
            }
        }
        // RFC 6793 section 4.2.2: a 2-octet session carries the true path and aggregator in AS4_PATH/AS4_AGGREGATOR.
        if (!context.FourOctetAs && AsPath is { HasFourOctetAsns: true } as4)
        {
            FlushUnknown(destination, ref at, 17, sorted, ref unknown);
            at = WriteHeader(destination, at, OptionalTransitive, 17, as4.EncodedLength(4, skipConfed: true));
            at += as4.Write(destination[at..], 4, skipConfed: true);
        }
        if (!context.FourOctetAs && Aggregator is { } ag4 && ag4.Asn > ushort.MaxValue)
        {
            FlushUnknown(destination, ref at, 18, sorted, ref unknown);
            at = WriteHeader(destination, at, OptionalTransitive, 18, 8);
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], ag4.Asn);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 4)..], ag4.Address);
            at += 8;
        }
        if (v.LargeCommunities.Length > 0)
        {
            FlushUnknown(destination, ref at, 32, sorted, ref unknown);
            at = WriteHeader(destination, at, OptionalTransitive, 32, 12 * v.LargeCommunities.Length);
            foreach (var c in v.LargeCommunities)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], c.GlobalAdministrator);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 4)..], c.LocalData1);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 8)..], c.LocalData2);
                at += 12;
            }
        }
        at = WriteUInt32(destination, at, OptionalTransitive, 35, OnlyToCustomer, sorted, ref unknown);
        FlushUnknown(destination, ref at, 256, sorted, ref unknown);
        return at;
    }

    private static UnknownAttribute[] SortedUnknown(UnknownAttribute[] unknown)
    {
        if (unknown.Length < 2)
        {
            return unknown;
        }
        var copy = (UnknownAttribute[])unknown.Clone();
        // Stable by type code: duplicates of an unknown type keep their order.
        var keys = new int[copy.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = copy[i].TypeCode << 16 | i;
        }
        Array.Sort(keys, copy);
        return copy;
    }

    private int WriteUInt32(Span<byte> destination, int at, PathAttributeFlags flags, byte type, uint? value, UnknownAttribute[] sorted, ref int unknown)
    {
        if (value is not { } v)
        {
            return at;
        }
        while (unknown < sorted.Length && sorted[unknown].TypeCode < type)
        {
            var u = sorted[unknown++];
            var extended = u.Value.Length > 255 || (u.Flags & PathAttributeFlags.ExtendedLength) != 0;
            at = WriteHeader(destination, at, u.Flags & ~PathAttributeFlags.ExtendedLength, u.TypeCode, u.Value.Length, extended);
            u.Value.Span.CopyTo(destination[at..]);
            at += u.Value.Length;
        }
        at = WriteHeader(destination, at, flags, type, 4);
        BinaryPrimitives.WriteUInt32BigEndian(destination[at..], v);
        return at + 4;
    }

    private int WriteHeader(Span<byte> destination, int at, PathAttributeFlags flags, byte type, int valueLength) =>
        WriteHeader(destination, at, flags, type, valueLength, UsesExtendedLength(type, valueLength));

    internal static int WriteHeader(Span<byte> destination, int at, PathAttributeFlags flags, byte type, int valueLength, bool extended)
    {
        destination[at] = (byte)(flags | (extended ? PathAttributeFlags.ExtendedLength : 0));
        destination[at + 1] = type;
        if (extended)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], (ushort)valueLength);
            return at + 4;
        }
        destination[at + 2] = (byte)valueLength;
        return at + 3;
    }
}
