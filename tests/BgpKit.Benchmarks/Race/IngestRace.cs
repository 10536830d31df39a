using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace BgpKit.Benchmarks.Race;

/// <summary>
/// The ingest race (issue 15): the same UPDATE streams into BIRD, FRR bgpd, GoBGP and a BgpSpeaker on loopback, one
/// receiver at a time, each in a fresh process. For each it prints the time from the first octet sent until the
/// receiver's table holds every route, the receiver's CPU time over that interval (per UPDATE too), its RSS growth per
/// route, and BgpKit's ratio to the best of the others. Not a test: CI does not run it.
/// <code>
/// dotnet tests/BgpKit.Benchmarks/bin/Release/net10.0/BgpKit.Benchmarks.dll race [--sizes 100000,500000]
///     [--shapes shared,distinct] [--receivers bird,frr,gobgp,bgpkit] [--runs 3]
/// </code>
/// </summary>
internal static class IngestRace
{
    private sealed record Result(string Receiver, double Seconds, double CpuSeconds, double BytesPerRoute);

    public static bool TryRun(string[] args)
    {
        if (RaceReceiver.TryRunChild(args))
        {
            return true;
        }
        if (args.Length == 0 || args[0] != "race")
        {
            return false;
        }
        var sizes = Option(args, "--sizes", "100000,500000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var shapes = Option(args, "--shapes", "shared,distinct").Split(',');
        var receivers = Option(args, "--receivers", "bird,frr,gobgp,bgpkit").Split(',');
        var runs = int.Parse(Option(args, "--runs", "3"), CultureInfo.InvariantCulture);
        RunAsync(sizes, shapes, receivers, runs).GetAwaiter().GetResult();
        return true;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static async Task RunAsync(int[] sizes, string[] shapes, string[] receivers, int runs)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Ingest race {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}, medians of {runs}");
        table.AppendLine("| shape | routes | UPDATEs | receiver | time to last route | CPU | CPU per UPDATE | RSS per route |");
        table.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|");
        foreach (var shape in shapes)
        {
            foreach (var size in sizes)
            {
                var stream = RaceStreams.Encode(shape, size);
                var updates = CountMessages(stream);
                var medians = new List<Result>();
                foreach (var name in receivers)
                {
                    var results = new List<Result>();
                    for (var r = 0; r < runs; r++)
                    {
                        var result = await RunOneAsync(name, stream, size).ConfigureAwait(false);
                        Console.Error.WriteLine($"  {shape} {size} {result.Receiver}: {result.Seconds:F3} s, CPU {result.CpuSeconds:F3} s, {result.BytesPerRoute:F0} B/route");
                        results.Add(result);
                    }
                    var median = new Result(results[0].Receiver, Median(results.Select(x => x.Seconds)), Median(results.Select(x => x.CpuSeconds)), Median(results.Select(x => x.BytesPerRoute)));
                    medians.Add(median);
                    table.AppendLine(CultureInfo.InvariantCulture,
                        $"| {shape} | {size:N0} | {updates:N0} | {median.Receiver} | {median.Seconds:F3} s | {median.CpuSeconds:F3} s | {median.CpuSeconds * 1e6 / updates:F2} us | {median.BytesPerRoute:F0} B |");
                }
                if (medians.FirstOrDefault(m => m.Receiver.StartsWith("BgpKit", StringComparison.Ordinal)) is { } ours && medians.Count > 1)
                {
                    var others = medians.Where(m => m != ours).ToList();
                    table.AppendLine(CultureInfo.InvariantCulture,
                        $"| {shape} | {size:N0} | | **BgpKit / best** | {Ratio(ours.Seconds, others.Min(m => m.Seconds))} | {Ratio(ours.CpuSeconds, others.Min(m => m.CpuSeconds))} | | {Ratio(ours.BytesPerRoute, others.Min(m => m.BytesPerRoute))} |");
                }
            }
        }
        Console.WriteLine(table.ToString());
    }

    private static async Task<Result> RunOneAsync(string name, byte[] stream, int routes)
    {
        await using var receiver = await RaceReceiver.StartAsync(name).ConfigureAwait(false);
        await using var sender = await RaceSender.ConnectAsync(receiver.EndPoint, TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        // Let the receiver settle after Established (its own start-up work is not ingest).
        await Task.Delay(1000).ConfigureAwait(false);
        var rssBefore = receiver.Rss();
        var cpuBefore = receiver.CpuTime();
        var clock = Stopwatch.StartNew();
        var send = sender.SendAsync(stream);
        var deadline = TimeSpan.FromMinutes(15);
        // A receiver that closed the session (or stalled) shows no progress: give up after a minute, not 15.
        var stall = TimeSpan.FromMinutes(1);
        var lastCount = -1L;
        var lastProgress = clock.Elapsed;
        long count;
        while ((count = receiver.RouteCount()) < routes)
        {
            if (count != lastCount)
            {
                lastCount = count;
                lastProgress = clock.Elapsed;
            }
            if (clock.Elapsed > deadline || clock.Elapsed - lastProgress > stall)
            {
                throw new TimeoutException($"{receiver.Name} had {count} of {routes} routes after {clock.Elapsed} (no progress for {clock.Elapsed - lastProgress})");
            }
            await Task.Delay(10).ConfigureAwait(false);
        }
        var elapsed = clock.Elapsed;
        var cpu = receiver.CpuTime() - cpuBefore;
        var rss = receiver.Rss() - rssBefore;
        await send.ConfigureAwait(false);
        return new Result(receiver.Name, elapsed.TotalSeconds, cpu.TotalSeconds, (double)rss / routes);
    }

    // CPU time comes in 10 ms clock ticks: a receiver that used less than one shows 0 and has no ratio.
    private static string Ratio(double ours, double best) => best > 0 ? (ours / best).ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    private static int CountMessages(ReadOnlySpan<byte> stream)
    {
        var count = 0;
        while (stream.Length >= 19)
        {
            stream = stream[(stream[16] << 8 | stream[17])..];
            count++;
        }
        return count;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
