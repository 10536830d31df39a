using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace BgpKit.MetalLb.Model.Resources;

/// <summary>
/// An address as a number, so that pools, ranges and aggregation are plain integer arithmetic.
/// IPv4 uses the low 32 bits.
/// </summary>
internal readonly record struct IpValue : IComparable<IpValue>
{
    // Two ulongs rather than a UInt128 field: UInt128 is 16-byte aligned, which made IpValue 32 bytes
    // (and a route table entry 80); the allocator and route tables hold one per service address.
    private readonly ulong _high;
    private readonly ulong _low;

    public IpValue(bool isV6, UInt128 value)
    {
        IsV6 = isV6;
        _high = (ulong)(value >> 64);
        _low = (ulong)value;
    }

    public bool IsV6 { get; }

    public UInt128 Value => new(_high, _low);

    public int Bits => IsV6 ? 128 : 32;

    public static IpValue From(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        UInt128 value = 0;
        for (int i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }
        return new IpValue(address.AddressFamily == AddressFamily.InterNetworkV6, value);
    }

    public IPAddress ToAddress()
    {
        int length = IsV6 ? 16 : 4;
        Span<byte> bytes = stackalloc byte[length];
        UInt128 v = Value;
        for (int i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(v & 0xFF);
            v >>= 8;
        }
        return new IPAddress(bytes);
    }

    public IpValue Mask(int length) => new(IsV6, Value & MaskOf(IsV6, length));

    public static UInt128 MaskOf(bool v6, int length)
    {
        int bits = v6 ? 128 : 32;
        UInt128 all = v6 ? UInt128.MaxValue : uint.MaxValue;
        return length <= 0 ? 0 : (all << (bits - length)) & all;
    }

    /// <summary>IPv4 addresses ending in .0 or .255, which some old routers drop (avoidBuggyIPs).</summary>
    public bool IsBuggy => !IsV6 && ((byte)Value == 0 || (byte)Value == 255);

    public int CompareTo(IpValue other) => IsV6 != other.IsV6 ? IsV6.CompareTo(other.IsV6) : Value.CompareTo(other.Value);

    public override string ToString() => ToAddress().ToString();
}

/// <summary>A CIDR block: the unit of pools and of announced prefixes.</summary>
internal readonly record struct IpBlock(IpValue Network, int Length) : IComparable<IpBlock>
{
    public bool IsV6 => Network.IsV6;
    public UInt128 First => Network.Value;
    public UInt128 Last => Network.Value | (~IpValue.MaskOf(IsV6, Length) & (IsV6 ? UInt128.MaxValue : uint.MaxValue));

    public static IpBlock Create(IpValue address, int length) => new(address.Mask(length), length);

    public bool Contains(IpValue address) => address.IsV6 == IsV6 && address.Value >= First && address.Value <= Last;

    public bool Overlaps(IpBlock other) => other.IsV6 == IsV6 && other.First <= Last && First <= other.Last;

    public static bool TryParse(string text, out IpBlock block)
    {
        block = default;
        int slash = text.IndexOf('/');
        if (slash < 0 || !StrictIp.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out int length))
        {
            return false;
        }
        var value = IpValue.From(address);
        if (length > value.Bits)
        {
            return false;
        }
        block = Create(value, length);
        return true;
    }

    /// <summary>The fewest CIDR blocks covering exactly first..last (both included).</summary>
    public static List<IpBlock> Summarize(IpValue first, IpValue last)
    {
        var result = new List<IpBlock>();
        int bits = first.Bits;
        UInt128 start = first.Value, end = last.Value;
        while (true)
        {
            int size = start == 0 ? bits : Math.Min(bits, (int)UInt128.TrailingZeroCount(start));
            while (size > 0 && !Fits(start, size, end))
            {
                size--;
            }
            result.Add(new IpBlock(new IpValue(first.IsV6, start), bits - size));
            UInt128 blockLast = size >= 128 ? UInt128.MaxValue : start + ((UInt128)1 << size) - 1;
            if (blockLast >= end)
            {
                break;
            }
            start = blockLast + 1;
        }
        return result;
    }

    private static bool Fits(UInt128 start, int size, UInt128 end) =>
        size >= 128 ? start == 0 && end == UInt128.MaxValue : start + ((UInt128)1 << size) - 1 <= end;

    public int CompareTo(IpBlock other)
    {
        int c = Network.CompareTo(other.Network);
        return c != 0 ? c : Length.CompareTo(other.Length);
    }

    public override string ToString() => $"{Network}/{Length}";
}
