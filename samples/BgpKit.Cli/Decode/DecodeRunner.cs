using BgpKit.Bgp.Wire.Capture;
using BgpKit.Bgp.Wire.IO;

namespace BgpKit.Cli.Decode;

/// <summary>
/// Runs <c>bgpkit decode</c>: tells a capture from an MRT dump by content, prints one JSON object per
/// line on <c>output</c>, and the summary on <c>error</c>. Exit 0 when the file was read to its end,
/// 1 when it could not be read (missing, unreadable, or not a capture and not MRT).
/// </summary>
internal static class DecodeRunner
{
    public static int Run(string path, IReadOnlyCollection<int> bgpPorts, Stream output, TextWriter error)
    {
        var summary = new DecodeSummary();
        Stream input;
        byte[] head;
        try
        {
            input = CompressedInput.OpenFile(path, 4, out head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ICSharpCode.SharpZipLib.SharpZipBaseException)
        {
            error.WriteLine($"bgpkit decode: cannot read {path}: {e.Message}");
            return 1;
        }

        bool readToEnd;
        // Decompression on its own thread; the jobs below frame and print on this one.
        using var readAhead = new ReadAheadStream(input);
        input = readAhead;
        using (var lines = new JsonLineWriter(output))
        {
            try
            {
                readToEnd = CaptureFileReader.IsCapture(head)
                    ? CaptureJob.Run(input, bgpPorts, lines, summary)
                    : MrtJob.Run(input, lines, summary);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ICSharpCode.SharpZipLib.SharpZipBaseException)
            {
                // A damaged compressed stream: everything before the damage was printed.
                summary.Report($"cannot read past the damage: {e.Message}");
                readToEnd = false;
            }
        }
        foreach (var problem in summary.Problems)
        {
            error.WriteLine("bgpkit decode: " + problem);
        }
        error.WriteLine(summary.Format());
        return readToEnd ? 0 : 1;
    }
}
