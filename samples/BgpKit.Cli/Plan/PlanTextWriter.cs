using System.Text;
using BgpKit.MetalLb.Model;

namespace BgpKit.Cli.Plan;

/// <summary>The human form of <c>bgpkit plan</c>: problems, then tables of services, sessions and routes.</summary>
internal static class PlanTextWriter
{
    public static string Write(ClusterPlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine(plan.Valid ? "Configuration is valid." : $"Configuration is INVALID ({plan.Errors.Count} error(s)); the last valid configuration would stay in force.");
        foreach (var note in plan.Notes)
        {
            text.AppendLine($"note: {note}");
        }
        foreach (var problem in plan.Errors.Concat(plan.Pending).Concat(plan.Warnings))
        {
            text.AppendLine(problem.ToString());
        }
        text.AppendLine();
        text.AppendLine("Services");
        Table(text, ["SERVICE", "ADDRESSES", "POOL", "STATUS"],
            plan.Services.Select(s => new[] { $"{s.Namespace}/{s.Name}", string.Join(",", s.Addresses), s.Pool ?? "-", s.Error ?? "allocated" }));
        foreach (var node in plan.Nodes)
        {
            text.AppendLine();
            text.AppendLine($"Node {node.Name}");
            Table(text, ["PEER", "ADDRESS", "PORT", "MY ASN", "PEER ASN", "HOLD", "KEEPALIVE", "ROUTER ID", "BFD", "VRF", "PASSWORD", "STATE"],
                node.Sessions.Select(s => new[]
                {
                    s.Peer, s.Interface is null ? s.Address.ToString() : "interface " + s.Interface, s.Port.ToString(), s.MyAsn.ToString(), s.PeerAsn?.ToString() ?? s.DynamicAsn ?? "", $"{s.HoldTime.TotalSeconds}s",
                    $"{s.KeepaliveTime.TotalSeconds}s", s.RouterId?.ToString() ?? "-", s.BfdProfile ?? "-", s.Vrf.Length == 0 ? "default" : s.Vrf,
                    s.PasswordSet ? "set" : "-", s.Pending is null ? "ready" : "pending: " + s.Pending,
                }));
            text.AppendLine();
            Table(text, ["PEER", "PREFIX", "LOCAL PREF", "COMMUNITIES", "LARGE COMMUNITIES"],
                node.Announcements.Select(a => new[] { a.Peer, a.Prefix.ToString(), a.LocalPref?.ToString() ?? "-", string.Join(" ", a.Communities), string.Join(" ", a.LargeCommunities) }));
            text.AppendLine();
            Table(text, ["SERVICE", "ON THIS NODE"],
                plan.Services.Select(s => new[] { $"{s.Namespace}/{s.Name}", s.Announced.TryGetValue(node.Name, out var reason) ? reason : "-" }));
        }
        return text.ToString();
    }

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        if (all.Count == 1)
        {
            text.AppendLine("  (none)");
            return;
        }
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            text.Append("  ");
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
