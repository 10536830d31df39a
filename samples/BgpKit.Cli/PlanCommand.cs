using System.CommandLine;
using BgpKit.Cli.Plan;
using BgpKit.MetalLb.Model;

namespace BgpKit.Cli;

/// <summary><c>bgpkit plan</c>: Show which routes each node sends to each peer for a set of MetalLB manifests.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var config = new Option<string[]>("--config") { Description = "manifest file or directory (repeatable)", AllowMultipleArgumentsPerToken = true };
        var node = new Option<string?>("--node") { Description = "plan only this node" };
        var format = new Option<string>("--format") { Description = "json or text", DefaultValueFactory = _ => "text" };
        var command = new Command("plan", "Show which routes each node sends to each peer for a set of MetalLB manifests") { config, node, format };
        command.SetAction(parse => Run(parse.GetValue(config) ?? [], parse.GetValue(node), parse.GetValue(format) ?? "text", Console.Out, Console.Error));
        return command;
    }

    /// <summary>Exit 0 when valid, 1 when invalid, 2 on usage or read errors.</summary>
    public static int Run(string[] configs, string? node, string format, TextWriter output, TextWriter error)
    {
        if (configs.Length == 0)
        {
            error.WriteLine("bgpkit plan: --config PATH is required");
            return 2;
        }
        if (format is not ("json" or "text"))
        {
            error.WriteLine($"bgpkit plan: --format must be json or text, not \"{format}\"");
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
        output.Write(format == "json" ? PlanJsonWriter.Write(plan) + Environment.NewLine : PlanTextWriter.Write(plan));
        return plan.Valid ? 0 : 1;
    }
}
