using System.Globalization;
using System.Text;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.Cli.Show;

/// <summary><c>show config</c> as text: the plan in force, then the latest change if it was refused.</summary>
internal static class ConfigTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Config(ConfigView view)
    {
        var text = new StringBuilder();
        text.Append(Invariant, $"Node {view.Node}\n");
        if (view.InForce is not { } inForce)
        {
            text.Append("No valid configuration in force yet.\n");
        }
        else
        {
            text.Append(Invariant, $"Configuration in force: generation {inForce.Generation}, applied {inForce.AppliedAt}, from {inForce.Source}\n\n");
            text.Append("Sessions:\n");
            text.Append(Invariant, $"  {"Peer",-24} {"Address",-24} {"Port",5} {"MyASN",10} {"PeerASN",10} {"Hold",5} {"Keep",5} {"BFD",-14} MD5\n");
            foreach (var s in inForce.Sessions)
            {
                var peerAsn = s.DynamicAsn ?? s.PeerAsn.ToString(Invariant);
                text.Append(Invariant, $"  {s.Peer,-24} {s.Address,-24} {s.Port,5} {s.MyAsn,10} {peerAsn,10} {s.HoldTime,5} {s.KeepaliveTime,5} {s.BfdProfile ?? "-",-14} {(s.HasPassword ? "yes" : "no")}\n");
                if (s.ToReceive != "none")
                {
                    text.Append(Invariant, $"  {"",-24} accepts {s.ToReceive}\n");
                }
            }
            text.Append("\nAnnouncements:\n");
            text.Append(Invariant, $"  {"Peer",-24} {"Prefix",-24} {"LocPrf",6} Communities\n");
            foreach (var a in inForce.Announcements)
            {
                var communities = string.Join(' ', a.Communities.Concat(a.LargeCommunities));
                text.Append(Invariant, $"  {a.Peer,-24} {a.Prefix,-24} {a.LocalPref?.ToString(Invariant) ?? "-",6} {communities}\n");
            }
            text.Append("\nServices:\n");
            foreach (var s in inForce.Services)
            {
                var addresses = s.Addresses.Count == 0 ? "no address" : string.Join(',', s.Addresses);
                text.Append(Invariant, $"  {s.Namespace}/{s.Name} {addresses}{(s.Pool is null ? string.Empty : " from " + s.Pool)}: {(s.Announced ? "announced" : "not announced")} ({s.Reason})\n");
            }
        }
        if (view.LastChange is { } change)
        {
            text.Append(Invariant, $"\nLatest change read {change.At}: {(change.Valid ? "valid, applied" : "INVALID, not applied; the configuration above stays in force")}\n");
            Problems(text, "error", change.Errors);
            Problems(text, "pending", change.Pending);
            Problems(text, "warning", change.Warnings);
        }
        return text.ToString();
    }

    private static void Problems(StringBuilder text, string label, IReadOnlyList<ConfigProblemView> problems)
    {
        foreach (var p in problems)
        {
            var where = p.File is null ? string.Empty : p.Line > 0 ? string.Create(Invariant, $"{p.File}:{p.Line}: ") : p.File + ": ";
            var what = p.Kind is null ? string.Empty : $"{p.Kind} {p.Name}{(string.IsNullOrEmpty(p.Field) ? string.Empty : " " + p.Field)}: ";
            text.Append(Invariant, $"  {label}: {where}{what}{p.Message}\n");
        }
    }
}
