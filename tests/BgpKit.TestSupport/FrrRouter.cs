using System.Diagnostics;
using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// FRR as a router runs it: zebra, bfdd and bgpd together inside a network namespace the test created,
/// so that <c>neighbor X bfd</c> in bgpd reaches bfdd (the coupling goes through zebra). Each daemon has
/// port 179 and 3784 of the namespace to itself. Holds <c>MachineLock.Acquire("bfdd")</c> while bfdd runs;
/// <see cref="Dispose"/> kills the daemons by pid, removes the directory and releases the lock.
/// <code>
/// using var ns = NetNamespace.Create();
/// using var frr = FrrRouter.Start(ns, bgpdConfig, bfddConfig);
/// frr.BgpdJson("show bgp summary json");
/// </code>
/// </summary>
public sealed class FrrRouter : IDisposable
{
    private readonly MachineLock? _lock;
    private readonly List<Process> _daemons = [];
    private bool _disposed;

    private FrrRouter(MachineLock? machineLock, string directory, NetNamespace? ns, string netns)
    {
        _lock = machineLock;
        Directory = directory;
        Namespace = ns;
        NamespaceName = netns;
    }

    /// <summary>True when zebra, bgpd, bfdd and vtysh are installed and namespaces can be made.</summary>
    public static bool IsAvailable =>
        NetNamespace.IsAvailable && File.Exists("/usr/lib/frr/zebra") && File.Exists("/usr/lib/frr/bgpd") && FrrBfdd.IsAvailable;

    /// <summary>The daemons' directory (configs, pid files, vty sockets, logs).</summary>
    public string Directory { get; }

    /// <summary>The namespace the daemons run in, when started with a <see cref="NetNamespace"/>.</summary>
    public NetNamespace? Namespace { get; }

    /// <summary>The name of the namespace the daemons run in (for <c>ip netns exec</c>).</summary>
    public string NamespaceName { get; }

    /// <summary>
    /// Starts zebra, then bfdd with <paramref name="bfddConfig"/> (a full config, usually <c>bfd</c> with profiles),
    /// then bgpd with <paramref name="bgpdConfig"/> (a full bgpd.conf), all inside <paramref name="ns"/>; returns once
    /// each answers vtysh.
    /// </summary>
    public static FrrRouter Start(NetNamespace ns, string bgpdConfig, string bfddConfig)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Start(MachineLock.Acquire("bfdd"), ns, ns.Name, bgpdConfig, bfddConfig);
    }

    /// <summary>
    /// As <see cref="Start(NetNamespace, string, string)"/>, in namespace <paramref name="netns"/> (one of a
    /// <see cref="NetBridge"/>'s) and without the machine lock: bfdd's 0.0.0.0:3784 there is the namespace's own,
    /// and a long run (the churn soak) must not keep every other bfdd test on the machine waiting.
    /// </summary>
    public static FrrRouter StartIn(string netns, string bgpdConfig, string bfddConfig)
    {
        ArgumentException.ThrowIfNullOrEmpty(netns);
        return Start(null, null, netns, bgpdConfig, bfddConfig);
    }

    private static FrrRouter Start(MachineLock? machineLock, NetNamespace? ns, string netns, string bgpdConfig, string bfddConfig)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("bgpkit-frr-router-").FullName;
        var router = new FrrRouter(machineLock, dir, ns, netns);
        try
        {
            File.WriteAllText(Path.Combine(dir, "zebra.conf"), "frr defaults traditional\n");
            File.WriteAllText(Path.Combine(dir, "bfdd.conf"), "frr defaults traditional\n" + bfddConfig + "\n");
            File.WriteAllText(Path.Combine(dir, "bgpd.conf"),
                $"frr defaults traditional\nlog file {dir}/bgpd.log debugging\ndebug bgp neighbor-events\ndebug bgp bfd\n" + bgpdConfig + "\n");
            // The daemons drop to user frr and write their pid files and sockets here.
            FrrBfdd.Run("chown", "-R", "frr:frr", dir);
            router.Launch("zebra", "-f", $"{dir}/zebra.conf", "-i", $"{dir}/zebra.pid", "-z", $"{dir}/zserv.api", "--vty_socket", dir, "-P", "0");
            router.WaitFor("zebra", () => File.Exists(Path.Combine(dir, "zserv.api")) && router.TryVtysh("zebra", "show version", out _));
            router.Launch("bfdd", "-f", $"{dir}/bfdd.conf", "-i", $"{dir}/bfdd.pid", "-z", $"{dir}/zserv.api", "--vty_socket", dir,
                "--bfdctl", $"{dir}/bfdd.sock", "-P", "0");
            router.WaitFor("bfdd", () => router.TryVtysh("bfdd", "show bfd peers json", out _));
            router.Launch("bgpd", "-f", $"{dir}/bgpd.conf", "-i", $"{dir}/bgpd.pid", "-z", $"{dir}/zserv.api", "--vty_socket", dir, "-P", "0");
            router.WaitFor("bgpd", () => router.TryVtysh("bgpd", "show bgp summary json", out _));
            return router;
        }
        catch
        {
            router.Dispose();
            throw;
        }
    }

    /// <summary>Kills bgpd (SIGKILL, so its peers see the TCP connection end without a NOTIFICATION) and starts it again with its configuration file.</summary>
    public void RestartBgpd()
    {
        var index = _daemons.FindLastIndex(p => !p.HasExited && p.StartInfo.ArgumentList.Contains("/usr/lib/frr/bgpd"));
        if (index >= 0)
        {
            DaemonFiles.Kill(_daemons[index]);
            _daemons.RemoveAt(index);
        }
        var dir = Directory;
        Launch("bgpd", "-f", $"{dir}/bgpd.conf", "-i", $"{dir}/bgpd.pid", "-z", $"{dir}/zserv.api", "--vty_socket", dir, "-P", "0");
        WaitFor("bgpd", () => TryVtysh("bgpd", "show bgp summary json", out _));
    }

    /// <summary>Runs one vtysh command against bgpd.</summary>
    public string Bgpd(string command) => Vtysh("bgpd", command);

    /// <summary>Runs one <c>... json</c> command against bgpd and parses it.</summary>
    public JsonNode BgpdJson(string command) => JsonNode.Parse(Bgpd(command)) ?? new JsonObject();

    /// <summary>Runs one vtysh command against bfdd.</summary>
    public string Bfdd(string command) => Vtysh("bfdd", command);

    /// <summary>bfdd's <c>show bfd peers json</c> entry for <paramref name="peer"/>, or null.</summary>
    public JsonNode? BfdPeer(string peer) =>
        (JsonNode.Parse(Bfdd("show bfd peers json")) as JsonArray)?.FirstOrDefault(p => p?["peer"]?.GetValue<string>() == peer);

    /// <summary>bgpd's <c>bgpState</c> for <paramref name="neighbor"/> ("Established", "Active", ...).</summary>
    public string NeighborState(string neighbor) =>
        BgpdJson($"show bgp neighbors {neighbor} json")[neighbor]?["bgpState"]?.GetValue<string>() ?? "";

    /// <summary>The daemons' logs, for failure messages.</summary>
    public string Logs()
    {
        var text = new System.Text.StringBuilder();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.log").Order(StringComparer.Ordinal))
        {
            var content = DaemonFiles.ReadLog(file);
            text.Append("==== ").Append(Path.GetFileName(file)).Append('\n').Append(content.Length > 8000 ? content[^8000..] : content);
        }
        return text.ToString();
    }

    /// <summary>Kills bgpd, bfdd and zebra by pid (in that order), removes the directory, releases the machine lock.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            DaemonFiles.Kill(_daemons[i]);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        _lock?.Dispose();
    }

    private void Launch(string daemon, params string[] args)
    {
        // `ip netns exec` execs the daemon in place, so the process id is the daemon's own.
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", NamespaceName, "/usr/lib/frr/" + daemon }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException(daemon + " did not start");
        _daemons.Add(process);
        var log = new StreamWriter(Path.Combine(Directory, daemon + ".out.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { lock (log) { if (e.Data is not null) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { lock (log) { if (e.Data is not null) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void WaitFor(string daemon, Func<bool> ready)
    {
        var process = _daemons[^1];
        if (!FrrBfdd.WaitUntil(() => process.HasExited || ready(), TimeSpan.FromSeconds(20)) || process.HasExited)
        {
            throw new InvalidOperationException($"{daemon} did not come up in namespace {NamespaceName}: {Logs()}");
        }
    }

    private string Vtysh(string daemon, string command) =>
        TryVtysh(daemon, command, out var output) ? output : throw new InvalidOperationException($"vtysh -d {daemon} -c '{command}' failed: {output}");

    private bool TryVtysh(string daemon, string command, out string output)
    {
        var info = new ProcessStartInfo("vtysh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--vty_socket", Directory, "-d", daemon, "-c", command })
        {
            info.ArgumentList.Add(a);
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
}
