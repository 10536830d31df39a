using System.Globalization;

namespace BgpKit.MetalLb.Model.Resources;

/// <summary>
/// A BGP community as MetalLB accepts it: standard <c>a:b</c> (RFC 1997, 16-bit halves), large
/// <c>large:a:b:c</c> (RFC 8092, 32-bit parts), or a well-known name.
/// </summary>
internal readonly record struct CommunityValue(bool IsLarge, uint Value, uint Global, uint Local1, uint Local2) : IComparable<CommunityValue>
{
    private static readonly Dictionary<string, uint> WellKnown = new(StringComparer.OrdinalIgnoreCase)
    {
        ["no-export"] = 0xFFFFFF01, // RFC 1997
        ["no-advertise"] = 0xFFFFFF02,
        ["no-export-subconfed"] = 0xFFFFFF03,
        ["no-peer"] = 0xFFFFFF04, // RFC 3765
        ["blackhole"] = 0xFFFF029A, // RFC 7999
        ["graceful-shutdown"] = 0xFFFF0000, // RFC 8326
    };

    public static CommunityValue Standard(uint value) => new(false, value, 0, 0, 0);

    public static CommunityValue Large(uint global, uint local1, uint local2) => new(true, 0, global, local1, local2);

    public static bool TryParse(string text, out CommunityValue value, out string error)
    {
        value = default;
        error = "";
        var t = text.Trim();
        if (WellKnown.TryGetValue(t.Replace('_', '-'), out uint known))
        {
            value = Standard(known);
            return true;
        }
        var parts = t.Split(':');
        if (parts.Length == 4 && parts[0] == "large")
        {
            if (uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint g)
                && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint l1)
                && uint.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint l2))
            {
                value = Large(g, l1, l2);
                return true;
            }
            error = $"invalid large community '{t}': each part must be 0..4294967295";
            return false;
        }
        if (parts.Length == 2)
        {
            if (ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ushort high)
                && ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ushort low))
            {
                value = Standard(((uint)high << 16) | low);
                return true;
            }
            error = $"invalid community '{t}': each half must be 0..65535";
            return false;
        }
        error = $"invalid community '{t}': expected a:b, large:a:b:c, a well-known name or a Community alias";
        return false;
    }

    /// <summary>Numeric form: <c>65000:100</c> or <c>65000:1:2</c> (the way FRR and BIRD show them).</summary>
    public override string ToString() => IsLarge ? $"{Global}:{Local1}:{Local2}" : $"{Value >> 16}:{Value & 0xFFFF}";

    public int CompareTo(CommunityValue other) =>
        IsLarge != other.IsLarge ? IsLarge.CompareTo(other.IsLarge)
        : IsLarge ? (Global, Local1, Local2).CompareTo((other.Global, other.Local1, other.Local2))
        : Value.CompareTo(other.Value);
}
