using BgpKit.Bgp.Wire;

namespace BgpKit.MetalLb.Model.Resources;

/// <summary>
/// A BGP community as MetalLB accepts it: standard <c>a:b</c> (RFC 1997, 16-bit halves), large
/// <c>large:a:b:c</c> (RFC 8092, 32-bit parts), or a well-known name.
/// </summary>
internal readonly record struct CommunityValue(bool IsLarge, uint Value, uint Global, uint Local1, uint Local2) : IComparable<CommunityValue>
{
    public static CommunityValue Standard(uint value) => new(false, value, 0, 0, 0);

    public static CommunityValue Large(uint global, uint local1, uint local2) => new(true, 0, global, local1, local2);

    /// <summary>
    /// Parses with Bgp.Wire's <see cref="Community"/> and <see cref="LargeCommunity"/>. MetalLB's syntax
    /// needs the "large:" prefix for large communities and a colon (or a well-known name) for standard ones.
    /// </summary>
    public static bool TryParse(string text, out CommunityValue value, out string error)
    {
        value = default;
        error = "";
        var t = text.Trim();
        if (t.StartsWith("large:", StringComparison.Ordinal))
        {
            if (t.Count(c => c == ':') == 3 && LargeCommunity.TryParse(t["large:".Length..], out var large))
            {
                value = Large(large.GlobalAdministrator, large.LocalData1, large.LocalData2);
                return true;
            }
            error = $"invalid large community '{t}': each part must be 0..4294967295";
            return false;
        }
        bool numericWhole = t.Length > 0 && t.All(char.IsAsciiDigit);
        if (!numericWhole && t.Count(c => c == ':') <= 1 && Community.TryParse(t.Replace('_', '-'), out var community))
        {
            value = Standard(community.Value);
            return true;
        }
        error = t.Count(c => c == ':') == 1
            ? $"invalid community '{t}': each half must be 0..65535"
            : $"invalid community '{t}': expected a:b, large:a:b:c, a well-known name or a Community alias";
        return false;
    }

    /// <summary>Numeric form: <c>65000:100</c> or <c>65000:1:2</c> (the way FRR and BIRD show them).</summary>
    public override string ToString() => IsLarge ? $"{Global}:{Local1}:{Local2}" : $"{Value >> 16}:{Value & 0xFFFF}";

    public int CompareTo(CommunityValue other) =>
        IsLarge != other.IsLarge ? IsLarge.CompareTo(other.IsLarge)
        : IsLarge ? (Global, Local1, Local2).CompareTo((other.Global, other.Local1, other.Local2))
        : Value.CompareTo(other.Value);
}
