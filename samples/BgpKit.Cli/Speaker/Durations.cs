using System.Globalization;
using System.Text.RegularExpressions;

namespace BgpKit.Cli.Speaker;

/// <summary>Parses durations as client-go's flags take them: seconds (<c>15</c>) or Go's syntax (<c>15s</c>, <c>1m30s</c>, <c>500ms</c>).</summary>
internal static partial class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }
        var match = GoDuration().Match(text);
        if (text.Length > 0 && match.Success)
        {
            var total = TimeSpan.Zero;
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var unit = part.Value.TrimStart("0123456789.".ToCharArray());
                var value = double.Parse(part.Value[..^unit.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                total += unit switch
                {
                    "h" => TimeSpan.FromHours(value),
                    "m" => TimeSpan.FromMinutes(value),
                    "s" => TimeSpan.FromSeconds(value),
                    _ => TimeSpan.FromMilliseconds(value),
                };
            }
            return total;
        }
        throw new FormatException($"{option} expects seconds or a duration such as 15s, 1m or 1m30s, not '{text}'");
    }

    [GeneratedRegex(@"^(?<part>[0-9]+(\.[0-9]+)?(h|ms|m|s))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDuration();
}
