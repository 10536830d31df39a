using System.CommandLine;

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
            Console.Error.WriteLine("bgpkit decode: not implemented yet");
            return 2;
        });
        return command;
    }
}
