using System.Globalization;

namespace BgpKit.Bgp.Wire;

/// <summary>A large community (RFC 8092): three 32-bit parts written "global:local1:local2".</summary>
public readonly struct LargeCommunity : IEquatable<LargeCommunity>, IComparable<LargeCommunity>
{
    /// <summary>A large community from its three parts.</summary>
    public LargeCommunity(uint globalAdministrator, uint localData1, uint localData2)
    {
        GlobalAdministrator = globalAdministrator;
        LocalData1 = localData1;
        LocalData2 = localData2;
    }

    /// <summary>The Global Administrator (usually the ASN).</summary>
    public uint GlobalAdministrator { get; }

    /// <summary>Local Data Part 1.</summary>
    public uint LocalData1 { get; }

    /// <summary>Local Data Part 2.</summary>
    public uint LocalData2 { get; }

    /// <summary>Parses "a:b:c" with decimal 32-bit parts.</summary>
    /// <exception cref="FormatException">The text is not a large community.</exception>
    public static LargeCommunity Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text.AsSpan(), out var c) ? c : throw new FormatException($"'{text}' is not a large community (a:b:c).");
    }

    /// <summary>Parses without throwing; see <see cref="Parse(string)"/>.</summary>
    public static bool TryParse(string? text, out LargeCommunity community) => TryParse(text.AsSpan(), out community);

    /// <summary>Parses without throwing; see <see cref="Parse(string)"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out LargeCommunity community)
    {
        community = default;
        text = text.Trim();
        var first = text.IndexOf(':');
        if (first < 0)
        {
            return false;
        }
        var rest = text[(first + 1)..];
        var second = rest.IndexOf(':');
        if (second < 0
            || !uint.TryParse(text[..first], NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            || !uint.TryParse(rest[..second], NumberStyles.None, CultureInfo.InvariantCulture, out var b)
            || !uint.TryParse(rest[(second + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var c))
        {
            return false;
        }
        community = new LargeCommunity(a, b, c);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(LargeCommunity other) =>
        GlobalAdministrator == other.GlobalAdministrator && LocalData1 == other.LocalData1 && LocalData2 == other.LocalData2;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LargeCommunity other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(GlobalAdministrator, LocalData1, LocalData2);

    /// <inheritdoc/>
    public int CompareTo(LargeCommunity other)
    {
        var c = GlobalAdministrator.CompareTo(other.GlobalAdministrator);
        if (c == 0)
        {
            c = LocalData1.CompareTo(other.LocalData1);
        }
        return c != 0 ? c : LocalData2.CompareTo(other.LocalData2);
    }

    /// <summary>Equality of value.</summary>
    public static bool operator ==(LargeCommunity left, LargeCommunity right) => left.Equals(right);

    /// <summary>Inequality of value.</summary>
    public static bool operator !=(LargeCommunity left, LargeCommunity right) => !left.Equals(right);

    /// <summary>"a:b:c" in decimal.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{GlobalAdministrator}:{LocalData1}:{LocalData2}");
}
