using System.Globalization;
using System.Text;

namespace BgpKit.MetalLb.Kubernetes.Metrics;

/// <summary>
/// The pieces of the Prometheus text exposition format 0.0.4: metric and label names, escaping
/// of HELP text and label values, and sample values. See
/// https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The Content-Type a scraper expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Every exported metric name starts with this.</summary>
    public const string Prefix = "bgpkit_";

    /// <summary>Names that already carry MetalLB's prefix keep it instead.</summary>
    public const string MetalLbPrefix = "metallb_";

    /// <summary>
    /// <c>bgpkit_</c> + the instrument name with every character outside <c>[a-zA-Z0-9_:]</c>
    /// turned into <c>_</c>; a name that already carries the prefix, or MetalLB's <c>metallb_</c>, keeps it.
    /// </summary>
    public static string MetricName(string instrumentName)
    {
        var sanitized = Sanitize(instrumentName, allowColon: true);
        // MetalLB's own names (metallb_allocator_..., metallb_k8s_client_...) stay as they are: dashboards and alerts use them.
        return sanitized.StartsWith(Prefix, StringComparison.Ordinal) || sanitized.StartsWith(MetalLbPrefix, StringComparison.Ordinal)
            ? sanitized
            : Prefix + sanitized;
    }

    /// <summary>A label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, other characters become <c>_</c>.</summary>
    public static string LabelName(string key)
    {
        var sanitized = Sanitize(key, allowColon: false);
        // Names beginning with __ are reserved for Prometheus itself.
        return sanitized.StartsWith("__", StringComparison.Ordinal) ? "_" + sanitized.TrimStart('_') : sanitized;
    }

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }
        var builder = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }
        return builder.ToString();
    }

    /// <summary>HELP text escapes backslash and line feed.</summary>
    public static string EscapeHelp(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
             .Replace("\"", "\\\"", StringComparison.Ordinal)
             .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A sample value as Go's ParseFloat reads it: integers plainly, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Value(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        return value.ToString("R", CultureInfo.InvariantCulture);
    }
}
