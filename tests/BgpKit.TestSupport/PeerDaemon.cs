using System.Diagnostics;
using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// A real routing daemon run for one test: its own temp directory, its log in that directory,
/// stopped by pid (SIGKILL) and its directory deleted on dispose. Subclasses know how to start
/// and query one daemon (FRR bgpd, BIRD, GoBGP, ExaBGP).
/// </summary>
public abstract class PeerDaemon : IAsyncDisposable
{
    private Process? _process;

    /// <summary>Creates the per-test directory (<c>/tmp/bgpkit-NAME-xxxx</c>).</summary>
    protected PeerDaemon(string name)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory($"bgpkit-{name}-").FullName;
        LogPath = Path.Combine(Directory, name + ".log");
    }

    /// <summary>The daemon's private directory (config, sockets, pid file, log).</summary>
    public string Directory { get; }

    /// <summary>Where the daemon's stdout and stderr (and its log, where configurable) go.</summary>
    public string LogPath { get; }

    /// <summary>The daemon's process id while it runs.</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("not running");

    /// <summary>True while the daemon process is alive.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the daemon logged so far.</summary>
    public string ReadLog()
    {
        using var stream = new FileStream(LogPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Freezes the daemon without closing its sockets (SIGSTOP): its peers' hold timers run out.</summary>
    public void Freeze() => ProcessSignal.Stop(Pid);

    /// <summary>Lets a frozen daemon run again (SIGCONT).</summary>
    public void Thaw() => ProcessSignal.Continue(Pid);

    /// <summary>Kills the daemon at once (SIGKILL): no NOTIFICATION, no FIN from the application.</summary>
    public void Kill()
    {
        if (_process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts the daemon again with the same configuration (after <see cref="Kill"/>).</summary>
    public async Task RestartAsync()
    {
        Kill();
        await LaunchAsync().ConfigureAwait(false);
    }

    /// <summary>Starts the daemon process and waits until it answers its CLI.</summary>
    protected abstract Task LaunchAsync();

    /// <summary>Runs <paramref name="command"/> through <c>sh -c 'exec ...'</c> so that the pid is the daemon's, output to <see cref="LogPath"/>.</summary>
    protected void Spawn(string command, IDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {command} </dev/null >>'{LogPath}' 2>&1");
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + command);
    }

    /// <summary>Runs a CLI tool to completion and returns its stdout; throws with stderr when it fails.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}{stdout}");
        }
        return stdout;
    }

    /// <summary>Parses a CLI's JSON output.</summary>
    protected static JsonNode ParseJson(string text) =>
        JsonNode.Parse(text) ?? throw new InvalidOperationException("empty JSON: " + text);

    /// <summary>Kills the daemon and deletes its directory (keep it with BGPKIT_KEEP_DAEMON_DIRS=1).</summary>
    public virtual ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            try
            {
                ProcessSignal.Continue(Pid);
            }
            catch (InvalidOperationException)
            {
            }
        }
        Kill();
        if (Environment.GetEnvironmentVariable("BGPKIT_KEEP_DAEMON_DIRS") != "1")
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
