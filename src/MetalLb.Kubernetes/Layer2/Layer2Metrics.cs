using System.Diagnostics.Metrics;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>
/// Layer 2 instruments (meter <c>BgpKit.Layer2</c>), exported under MetalLB's names
/// (<c>metallb_layer2_requests_received</c>, <c>..._responses_sent</c>, <c>..._gratuitous_sent</c>, label
/// <c>ip</c>, from MetalLB's internal/layer2/stats.go), plus <c>bgpkit_layer2_frames_ignored_total</c> by reason.
/// </summary>
internal sealed class Layer2Metrics : IDisposable
{
    public const string MeterName = "BgpKit.Layer2";
    public const string IpTag = "ip";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _responses;
    private readonly Counter<long> _gratuitous;
    private readonly Counter<long> _ignored;

    public Layer2Metrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("layer2_requests_received", description: "Number of layer2 requests received for owned IPs");
        _responses = _meter.CreateCounter<long>("layer2_responses_sent", description: "Number of layer2 responses sent for owned IPs in response to requests");
        _gratuitous = _meter.CreateCounter<long>("layer2_gratuitous_sent", description: "Number of gratuitous layer2 packets sent for owned IPs as a result of failovers");
        _ignored = _meter.CreateCounter<long>("layer2_frames_ignored_total", description: "ARP/ND frames captured and not answered, by reason (truncated, bad_length, not_request, bad_checksum, bad_option, own, other_protocol)");
    }

    public void RequestReceived(string ip) => _requests.Add(1, new KeyValuePair<string, object?>(IpTag, ip));

    public void ResponseSent(string ip) => _responses.Add(1, new KeyValuePair<string, object?>(IpTag, ip));

    public void GratuitousSent(string ip) => _gratuitous.Add(1, new KeyValuePair<string, object?>(IpTag, ip));

    public void Ignored(Layer2Drop reason) => _ignored.Add(1, new KeyValuePair<string, object?>("reason", ReasonLabel(reason)));

    public static string ReasonLabel(Layer2Drop reason) => reason switch
    {
        Layer2Drop.Truncated => "truncated",
        Layer2Drop.BadLength => "bad_length",
        Layer2Drop.NotRequest => "not_request",
        Layer2Drop.BadChecksum => "bad_checksum",
        Layer2Drop.BadOption => "bad_option",
        Layer2Drop.Own => "own",
        Layer2Drop.OtherProtocol => "other_protocol",
        _ => "none",
    };

    public void Dispose() => _meter.Dispose();
}
