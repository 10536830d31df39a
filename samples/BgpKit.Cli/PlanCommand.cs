using System.CommandLine;

namespace BgpKit.Cli;

/// <summary><c>bgpkit plan</c>: Show which routes each node sends to each peer for a set of MetalLB manifests.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var command = new Command("plan", "Show which routes each node sends to each peer for a set of MetalLB manifests");
        command.SetAction(parse =>
        {
            Console.Error.WriteLine("bgpkit plan: not implemented yet");
            return 2;
        });
        return command;
    }
}
