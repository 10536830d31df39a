using System.Diagnostics;
using BgpKit.TestSupport;

namespace BgpKit.Deploy.Tests.Render;

/// <summary>Runs <c>kubectl kustomize</c> (kustomize is built into kubectl; it renders offline).</summary>
public static class Kustomize
{
    public static string? Missing => ExternalTool.IsInstalled("kubectl") ? null : "kubectl is not on PATH (CI has it; Debian package kubectl)";

    /// <summary>The render of the kustomization in <paramref name="directory"/>; fails with kubectl's message.</summary>
    public static async Task<string> RenderAsync(string directory)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed: {await error}");
        return await output;
    }
}

/// <summary>A fact skipped, with the reason, where kubectl is not installed.</summary>
public sealed class KustomizeFactAttribute : FactAttribute
{
    public KustomizeFactAttribute()
    {
        if (Kustomize.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
