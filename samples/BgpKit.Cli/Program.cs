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
        return root.Parse(args).Invoke();
    }
}
