using System.Diagnostics;
using System.Text.Json;

namespace BgpKit.TestSupport;

/// <summary>
/// A standalone FRR bfdd (per /work/shared/INTEROP.md) in its own temp directory owned by user frr.
/// bfdd binds 0.0.0.0:3784, so <see cref="Start"/> holds <c>MachineLock.Acquire("bfdd")</c> until
/// <see cref="Dispose"/>, which kills the daemon by pid and removes the directory.
/// </summary>
public sealed class FrrBfdd : IDisposable
{
    private const string Binary = "/usr/lib/frr/bfdd";
    private readonly MachineLock _lock;
    private readonly Process _process;
    private bool _disposed;

    private FrrBfdd(MachineLock machineLock, string directory, Process process)
    {
        _lock = machineLock;
        Directory = directory;
        _process = process;
    }

    /// <summary>True when FRR's bfdd and vtysh are installed.</summary>
    public static bool IsAvailable => File.Exists(Binary) && File.Exists("/usr/bin/vtysh");

    /// <summary>The daemon's directory (config, pid file, vty socket).</summary>
    public string Directory { get; }

    /// <summary>The daemon's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>
    /// Writes <paramref name="config"/> (the body after <c>bfd</c>, e.g. <c>peer 127.0.0.2 local-address 127.0.0.1</c>
    /// lines) and starts bfdd, optionally inside network namespace <paramref name="netns"/>; waits until vtysh answers
    /// (up to <paramref name="startTimeout"/>, default 20 s; a config of a thousand peers needs longer).
    /// </summary>
    public static FrrBfdd Start(string config, string? netns = null, TimeSpan? startTimeout = null)
    {
        var machineLock = MachineLock.Acquire("bfdd");
        var dir = Path.Combine(Path.GetTempPath(), "bgpkit-bfdd-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            System.IO.Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "bfdd.conf"), "frr defaults traditional\nlog stdout debugging\n" + config + "\n");
            Run("chown", "-R", "frr:frr", dir);
            var args = new List<string>();
            var file = Binary;
            if (netns is not null)
            {
                file = "ip";
                args.AddRange(new[] { "netns", "exec", netns, Binary });
            }
            args.AddRange(new[] { "-f", $"{dir}/bfdd.conf", "-i", $"{dir}/bfdd.pid", "-z", $"{dir}/zserv.api",
                "--vty_socket", dir, "--bfdctl", $"{dir}/bfdd.sock", "-P", "0" });
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }
            var process = Process.Start(info) ?? throw new InvalidOperationException("bfdd did not start");
            var log = new StreamWriter(Path.Combine(dir, "bfdd.log")) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { lock (log) { if (e.Data is not null) log.WriteLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (log) { if (e.Data is not null) log.WriteLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var daemon = new FrrBfdd(machineLock, dir, process);
            var limit = startTimeout ?? TimeSpan.FromSeconds(20);
            var deadline = DateTime.UtcNow + limit;
            while (true)
            {
                if (process.HasExited)
                {
                    daemon.Dispose();
                    throw new InvalidOperationException($"bfdd exited with {process.ExitCode}");
                }
                if (daemon.TryVtysh(out _, "show bfd peers json"))
                {
                    return daemon;
                }
                if (DateTime.UtcNow > deadline)
                {
                    daemon.Dispose();
                    throw new TimeoutException($"bfdd did not answer vtysh within {limit.TotalSeconds} s");
                }
                Thread.Sleep(100);
            }
        }
        catch
        {
            machineLock.Dispose();
            throw;
        }
    }

    /// <summary>Runs vtysh commands against this daemon; returns stdout.</summary>
    public string Vtysh(params string[] commands)
    {
        if (!TryVtysh(out var output, commands))
        {
            throw new InvalidOperationException("vtysh failed: " + output);
        }
        return output;
    }

    /// <summary>Applies configuration lines under <c>configure terminal</c> (e.g. "bfd", " peer X", "  transmit-interval 50").</summary>
    public void Configure(params string[] lines)
    {
        var commands = new List<string> { "configure terminal" };
        commands.AddRange(lines.Select(l => l.Trim()));
        Vtysh(commands.ToArray());
    }

    /// <summary>The array from <c>show bfd peers json</c>.</summary>
    public JsonElement Peers()
    {
        using var doc = JsonDocument.Parse(Vtysh("show bfd peers json"));
        return doc.RootElement.Clone();
    }

    /// <summary>The entry for <paramref name="peer"/> in <c>show bfd peers json</c>, if any.</summary>
    public JsonElement? Peer(string peer)
    {
        foreach (var p in Peers().EnumerateArray())
        {
            if (p.TryGetProperty("peer", out var address) && address.GetString() == peer)
            {
                return p;
            }
        }
        return null;
    }

    /// <summary>The <c>status</c> bfdd reports for <paramref name="peer"/> ("up", "down", "init", "shutdown"), or null.</summary>
    public string? PeerStatus(string peer) =>
        Peer(peer) is { } p && p.TryGetProperty("status", out var s) ? s.GetString() : null;

    /// <summary>Polls (every 100 ms, up to <paramref name="timeout"/>) until <paramref name="condition"/> holds.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition())
            {
                return true;
            }
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>Freezes the daemon (SIGSTOP).</summary>
    public void Suspend() => ProcessSignal.Stop(Pid);

    /// <summary>Thaws the daemon (SIGCONT).</summary>
    public void Resume() => ProcessSignal.Continue(Pid);

    /// <summary>bfdd's log so far, for test failure messages.</summary>
    public string LogText() => DaemonFiles.ReadLog(Path.Combine(Directory, "bfdd.log"));

    /// <summary>Kills the daemon by pid, removes its directory and releases the machine lock.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        DaemonFiles.Kill(_process);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        _lock.Dispose();
    }

    private bool TryVtysh(out string output, params string[] commands)
    {
        var info = new ProcessStartInfo("vtysh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--vty_socket");
        info.ArgumentList.Add(Directory);
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add("bfdd");
        foreach (var c in commands)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(c);
        }
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(10000))
        {
            p.Kill();
            output = "vtysh timed out";
            return false;
        }
        output = stdout.Result + stderr.Result;
        return p.ExitCode == 0;
    }

    internal static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit(10000);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        }
        return stdout.Result;
    }
}
