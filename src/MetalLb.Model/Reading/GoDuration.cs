using System.Globalization;

namespace BgpKit.MetalLb.Model.Reading;

/// <summary>
/// Go's time.ParseDuration syntax, which metav1.Duration fields use: a sequence of decimal numbers
/// with units ns, us (µs), ms, s, m, h, e.g. <c>3s</c>, <c>1m</c>, <c>5m30s</c>, <c>1.5h</c>; <c>0</c> alone is allowed.
/// </summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.AsSpan().Trim();
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.SequenceEqual("0"))
        {
            return true;
        }
        if (s.IsEmpty)
        {
            return false;
        }
        decimal totalNs = 0;
        while (!s.IsEmpty)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == 0 || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            s = s[i..];
            int j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }
            decimal unit = s[..j] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (unit < 0)
            {
                return false;
            }
            totalNs += number * unit;
            s = s[j..];
        }
        long ticks = (long)(totalNs / 100m);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Formats the way Go prints durations (<c>1m30s</c>, <c>90s</c> becomes <c>1m30s</c>).</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }
        var text = new System.Text.StringBuilder();
        if (duration.TotalHours >= 1)
        {
            text.Append((long)duration.TotalHours).Append('h');
        }
        if (duration.Minutes > 0 || (text.Length > 0 && (duration.Seconds > 0 || duration.Milliseconds > 0)))
        {
            text.Append(duration.Minutes).Append('m');
        }
        double seconds = duration.Seconds + duration.Milliseconds / 1000.0;
        if (seconds > 0 || text.Length == 0)
        {
            text.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        }
        return text.ToString();
    }
}

/// <summary>Kubernetes resource quantities (<c>100m</c>, <c>1Gi</c>, <c>1.5k</c>, <c>1e3</c>) as decimals.</summary>
internal static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1_000m), ("M", 1_000_000m),
        ("G", 1_000_000_000m), ("T", 1_000_000_000_000m), ("P", 1_000_000_000_000_000m), ("E", 1_000_000_000_000_000_000m),
    ];

    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        var s = text.Trim();
        decimal factor = 1m;
        foreach (var (suffix, f) in Suffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal) && s.Length > suffix.Length && (suffix != "E" || !s.Contains('e')))
            {
                factor = f;
                s = s[..^suffix.Length];
                break;
            }
        }
        if (!decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        value = number * factor;
        return true;
    }
}
