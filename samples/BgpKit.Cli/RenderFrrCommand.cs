using System.CommandLine;
using BgpKit.MetalLb.Model;

namespace BgpKit.Cli;

/// <summary><c>bgpkit render-frr</c>: Print the frr.conf that makes FRR announce a node's plan.</summary>
internal static class RenderFrrCommand
{
    public static Command Create()
    {
        var config = new Option<string[]>("--config") { Description = "manifest file or directory (repeatable)", AllowMultipleArgumentsPerToken = true };
        var node = new Option<string?>("--node") { Description = "the node to render" };
        var command = new Command("render-frr", "Print the frr.conf that makes FRR announce a node's plan") { config, node };
        command.SetAction(parse => Run(parse.GetValue(config) ?? [], parse.GetValue(node), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Exit 0 with the frr.conf on stdout, 1 when the configuration is invalid, 2 on usage or read errors.</summary>
    public static int Run(string[] configs, string? node, TextWriter output, TextWriter error)
    {
        if (configs.Length == 0 || string.IsNullOrEmpty(node))
        {
            error.WriteLine("bgpkit render-frr: --config PATH and --node NAME are required");
            return 2;
        }
        var manifests = ManifestSet.Load(configs);
        if (manifests.HasReadFailure)
        {
            foreach (var problem in manifests.Problems.Where(p => p.Severity == ProblemSeverity.Error))
            {
                error.WriteLine(problem);
            }
            return 2;
        }
        var plan = MetalLbPlanner.Plan(manifests, new PlanOptions { Node = node });
        if (!plan.Valid)
        {
            foreach (var problem in plan.Errors)
            {
                error.WriteLine(problem);
            }
            error.WriteLine("bgpkit render-frr: the configuration is invalid; nothing rendered");
            return 1;
        }
        output.Write(FrrConfigRenderer.Render(plan.Nodes.Single()));
        return 0;
    }
}
