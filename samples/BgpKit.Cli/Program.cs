using System.CommandLine;

namespace BgpKit.Cli;

/// <summary>Entry point of the <c>bgpkit</c> command. Each subcommand lives in its own file.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("bgpkit: BGP and BFD for .NET, with MetalLB's BGP mode");
        foreach (var command in Commands.All())
        {
            root.Subcommands.Add(command);
        }
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Usage errors exit 2 (as the plan and decode commands document), not System.CommandLine's 1,
            // which the commands keep for "the input was read and is invalid".
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine("bgpkit: " + error.Message);
            }
            Console.Error.WriteLine("Try 'bgpkit --help'.");
            return 2;
        }
        return parsed.Invoke();
    }
}
