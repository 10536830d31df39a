using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Interop;

/// <summary>
/// The built <c>bgpkit</c> (bgpkit.dll next to the tests) as users run it, in its own process, optionally
/// inside a network namespace (<c>ip netns exec</c> execs dotnet, so the pid is bgpkit's and signals reach it).
/// Stdout and stderr are kept for failure messages. With <c>BGPKIT_EXE</c> set to a published executable (the
/// NativeAOT <c>bgpkit</c>, see .ci/aot-check.sh) every test that starts bgpkit this way runs that binary instead.
/// </summary>
internal sealed class BgpKitProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private BgpKitProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>What the test calls it (a controller identity, a node name).</summary>
    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The published executable named by <c>BGPKIT_EXE</c>, or null for the bgpkit.dll built beside the tests.</summary>
    public static string? Published =>
        Environment.GetEnvironmentVariable("BGPKIT_EXE") is { Length: > 0 } exe
            ? File.Exists(exe) ? Path.GetFullPath(exe) : throw new InvalidOperationException($"BGPKIT_EXE={exe}: no such file")
            : null;

    /// <summary>Starts <c>bgpkit ARGS</c>, inside <paramref name="netns"/> when given.</summary>
    public static BgpKitProcess Start(string name, string? netns, params string[] args) => Start(name, netns, null, args);

    /// <summary>Starts <c>bgpkit ARGS</c> with <paramref name="environment"/> added (OTEL_* variables, say).</summary>
    public static BgpKitProcess Start(string name, string? netns, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var published = Published;
        var info = new ProcessStartInfo(netns is not null ? "/usr/sbin/ip" : published ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var argv = new List<string>();
        if (netns is not null)
        {
            argv.AddRange(["netns", "exec", netns, published ?? "dotnet"]);
        }
        if (published is null)
        {
            argv.Add(Path.Combine(AppContext.BaseDirectory, "bgpkit.dll"));
        }
        argv.AddRange(args);
        foreach (var a in argv)
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("bgpkit did not start");
        var started = new BgpKitProcess(name, process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>SIGTERM: a graceful stop (the controller releases its Lease, the speaker sends Cease).</summary>
    public void Terminate()
    {
        if (kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGSTOP: the process keeps its sockets but runs no code until <see cref="Thaw"/>.</summary>
    public void Freeze() => ProcessSignal.Stop(_process.Id);

    /// <summary>SIGCONT.</summary>
    public void Thaw() => ProcessSignal.Continue(_process.Id);

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit(); // drains the output readers
        return true;
    }

    /// <summary>SIGKILL (after SIGCONT, so a frozen process dies too), and waits for the exit.</summary>
    public void Kill()
    {
        if (_process.HasExited)
        {
            return;
        }
        try
        {
            ProcessSignal.Continue(_process.Id);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
