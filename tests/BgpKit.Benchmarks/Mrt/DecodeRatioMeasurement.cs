using System.Diagnostics;
using System.Globalization;
using BgpKit.Bgp.Wire.IO;
using BgpKit.Cli.Decode;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Mrt;

/// <summary>
/// <c>decode-ratio FILE [RUNS]</c>: in one process, after a warm-up pass of each, times (median of RUNS)
/// the decompression floor (our own decompressor, <see cref="CompressedInput"/>, read to a null sink on
/// one thread) and the whole <c>bgpkit decode</c> (<see cref="DecodeRunner"/>, read-ahead thread included,
/// JSON to <see cref="Stream.Null"/>), with CPU time and allocation, and prints their ratio.
/// <c>make-v2-dump OUT.gz|OUT.bz2 [PEERS]</c> writes the TABLE_DUMP_V2 dump of <see cref="TableDumpV2Dump"/>.
/// Process start-up and JIT are left out here; decode-ratio.sh measures whole processes.
/// </summary>
internal static class DecodeRatioMeasurement
{
    public static bool TryRun(string[] args)
    {
        if (args.Length >= 2 && args[0] == "make-v2-dump")
        {
            var peers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
            var dump = TableDumpV2Dump.Build(TableDumpV2Dump.Decompress(SharedData.CorpusFile("bgpdump_bview.20020722.2337.gz")), peers);
            TableDumpV2Dump.Save(dump, args[1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[1]}: {dump.Length:N0} octets of TABLE_DUMP_V2, {peers} peers per route"));
            return true;
        }
        if (args.Length < 2 || args[0] != "decode-ratio")
        {
            return false;
        }
        var path = Path.GetFullPath(args[1]);
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        long decompressed = 0;
        var floor = Measure(runs, () => decompressed = Decompress(path));
        var records = 0L;
        var decode = Measure(runs, () => records = Decode(path));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file: {path} ({decompressed:N0} octets decompressed, {records:N0} MRT records); median of {runs} runs after one warm-up; load {File.ReadAllText("/proc/loadavg").Trim()}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decompression floor: {floor.Wall:F3} s wall, {floor.Cpu:F3} s CPU, {floor.Allocated:N0} B allocated"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decode:              {decode.Wall:F3} s wall, {decode.Cpu:F3} s CPU, {decode.Allocated:N0} B allocated = {(double)decode.Allocated / Math.Max(1, records):F1} B per record"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio decode/floor:  {decode.Wall / floor.Wall:F2} wall (goal <= 1.5), {decode.Cpu / floor.Cpu:F2} CPU"));
        return true;
    }

    private static long Decompress(string path)
    {
        using var input = CompressedInput.OpenFile(path);
        var buffer = new byte[ReadAheadStream.BlockLength];
        long total = 0;
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            total += read;
        }
        return total;
    }

    private static long Decode(string path)
    {
        var error = new StringWriter();
        DecodeRunner.Run(path, [], Stream.Null, error);
        // "bgpkit decode: bgp 0; bfd 0; mrt 115521 (...)": the MRT record count.
        var summary = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        var at = summary.IndexOf("mrt ", StringComparison.Ordinal) + 4;
        return long.Parse(summary[at..summary.IndexOfAny([' ', ';'], at)], CultureInfo.InvariantCulture);
    }

    private readonly record struct Figures(double Wall, double Cpu, long Allocated);

    private static Figures Measure(int runs, Action action)
    {
        action();
        var results = new List<Figures>();
        for (var i = 0; i < runs; i++)
        {
            GC.Collect();
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            action();
            var wall = watch.Elapsed.TotalSeconds;
            process.Refresh();
            results.Add(new Figures(wall, (process.TotalProcessorTime - cpu).TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - allocated));
        }
        results.Sort((a, b) => a.Wall.CompareTo(b.Wall));
        return results[runs / 2];
    }
}
