using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>The built <c>bgpkit</c> (bgpkit.dll next to the tests) running <c>speaker</c> with every log level on.</summary>
internal sealed class SpeakerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private SpeakerProcess(Process process) => _process = process;

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

    public int ExitCode => _process.ExitCode;

    public static SpeakerProcess Start(string config, string status, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "bgpkit.dll"), "speaker", "--config", config, "--node", "node-1",
            "--bgp-listen", "none", "--status", status, "--log-level", "all" })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("bgpkit did not start");
        var speaker = new SpeakerProcess(process);
        process.OutputDataReceived += (_, e) => speaker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => speaker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return speaker;
    }

    public void Terminate()
    {
        const int SigTerm = 15;
        if (kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed");
        }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit(); // drains the output readers
        return true;
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
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
