using BgpKit.Bgp.Wire.Capture;

namespace BgpKit.Cli.Decode;

/// <summary>Prints the BGP messages and BFD packets of a pcap or pcapng capture.</summary>
internal static class CaptureJob
{
    public static bool Run(Stream input, IReadOnlyCollection<int> bgpPorts, JsonLineWriter lines, DecodeSummary summary)
    {
        using var decoder = CaptureDecoder.Open(input, out var problem, bgpPorts);
        if (decoder is null)
        {
            summary.Report(problem ?? "not a capture");
            return false;
        }
        var json = lines.Json;
        while (decoder.TryRead(out var item))
        {
            switch (item.Kind)
            {
                case CaptureItemKind.BgpMessage:
                    var session = item.Flow.Connection.DecoderState as BgpSessionView ?? new BgpSessionView();
                    item.Flow.Connection.DecoderState = session;
                    json.WriteStartObject();
                    json.WriteString(JsonNames.Kind, JsonNames.Bgp);
                    json.WriteString(JsonNames.Src, item.Flow.Source);
                    json.WriteString(JsonNames.Dst, item.Flow.Destination);
                    BgpMessageJson.WriteCaptured(json, item.Data.Span, session, session.DirectionOf(item.Flow), summary);
                    json.WriteEndObject();
                    lines.EndLine();
                    break;
                case CaptureItemKind.BfdPacket:
                    BfdJson.Write(json, item, summary);
                    lines.EndLine();
                    break;
                case CaptureItemKind.TruncatedMessage:
                    summary.Skipped++;
                    summary.Report($"{item.Flow.Source} -> {item.Flow.Destination}: {item.Data.Length} octets at the end of the stream are not a whole BGP message");
                    break;
            }
        }
        var stats = decoder.Statistics;
        if (stats.SkippedOctets > 0)
        {
            summary.Report($"{stats.SkippedOctets} octets of BGP streams skipped ({stats.Gaps} sequence gaps)");
        }
        if (stats.Reassembled > 0 || stats.FragmentsDropped > 0)
        {
            summary.Report($"{stats.Reassembled} IP datagrams reassembled from fragments, {stats.FragmentsDropped} fragments dropped (incomplete, overlapping or over the reassembly limits)");
        }
        if (decoder.Problem is { } damage)
        {
            summary.Report(damage);
            summary.Skipped++;
        }
        return true;
    }
}
