using System.CommandLine;

namespace BgpKit.Cli;

/// <summary>The subcommands of <c>bgpkit</c>; one line per command, the command in its own file.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return DecodeCommand.Create();
        yield return PlanCommand.Create();
        yield return RenderFrrCommand.Create();
        yield return ShowCommand.Create();
        yield return SpeakerCommand.Create();
        yield return ControllerCommand.Create();
        yield return Speaker.QuickstartCommand.Create();
    }
}
