using System.Globalization;
using System.Text;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.Cli.Show;

/// <summary>The BGP views as text, laid out like FRR vtysh's so operators read them at a glance.</summary>
internal static class BgpTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Like <c>show bgp summary</c>: identity line, one row per neighbor, a total.</summary>
    public static string Summary(BgpSummaryView view)
    {
        var text = new StringBuilder();
        text.Append(Invariant, $"BGP router identifier {(view.RouterId.Length == 0 ? "0.0.0.0" : view.RouterId)}, local AS number {view.LocalAsn}, node {view.Node}\n");
        text.Append(Invariant, $"Peers {view.Peers.Count}\n\n");
        text.Append(Invariant, $"{"Neighbor",-24} {"V",1} {"AS",10} {"MsgRcvd",9} {"MsgSent",9} {"Up/Down",8} {"State/PfxRcd",12} {"PfxSnt",8} Desc\n");
        foreach (var peer in view.Peers)
        {
            var neighbor = peer.Port == 179 ? peer.Address : $"{peer.Address}:{peer.Port}";
            var established = peer.State == "Established";
            var upDown = established ? Uptime.Format(peer.Uptime) : "never";
            var statePfx = established ? peer.PrefixesReceived.ToString(Invariant) : peer.State;
            text.Append(Invariant, $"{neighbor,-24} {4,1} {peer.RemoteAsn,10} {peer.MessagesReceived,9} {peer.MessagesSent,9} {upDown,8} {statePfx,12} {peer.PrefixesSent,8} {peer.Name}\n");
        }
        text.Append(Invariant, $"\nTotal number of neighbors {view.Peers.Count}\n");
        return text.ToString();
    }

    /// <summary>Like <c>show bgp neighbors</c>: one block per neighbor.</summary>
    public static string Neighbors(IReadOnlyList<BgpNeighborView> neighbors)
    {
        var text = new StringBuilder();
        foreach (var n in neighbors)
        {
            var s = n.Summary;
            var link = s.RemoteAsn == s.LocalAsn ? "internal" : "external";
            text.Append(Invariant, $"BGP neighbor is {s.Address}, remote AS {s.RemoteAsn}, local AS {s.LocalAsn}, {link} link\n");
            text.Append(Invariant, $" Description: {s.Name}\n");
            text.Append(Invariant, $"  BGP version 4, remote router ID {(n.RemoteRouterId.Length == 0 ? "0.0.0.0" : n.RemoteRouterId)}, local router ID {n.RouterId}\n");
            text.Append(Invariant, $"  BGP state = {s.State}{(s.State == "Established" ? ", up for " + Uptime.Format(s.Uptime) : string.Empty)}\n");
            text.Append(Invariant, $"  Local address {n.LocalAddress}, remote port {s.Port}{(n.EbgpMultiHop ? ", eBGP multihop" : string.Empty)}\n");
            text.Append(Invariant, $"  Hold time is {n.HoldTime}, keepalive interval is {n.KeepaliveTime} seconds");
            text.Append(n.NegotiatedHoldTime > 0 ? string.Create(Invariant, $" (negotiated hold time {n.NegotiatedHoldTime})\n") : "\n");
            if (n.Capabilities.Count > 0)
            {
                text.Append("  Neighbor capabilities: ").Append(string.Join(", ", n.Capabilities)).Append('\n');
            }
            text.Append("  Message statistics:\n");
            text.Append(Invariant, $"    {"",-20} {"Sent",10} {"Rcvd",10}\n");
            Row(text, "Opens:", n.Opens);
            Row(text, "Notifications:", n.Notifications);
            Row(text, "Updates:", n.Updates);
            Row(text, "Keepalives:", n.Keepalives);
            Row(text, "Route Refresh:", n.RouteRefreshes);
            text.Append(Invariant, $"    {"Total:",-20} {s.MessagesSent,10} {s.MessagesReceived,10}\n");
            text.Append(Invariant, $"  Prefixes sent {s.PrefixesSent}, received {s.PrefixesReceived}, refused by toReceive {n.PrefixesRefused} (accepts {n.ToReceive})\n");
            text.Append(Invariant, $"  Connections established {n.EstablishedTransitions}\n");
            if (n.BfdProfile is not null)
            {
                text.Append(Invariant, $"  BFD: profile {n.BfdProfile}, status {n.BfdState ?? "unknown"}\n");
            }
            if (s.LastError is not null)
            {
                text.Append(Invariant, $"  Last reset: {s.LastError}\n");
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static void Row(StringBuilder text, string label, MessageCount count) =>
        text.Append(Invariant, $"    {label,-20} {count.Sent,10} {count.Received,10}\n");

    /// <summary>Like <c>show bgp ipv4 unicast</c>, grouped per peer and direction.</summary>
    public static string Routes(IReadOnlyList<BgpRouteView> routes)
    {
        var text = new StringBuilder();
        foreach (var group in routes.GroupBy(r => (r.Peer, r.Direction)))
        {
            text.Append(Invariant, $"Routes {(group.Key.Direction == "received" ? "received from" : "advertised to")} {group.Key.Peer}:\n");
            text.Append(Invariant, $"   {"Network",-20} {"Next Hop",-18} {"Metric",6} {"LocPrf",6} Path / Communities\n");
            foreach (var r in group)
            {
                var communities = r.Communities.Concat(r.LargeCommunities).ToArray();
                var path = (r.AsPath.Length == 0 ? "i" : r.AsPath + " i") + (communities.Length == 0 ? string.Empty : "  " + string.Join(' ', communities));
                text.Append(Invariant, $"*> {r.Prefix,-20} {(r.NextHop.Length == 0 ? "-" : r.NextHop),-18} {r.Med?.ToString(Invariant) ?? "",6} {r.LocalPref?.ToString(Invariant) ?? "",6} {path}\n");
            }
            text.Append(Invariant, $"\nDisplayed {group.Count()} routes\n\n");
        }
        if (routes.Count == 0)
        {
            text.Append("No routes.\n");
        }
        return text.ToString();
    }
}
