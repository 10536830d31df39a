using System.Diagnostics;
using System.Globalization;
using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Race;

/// <summary>One receiver in the race: a process on 127.0.0.2 that we can ask for its route count, CPU time and RSS.</summary>
internal abstract class RaceReceiver : IAsyncDisposable
{
    protected const string Sender = "127.0.0.1";

    public abstract string Name { get; }

    /// <summary>Where the sender connects.</summary>
    public IPEndPoint EndPoint { get; protected init; } = new(IPAddress.Loopback, 0);

    public abstract int Pid { get; }

    /// <summary>Routes from the sender in the receiver's table (its Adj-RIB-In, or RIB for BIRD).</summary>
    public abstract long RouteCount();

    public abstract ValueTask DisposeAsync();

    /// <summary>utime + stime of <see cref="Pid"/> (and its threads), from /proc.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>Resident set size in octets (VmRSS).</summary>
    public long Rss()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    public static async Task<RaceReceiver> StartAsync(string name) => name switch
    {
        "bird" => await BirdReceiver.StartAsync().ConfigureAwait(false),
        "frr" => await FrrReceiver.StartAsync().ConfigureAwait(false),
        "gobgp" => await GoBgpReceiver.StartAsync().ConfigureAwait(false),
        "bgpkit" => await BgpKitReceiver.StartAsync().ConfigureAwait(false),
        _ => throw new ArgumentException($"unknown receiver '{name}' (bird, frr, gobgp, bgpkit)", nameof(name)),
    };

    private static int FreeSenderPort() => FreePort.Tcp(IPAddress.Loopback);

    private sealed class BirdReceiver(BirdDaemon bird) : RaceReceiver
    {
        public override string Name => "BIRD 2.0.12";
        public override int Pid => bird.Pid;

        public static async Task<RaceReceiver> StartAsync()
        {
            var port = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
            var bird = await BirdDaemon.StartAsync(BirdDaemon.Config(65002, "127.0.0.2", port, Sender, 65001, FreeSenderPort(),
                channels: "ipv4 { import all; export none; };")).ConfigureAwait(false);
            return new BirdReceiver(bird) { EndPoint = new IPEndPoint(IPAddress.Parse("127.0.0.2"), port) };
        }

        // "Routes: N imported, ..." from the protocol's counters: `show route ... count` walks the table, and polled every
        // 10 ms on a million routes it took more of BIRD's CPU than the ingest itself.
        public override long RouteCount()
        {
            foreach (var line in bird.Birdc("show protocols all peer1").Split('\n'))
            {
                var t = line.Trim();
                if (t.StartsWith("Routes:", StringComparison.Ordinal))
                {
                    return long.Parse(t["Routes:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
            return 0;
        }

        public override ValueTask DisposeAsync() => bird.DisposeAsync();
    }

    private sealed class FrrReceiver(FrrBgpd frr) : RaceReceiver
    {
        public override string Name => "FRR 8.4 bgpd";
        public override int Pid => frr.Pid;

        public static async Task<RaceReceiver> StartAsync()
        {
            var port = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
            // FRR would send every route back to the eBGP peer it came from; the race measures ingest only.
            var config = FrrBgpd.Config(65002, "127.0.0.2", Sender, 65001, FreeSenderPort(), ipv4: "  neighbor 127.0.0.1 route-map NOTHING out")
                + "route-map NOTHING deny 10\n";
            var frr = await FrrBgpd.StartAsync(config, port).ConfigureAwait(false);
            return new FrrReceiver(frr) { EndPoint = new IPEndPoint(IPAddress.Parse("127.0.0.2"), port) };
        }

        public override long RouteCount() => frr.PrefixesReceived(Sender);

        public override ValueTask DisposeAsync() => frr.DisposeAsync();
    }

    private sealed class GoBgpReceiver(GoBgpDaemon gobgp) : RaceReceiver
    {
        public override string Name => "GoBGP 3.10";
        public override int Pid => gobgp.Pid;

        public static async Task<RaceReceiver> StartAsync()
        {
            var port = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
            var gobgp = await GoBgpDaemon.StartAsync(GoBgpDaemon.Config(65002, "127.0.0.2", port, Sender, 65001, FreeSenderPort())).ConfigureAwait(false);
            return new GoBgpReceiver(gobgp) { EndPoint = new IPEndPoint(IPAddress.Parse("127.0.0.2"), port) };
        }

        public override long RouteCount()
        {
            var afis = gobgp.GobgpJson("neighbor", Sender)["afi_safis"]?.AsArray();
            long total = 0;
            foreach (var afi in afis ?? [])
            {
                total += afi?["state"]?["received"]?.GetValue<long>() ?? 0;
            }
            return total;
        }

        public override ValueTask DisposeAsync() => gobgp.DisposeAsync();
    }

    /// <summary>
    /// A BgpSpeaker that keeps its Adj-RIB-In, in a process of its own (this program, <c>race-receive PORT</c>) so
    /// that its CPU and RSS are its own. It prints its received-prefix count for each line read on stdin.
    /// </summary>
    private sealed class BgpKitReceiver(Process process) : RaceReceiver
    {
        public override string Name => Environment.GetEnvironmentVariable("BGPKIT_RACE_TIERED") == "1" ? "BgpKit (tiered JIT)" : "BgpKit";
        public override int Pid => process.Id;

        public static async Task<RaceReceiver> StartAsync()
        {
            var port = FreePort.Tcp(IPAddress.Parse("127.0.0.2"));
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add(typeof(RaceReceiver).Assembly.Location);
            psi.ArgumentList.Add("race-receive");
            psi.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
            // A daemon is compiled before it runs (the daemons here are C; the shipped bgpkit is NativeAOT). With tiered
            // JIT, a 100k-route race spends half its CPU compiling and recompiling the receive path, so the receiver is
            // JIT-compiled fully optimized up front unless BGPKIT_RACE_TIERED=1 asks for the runtime's default.
            if (Environment.GetEnvironmentVariable("BGPKIT_RACE_TIERED") != "1")
            {
                psi.Environment["DOTNET_TieredCompilation"] = "0";
            }
            var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the BgpKit receiver");
            var receiver = new BgpKitReceiver(process) { EndPoint = new IPEndPoint(IPAddress.Parse("127.0.0.2"), port) };
            await Poll.UntilAsync(() => receiver.RouteCount() >= 0, "the BgpKit receiver to answer").ConfigureAwait(false);
            return receiver;
        }

        public override long RouteCount()
        {
            lock (process)
            {
                process.StandardInput.WriteLine();
                process.StandardInput.Flush();
                return long.Parse(process.StandardOutput.ReadLine() ?? "-1", CultureInfo.InvariantCulture);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
            }
            await process.WaitForExitAsync().ConfigureAwait(false);
            process.Dispose();
        }

        /// <summary>The child's side: the speaker, and the count loop on stdin/stdout.</summary>
        public static async Task RunChildAsync(int port)
        {
            var peer = IPAddress.Loopback;
            await using var speaker = new BgpSpeaker(new BgpSpeakerOptions
            {
                LocalAs = 65002,
                RouterId = IPAddress.Parse("127.0.0.2"),
                ListenAddress = IPAddress.Parse("127.0.0.2"),
                ListenPort = port,
            });
            await speaker.StartAsync().ConfigureAwait(false);
            await speaker.AddPeerAsync(new BgpPeerOptions
            {
                Address = peer,
                RemoteAs = 65001,
                KeepAdjRibIn = true,
                Families = [Bgp.Wire.AfiSafi.IPv4Unicast],
                Transport = new TransportOptions { Passive = true, LocalAddress = IPAddress.Parse("127.0.0.2"), Ttl = 64 },
            }).ConfigureAwait(false);
            while (Console.ReadLine() is not null)
            {
                Console.WriteLine(speaker.GetStatus(peer).Counters.PrefixesReceived.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Runs the child side when <paramref name="args"/> start with <c>race-receive</c>.</summary>
    public static bool TryRunChild(string[] args)
    {
        if (args is not ["race-receive", var port])
        {
            return false;
        }
        BgpKitReceiver.RunChildAsync(int.Parse(port, CultureInfo.InvariantCulture)).GetAwaiter().GetResult();
        return true;
    }
}
