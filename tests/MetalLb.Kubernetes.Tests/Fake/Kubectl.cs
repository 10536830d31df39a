using System.Diagnostics;
using System.Text.Json.Nodes;

namespace BgpKit.MetalLb.Kubernetes.Tests.Fake;

/// <summary>The real kubectl, pointed at a fake API server with no kubeconfig, no auth and a private discovery cache.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly Uri _server;
    private readonly string _home = Directory.CreateTempSubdirectory("kubectl-").FullName;

    public Kubectl(Uri server) => _server = server;

    /// <summary>Why kubectl tests cannot run here, or null.</summary>
    public static string? Missing { get; } = FindOnPath("kubectl") is null ? "kubectl is not installed (not on PATH): the fidelity checks against it are skipped" : null;

    /// <summary>Runs kubectl; returns its exit code, standard output and standard error.</summary>
    public async Task<(int Code, string Out, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(FindOnPath("kubectl")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments.Concat(["--server", _server.ToString().TrimEnd('/'), "--insecure-skip-tls-verify", "--cache-dir", Path.Combine(_home, "cache"), "--request-timeout", "20s"]))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["HOME"] = _home;
        start.Environment["KUBECONFIG"] = Path.Combine(_home, "none");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs kubectl and parses its JSON output, failing with its error output when it fails.</summary>
    public async Task<JsonObject> JsonAsync(params string[] arguments)
    {
        var (code, output, error) = await RunAsync([.. arguments, "-o", "json"]);
        Assert.True(code == 0, $"kubectl {string.Join(' ', arguments)} exited {code}: {error}");
        return (JsonObject)JsonNode.Parse(output)!;
    }

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}

/// <summary>A fact skipped, with the reason, where kubectl is not installed.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when kubectl is missing.</summary>
    public KubectlFactAttribute()
    {
        if (Kubectl.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
