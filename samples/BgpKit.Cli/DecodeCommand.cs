using System.CommandLine;
using BgpKit.Cli.Decode;

namespace BgpKit.Cli;

/// <summary><c>bgpkit decode FILE</c>: BGP, BFD and MRT from captures and dumps as JSON lines.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "pcap, pcapng or MRT file (gzip/bzip2 detected by content)" };
        var ports = new Option<int[]>("--bgp-port") { Description = "extra TCP ports that carry BGP (179 always does)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("decode", "Decode a capture or MRT dump into one JSON object per line") { file, ports };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            var extra = parse.GetValue(ports) ?? [];
            using var stdout = Console.OpenStandardOutput();
            return DecodeRunner.Run(path, extra, stdout, Console.Error);
        });
        return command;
    }
}
