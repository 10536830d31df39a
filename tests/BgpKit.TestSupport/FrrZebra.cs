using System.Diagnostics;

namespace BgpKit.TestSupport;

/// <summary>
/// FRR zebra 8.4 for a daemon that needs to know interfaces (e.g. bfdd's echo function): started in a network
/// namespace, serving the zserv socket another daemon was started with. Killed by pid in <see cref="Dispose"/>.
/// </summary>
public sealed class FrrZebra : IDisposable
{
    private const string Binary = "/usr/lib/frr/zebra";
    private readonly Process _process;
    private readonly string _directory;
    private bool _disposed;

    private FrrZebra(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>True when zebra is installed.</summary>
    public static bool IsAvailable => File.Exists(Binary);

    /// <summary>The daemon's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>
    /// Starts zebra inside <paramref name="netns"/> listening on <paramref name="zservPath"/> (the <c>-z</c> path
    /// of the daemon that needs it), with its vty socket in <paramref name="directory"/> (owned by user frr).
    /// </summary>
    public static FrrZebra Start(string netns, string zservPath, string directory)
    {
        File.WriteAllText(Path.Combine(directory, "zebra.conf"), "frr defaults traditional\nlog stdout debugging\n");
        FrrBfdd.Run("chown", "-R", "frr:frr", directory);
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", netns, Binary, "-f", Path.Combine(directory, "zebra.conf"), "-i", Path.Combine(directory, "zebra.pid"),
            "-z", zservPath, "--vty_socket", directory, "-P", "0" })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("zebra did not start");
        var log = new StreamWriter(Path.Combine(directory, "zebra.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { lock (log) { if (e.Data is not null) log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { if (e.Data is not null) log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new FrrZebra(process, directory);
    }

    /// <summary>zebra's log so far.</summary>
    public string LogText() => DaemonFiles.ReadLog(Path.Combine(_directory, "zebra.log"));

    /// <summary>Kills zebra by pid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        DaemonFiles.Kill(_process);
    }
}
