using System.Globalization;
using System.Text;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.Cli.Show;

/// <summary>The BFD views as text, laid out like FRR's <c>show bfd peers</c> and <c>show bfd peers brief</c>.</summary>
internal static class BfdTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Peers(BfdPeersView view)
    {
        var text = new StringBuilder("BFD Peers:\n");
        foreach (var p in view.Peers)
        {
            text.Append(Invariant, $"\tpeer {p.Peer} local-address {p.LocalAddress}\n");
            text.Append(Invariant, $"\t\tID: {p.LocalDiscriminator}\n");
            text.Append(Invariant, $"\t\tRemote ID: {p.RemoteDiscriminator}\n");
            text.Append(Invariant, $"\t\tStatus: {p.State.ToLowerInvariant()}\n");
            if (p.State == "Up")
            {
                text.Append(Invariant, $"\t\tUptime: {Uptime.Words(p.Uptime)}\n");
            }
            text.Append(Invariant, $"\t\tRemote status: {p.RemoteState.ToLowerInvariant()}\n");
            text.Append(Invariant, $"\t\tDown events: {p.DownEvents}\n");
            text.Append("\t\tLocal timers:\n");
            text.Append(Invariant, $"\t\t\tDetect-multiplier: {p.DetectMultiplier}\n");
            text.Append(Invariant, $"\t\t\tReceive interval: {p.ReceiveInterval}ms\n");
            text.Append(Invariant, $"\t\t\tTransmission interval: {p.TransmitInterval}ms\n");
            text.Append(Invariant, $"\t\t\tDetection time: {p.DetectionTime}ms\n");
            text.Append('\n');
        }
        return text.ToString();
    }

    public static string Brief(BfdPeersView view)
    {
        var text = new StringBuilder();
        text.Append(Invariant, $"Session count: {view.Peers.Count}\n");
        text.Append(Invariant, $"{"SessionId",-10} {"LocalAddress",-40} {"PeerAddress",-40} {"Status",-10}\n");
        text.Append(Invariant, $"{"=========",-10} {"============",-40} {"===========",-40} {"======",-10}\n");
        foreach (var p in view.Peers)
        {
            text.Append(Invariant, $"{p.LocalDiscriminator,-10} {p.LocalAddress,-40} {p.Peer,-40} {p.State.ToLowerInvariant(),-10}\n");
        }
        return text.ToString();
    }
}
