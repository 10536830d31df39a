using System.Diagnostics;
using System.Net;
using System.Text;
using BgpKit.Bfd;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Bfd;

/// <summary>
/// Real-time measurements (not BenchmarkDotNet):
/// <c>bfd-load [--sessions 1000] [--interval 50] [--seconds 60]</c>: N sessions from 10.252.x.y (a veth end)
/// to a peer process of ours in a network namespace, this process's CPU over the window, and any false detection;
/// <c>bfd-detect [--runs 30] [--interval 50] [--multiplier 3]</c>: SIGSTOP bfdd, time until our session is Down.
/// </summary>
public static class BfdLoadMeasurement
{
    private static readonly IPAddress Us = IPAddress.Parse("127.0.0.2");

    /// <summary>Runs a mode when <paramref name="args"/> names one; false otherwise.</summary>
    public static bool TryRun(string[] args)
    {
        if (args.Length == 0)
        {
            return false;
        }
        switch (args[0])
        {
            case "bfd-load":
                Load(Arg(args, "--sessions", 1000), Arg(args, "--interval", 50), Arg(args, "--seconds", 60)).GetAwaiter().GetResult();
                return true;
            case "bfd-peer":
                Peer(Arg(args, "--sessions", 1000), Arg(args, "--interval", 50), args[Array.IndexOf(args, "--local") + 1]).GetAwaiter().GetResult();
                return true;
            case "bfd-detect":
                Detect(Arg(args, "--runs", 30), Arg(args, "--interval", 50), Arg(args, "--multiplier", 3)).GetAwaiter().GetResult();
                return true;
            default:
                return false;
        }
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }

    // N sessions need N addresses on one side: they live on the outer end of a veth pair; the far end runs in
    // the namespace on the inner end. FRR bfdd 8.4 did not finish loading 1,000 peers within 3 minutes on this
    // machine, so the far end is a second process of ours (bfd-peer); only this process is measured.
    private static IPAddress OurAddress(int i) => IPAddress.Parse($"10.252.{i / 250}.{1 + i % 250}");

    private static async Task Load(int sessions, int intervalMs, int seconds)
    {
        using var ns = NetNamespace.Create("bgpkit-bfdload");
        var batch = new StringBuilder();
        for (var i = 0; i < sessions; i++)
        {
            batch.Append($"addr add {OurAddress(i)}/32 dev {ns.OuterDevice}\n");
        }
        IpBatch(batch.ToString());
        // Through the outer address, not on-link: on-link, the far end needs one ARP entry per session, and past
        // the neighbour table's gc_thresh3 (1,024) its sends fail with ENOBUFS. Nothing forwards, so TTL stays 255.
        ns.Exec("ip", "route", "add", "10.252.0.0/16", "via", ns.OuterAddress.ToString());

        using var peer = StartPeer(ns, sessions, intervalMs);
        await using var endpoint = new BfdEndpoint(listenOnAnyAddress: true);
        var profile = new BfdProfile { TransmitInterval = TimeSpan.FromMilliseconds(intervalMs), ReceiveInterval = TimeSpan.FromMilliseconds(intervalMs) };
        var list = Enumerable.Range(0, sessions).Select(i => endpoint.StartSession(new BfdSessionOptions(OurAddress(i), ns.InnerAddress) { Profile = profile })).ToList();
        var started = Stopwatch.StartNew();
        while (list.Any(s => s.State != BfdState.Up || s.GetStatus().TransmitInterval != TimeSpan.FromMilliseconds(intervalMs)))
        {
            if (started.Elapsed > TimeSpan.FromSeconds(sessions < 10 ? 15 : 180))
            {
                Console.WriteLine($"only {list.Count(s => s.State == BfdState.Up)} of {sessions} sessions Up after 3 minutes");
                Console.WriteLine(string.Join("\n", list.Take(5).Select(s => s.GetStatus().ToString())));
                return;
            }
            await Task.Delay(250);
        }
        Console.WriteLine($"{sessions} sessions Up at {intervalMs} ms after {started.Elapsed.TotalSeconds:F1} s");
        await Task.Delay(2000);

        var process = Process.GetCurrentProcess();
        var downBefore = list.Sum(s => s.GetStatus().DownEvents);
        var sentBefore = list.Sum(s => s.GetStatus().ControlPacketsSent);
        var receivedBefore = list.Sum(s => s.GetStatus().ControlPacketsReceived);
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var peerCpuBefore = ProcessCpu(peer.Id);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var peerCpu = ProcessCpu(peer.Id) - peerCpuBefore;
        var elapsed = wall.Elapsed;
        var down = list.Sum(s => s.GetStatus().DownEvents) - downBefore;
        var sent = list.Sum(s => s.GetStatus().ControlPacketsSent) - sentBefore;
        var received = list.Sum(s => s.GetStatus().ControlPacketsReceived) - receivedBefore;
        var share = cpu / elapsed;
        Console.WriteLine($"window {elapsed.TotalSeconds:F1} s: our CPU {cpu.TotalSeconds:F2} s = {share * 100:F1}% of one core, "
            + $"{share * 1e6 / sessions:F0} us CPU per session per second ({share * 100 / sessions * 1000:F2}% of a core per 1000 sessions)");
        Console.WriteLine($"packets: sent {sent / elapsed.TotalSeconds:F0}/s, received {received / elapsed.TotalSeconds:F0}/s; "
            + $"false detections (down events) {down}; sessions Up at end {list.Count(s => s.State == BfdState.Up)}");
        Console.WriteLine($"peer process CPU over the window: {peerCpu.TotalSeconds:F2} s = {peerCpu / elapsed * 100:F1}% of one core");
        peer.Kill();
        peer.WaitForExit(5000);
    }

    // The far end for bfd-load: our own endpoint, run by the measuring process in the namespace
    // (ip netns exec), so the measured process is only ever one side.
    private static async Task Peer(int sessions, int intervalMs, string local)
    {
        await using var endpoint = new BfdEndpoint(listenOnAnyAddress: true);
        var profile = new BfdProfile { TransmitInterval = TimeSpan.FromMilliseconds(intervalMs), ReceiveInterval = TimeSpan.FromMilliseconds(intervalMs) };
        for (var i = 0; i < sessions; i++)
        {
            endpoint.StartSession(new BfdSessionOptions(IPAddress.Parse(local), OurAddress(i)) { Profile = profile });
        }
        Console.WriteLine("peer ready");
        // Runs until the measuring process kills it by pid, or stdin closes.
        await Task.Run(() => Console.In.ReadToEnd());
    }

    private static Process StartPeer(NetNamespace ns, int sessions, int intervalMs)
    {
        var self = typeof(BfdLoadMeasurement).Assembly.Location;
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns.Name, "dotnet", self, "bfd-peer", "--sessions", sessions.ToString(), "--interval", intervalMs.ToString(), "--local", ns.InnerAddress.ToString() })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info)!;
        var line = process.StandardOutput.ReadLine();
        if (line != "peer ready")
        {
            throw new InvalidOperationException("peer process did not start: " + line);
        }
        return process;
    }

    private static void IpBatch(string commands)
    {
        var info = new ProcessStartInfo("ip", "-batch -") { RedirectStandardInput = true, UseShellExecute = false };
        using var p = Process.Start(info)!;
        p.StandardInput.Write(commands);
        p.StandardInput.Close();
        p.WaitForExit();
    }

    private static TimeSpan ProcessCpu(int pid)
    {
        // /proc/PID/stat fields 14 and 15: utime and stime in clock ticks (100 Hz here).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromSeconds((long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0);
    }

    private static async Task Detect(int runs, int intervalMs, int multiplier)
    {
        var daemon = IPAddress.Parse("127.0.0.1");
        using var bfdd = FrrBfdd.Start($"bfd\n peer {Us} local-address {daemon}\n  receive-interval {intervalMs}\n  transmit-interval {intervalMs}\n  detect-multiplier {multiplier}\n");
        await using var endpoint = new BfdEndpoint();
        var profile = new BfdProfile
        {
            TransmitInterval = TimeSpan.FromMilliseconds(intervalMs),
            ReceiveInterval = TimeSpan.FromMilliseconds(intervalMs),
            DetectMultiplier = (byte)multiplier,
        };
        var session = endpoint.StartSession(new BfdSessionOptions(Us, daemon) { Profile = profile });
        var detection = TimeSpan.FromMilliseconds(intervalMs * multiplier);
        var latencies = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var up = Stopwatch.StartNew();
            while (session.State != BfdState.Up || session.GetStatus().DetectionTime != detection)
            {
                if (up.Elapsed > TimeSpan.FromSeconds(30))
                {
                    Console.WriteLine("session did not come back Up within 30 s");
                    return;
                }
                await Task.Delay(20);
            }
            await Task.Delay(500 + run * 37 % 200);
            var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EventHandler<BfdStateChange> handler = (_, c) => { if (c.Current == BfdState.Down) down.TrySetResult(); };
            session.StateChanged += handler;
            var stopwatch = Stopwatch.StartNew();
            bfdd.Suspend();
            await down.Task.WaitAsync(TimeSpan.FromSeconds(10));
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
            session.StateChanged -= handler;
            bfdd.Resume();
        }
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Console.WriteLine($"detection after SIGSTOP, {runs} runs, {intervalMs} ms x {multiplier} (bound {detection.TotalMilliseconds + intervalMs} ms): "
            + $"min {latencies[0]:F1} p50 {P(0.5):F1} p99 {P(0.99):F1} max {latencies[^1]:F1} ms");
    }
}
