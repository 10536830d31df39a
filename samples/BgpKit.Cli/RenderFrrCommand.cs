using System.CommandLine;

namespace BgpKit.Cli;

/// <summary><c>bgpkit render-frr</c>: Print the frr.conf that makes FRR announce a node's plan.</summary>
internal static class RenderFrrCommand
{
    public static Command Create()
    {
        var command = new Command("render-frr", "Print the frr.conf that makes FRR announce a node's plan");
        command.SetAction(parse =>
        {
            Console.Error.WriteLine("bgpkit render-frr: not implemented yet");
            return 2;
        });
        return command;
    }
}
