using Microsoft.Extensions.Logging;

namespace BgpKit.Cli.Speaker;

/// <summary>The speaker's logs: one line per event on stderr, so stdout stays for output.</summary>
internal static class ConsoleLogging
{
    public static LogLevel Parse(string level) => level.ToLowerInvariant() switch
    {
        "all" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "none" => LogLevel.None,
        _ => throw new FormatException($"--log-level is one of all, debug, info, warn, error, none; not '{level}'"),
    };

    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        }));
}
