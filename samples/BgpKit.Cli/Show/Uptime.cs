using System.Globalization;

namespace BgpKit.Cli.Show;

/// <summary>Durations as FRR's vtysh prints them in its Up/Down column.</summary>
internal static class Uptime
{
    /// <summary><c>hh:mm:ss</c> under a day, <c>NdHHhMMm</c> under a week, <c>NNwNdHHh</c> beyond.</summary>
    public static string Format(long seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        if (t.TotalDays < 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}");
        }
        if (t.TotalDays < 7)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{t.Days}d{t.Hours:00}h{t.Minutes:00}m");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{t.Days / 7:00}w{t.Days % 7}d{t.Hours:00}h");
    }

    /// <summary>As FRR's <c>show bfd peers</c>: <c>1 minute(s), 2 second(s)</c>.</summary>
    public static string Words(long seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        var parts = new List<string>();
        if (t.Days > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{t.Days} day(s)"));
        }
        if (t.Hours > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{t.Hours} hour(s)"));
        }
        if (t.Minutes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{t.Minutes} minute(s)"));
        }
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{t.Seconds} second(s)"));
        return string.Join(", ", parts);
    }
}
