using System.Globalization;
using System.Text;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.Cli.Show;

/// <summary>The layer 2 view as text: one line per Service address.</summary>
internal static class Layer2Tables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Addresses(Layer2View view)
    {
        var text = new StringBuilder();
        text.Append(Invariant, $"Node {view.Node}; live speakers: {(view.Live is null ? "all (no API server)" : string.Join(", ", view.Live))}\n");
        text.Append(Invariant, $"{"Address",-40} {"Service",-30} {"Owner",-20} {"Interfaces",-20} Reason\n");
        foreach (var a in view.Addresses)
        {
            var interfaces = a.Answering ? (a.Interfaces.Count == 0 ? "(none)" : string.Join(",", a.Interfaces)) : "-";
            text.Append(Invariant, $"{a.Address,-40} {a.Service,-30} {a.Owner ?? "-",-20} {interfaces,-20} {a.Reason}\n");
        }
        return text.ToString();
    }
}
