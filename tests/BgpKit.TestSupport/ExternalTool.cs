using System.Collections.Concurrent;
using System.Diagnostics;

namespace BgpKit.TestSupport;

/// <summary>
/// Runs the judges (tshark, bgpdump) as child processes, at most two at a time on this 2-core machine,
/// and remembers each answer for the rest of the test run (the same file is asked about by several tests).
/// </summary>
public static class ExternalTool
{
    private static readonly SemaphoreSlim Slots = new(2);
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Answers = new();

    /// <summary>Whether <paramref name="tool"/> is on the PATH.</summary>
    public static bool IsInstalled(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    /// <summary>The standard output of <paramref name="tool"/> run with <paramref name="arguments"/>; cached per run.</summary>
    public static Task<string> RunAsync(string tool, params string[] arguments)
    {
        var key = tool + "\0" + string.Join("\0", arguments);
        return Answers.GetOrAdd(key, _ => new Lazy<Task<string>>(() => RunUncachedAsync(tool, arguments))).Value;
    }

    /// <summary>
    /// The standard output of <paramref name="tool"/> run now, not cached: for a file that is still being written
    /// (a capture in progress).
    /// </summary>
    public static async Task<string> RunUncachedAsync(string tool, params string[] arguments)
    {
        await Slots.WaitAsync().ConfigureAwait(false);
        try
        {
            var start = new ProcessStartInfo(tool)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {tool}");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await error.ConfigureAwait(false);
            return await output.ConfigureAwait(false);
        }
        finally
        {
            Slots.Release();
        }
    }
}
