using System.Globalization;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// A BGP community (RFC 1997): 32 bits written "a:b" with two 16-bit halves. Parsing also accepts
/// the well-known names of the IANA registry ("no-export", "NO_EXPORT", "blackhole", ...); printing
/// always gives numbers, as routers' configuration round-trips require.
/// </summary>
public readonly struct Community : IEquatable<Community>, IComparable<Community>
{
    /// <summary>GRACEFUL_SHUTDOWN 65535:0 (RFC 8326).</summary>
    public static readonly Community GracefulShutdown = new(0xFFFF0000);

    /// <summary>ACCEPT_OWN 65535:1 (RFC 7611).</summary>
    public static readonly Community AcceptOwn = new(0xFFFF0001);

    /// <summary>ROUTE_FILTER_TRANSLATED_v4 65535:2.</summary>
    public static readonly Community RouteFilterTranslatedV4 = new(0xFFFF0002);

    /// <summary>ROUTE_FILTER_v4 65535:3.</summary>
    public static readonly Community RouteFilterV4 = new(0xFFFF0003);

    /// <summary>ROUTE_FILTER_TRANSLATED_v6 65535:4.</summary>
    public static readonly Community RouteFilterTranslatedV6 = new(0xFFFF0004);

    /// <summary>ROUTE_FILTER_v6 65535:5.</summary>
    public static readonly Community RouteFilterV6 = new(0xFFFF0005);

    /// <summary>LLGR_STALE 65535:6 (RFC 9494).</summary>
    public static readonly Community LlgrStale = new(0xFFFF0006);

    /// <summary>NO_LLGR 65535:7 (RFC 9494).</summary>
    public static readonly Community NoLlgr = new(0xFFFF0007);

    /// <summary>accept-own-nexthop 65535:8.</summary>
    public static readonly Community AcceptOwnNexthop = new(0xFFFF0008);

    /// <summary>Standby PE 65535:9 (RFC 9026).</summary>
    public static readonly Community StandbyPe = new(0xFFFF0009);

    /// <summary>BLACKHOLE 65535:666 (RFC 7999).</summary>
    public static readonly Community Blackhole = new(0xFFFF029A);

    /// <summary>NO_EXPORT 65535:65281 (RFC 1997).</summary>
    public static readonly Community NoExport = new(0xFFFFFF01);

    /// <summary>NO_ADVERTISE 65535:65282 (RFC 1997).</summary>
    public static readonly Community NoAdvertise = new(0xFFFFFF02);

    /// <summary>NO_EXPORT_SUBCONFED 65535:65283 (RFC 1997; "local-as" in some CLIs).</summary>
    public static readonly Community NoExportSubconfed = new(0xFFFFFF03);

    /// <summary>NOPEER 65535:65284 (RFC 3765).</summary>
    public static readonly Community NoPeer = new(0xFFFFFF04);

    private static readonly (string Name, uint Value)[] WellKnown =
    [
        ("graceful-shutdown", 0xFFFF0000), ("accept-own", 0xFFFF0001),
        ("route-filter-translated-v4", 0xFFFF0002), ("route-filter-v4", 0xFFFF0003),
        ("route-filter-translated-v6", 0xFFFF0004), ("route-filter-v6", 0xFFFF0005),
        ("llgr-stale", 0xFFFF0006), ("no-llgr", 0xFFFF0007), ("accept-own-nexthop", 0xFFFF0008),
        ("standby-pe", 0xFFFF0009), ("blackhole", 0xFFFF029A), ("no-export", 0xFFFFFF01),
        ("no-advertise", 0xFFFFFF02), ("no-export-subconfed", 0xFFFFFF03), ("local-as", 0xFFFFFF03),
        ("no-peer", 0xFFFFFF04), ("nopeer", 0xFFFFFF04),
    ];

    /// <summary>A community from its 32-bit value.</summary>
    public Community(uint value) => Value = value;

    /// <summary>A community from its two halves: "high:low" (usually ASN:value).</summary>
    public Community(ushort high, ushort low) => Value = (uint)high << 16 | low;

    /// <summary>The 32-bit value as carried on the wire.</summary>
    public uint Value { get; }

    /// <summary>The upper 16 bits (usually the ASN).</summary>
    public ushort High => (ushort)(Value >> 16);

    /// <summary>The lower 16 bits.</summary>
    public ushort Low => (ushort)Value;

    /// <summary>True for the reserved ranges 0:x and 65535:x, which hold the well-known communities.</summary>
    public bool IsReserved => High is 0 or 0xFFFF;

    /// <summary>Parses "a:b" (decimal halves 0..65535), a 32-bit decimal number, or a well-known name.</summary>
    /// <exception cref="FormatException">The text is not a community.</exception>
    public static Community Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text.AsSpan(), out var c) ? c : throw new FormatException($"'{text}' is not a BGP community (a:b or a well-known name).");
    }

    /// <summary>Parses without throwing; see <see cref="Parse(string)"/>.</summary>
    public static bool TryParse(string? text, out Community community) => TryParse(text.AsSpan(), out community);

    /// <summary>Parses without throwing; see <see cref="Parse(string)"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Community community)
    {
        community = default;
        text = text.Trim();
        var colon = text.IndexOf(':');
        if (colon >= 0)
        {
            if (!TryParseNumber(text[..colon], out var high) || !TryParseNumber(text[(colon + 1)..], out var low) || high > 0xFFFF || low > 0xFFFF)
            {
                return false;
            }
            community = new Community((ushort)high, (ushort)low);
            return true;
        }
        if (TryParseNumber(text, out var whole))
        {
            community = new Community(whole);
            return true;
        }
        foreach (var (name, value) in WellKnown)
        {
            if (NameEquals(text, name))
            {
                community = new Community(value);
                return true;
            }
        }
        return false;
    }

    /// <summary>The registry name ("no-export") of a well-known community, or null.</summary>
    public string? WellKnownName
    {
        get
        {
            foreach (var (name, value) in WellKnown)
            {
                if (value == Value)
                {
                    return name;
                }
            }
            return null;
        }
    }

    // Names compare case-insensitively with '-' and '_' interchangeable: "NO_EXPORT" == "no-export".
    private static bool NameEquals(ReadOnlySpan<char> text, string name)
    {
        if (text.Length != name.Length)
        {
            return false;
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = char.ToLowerInvariant(text[i]);
            if (c == '_')
            {
                c = '-';
            }
            if (c != name[i])
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <inheritdoc/>
    public bool Equals(Community other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Community other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)Value;

    /// <inheritdoc/>
    public int CompareTo(Community other) => Value.CompareTo(other.Value);

    /// <summary>Equality of value.</summary>
    public static bool operator ==(Community left, Community right) => left.Equals(right);

    /// <summary>Inequality of value.</summary>
    public static bool operator !=(Community left, Community right) => !left.Equals(right);

    /// <summary>"high:low" in decimal, e.g. "65535:65281" for NO_EXPORT.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{High}:{Low}");
}
