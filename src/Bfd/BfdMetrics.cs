using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BgpKit.Bfd;

/// <summary>
/// System.Diagnostics.Metrics instruments on the meter <c>BgpKit.Bfd</c>, named after FRR-K8s'
/// Prometheus metrics without the <c>frrk8s_</c> prefix and tagged with <c>peer</c>:
/// bfd_control_packet_input/output, bfd_echo_packet_input/output, bfd_session_up (gauge),
/// bfd_session_up_events, bfd_session_down_events, and bfd_state_notifications (state changes reported to the
/// session's subscribers, the BGP speaker among them: what bfdd counts as zebra_notifications, since its
/// state changes reach bgpd through zebra); plus bfd_packets_dropped tagged with <c>reason</c>.
/// </summary>
internal sealed class BfdMetrics : IDisposable
{
    public const string MeterName = "BgpKit.Bfd";

    private readonly Meter _meter;

    public BfdMetrics(IMeterFactory? factory, Func<IEnumerable<Measurement<int>>> sessionUp)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        ControlPacketInput = _meter.CreateCounter<long>("bfd_control_packet_input", "{packet}", "BFD control packets received");
        ControlPacketOutput = _meter.CreateCounter<long>("bfd_control_packet_output", "{packet}", "BFD control packets sent");
        EchoPacketInput = _meter.CreateCounter<long>("bfd_echo_packet_input", "{packet}", "BFD echo packets received");
        EchoPacketOutput = _meter.CreateCounter<long>("bfd_echo_packet_output", "{packet}", "BFD echo packets sent");
        SessionUpEvents = _meter.CreateCounter<long>("bfd_session_up_events", "{event}", "BFD session transitions to Up");
        SessionDownEvents = _meter.CreateCounter<long>("bfd_session_down_events", "{event}", "BFD session transitions out of Up");
        StateNotifications = _meter.CreateCounter<long>("bfd_state_notifications", "{notification}", "BFD state changes reported to the session's subscribers");
        PacketsDropped = _meter.CreateCounter<long>("bfd_packets_dropped", "{packet}", "BFD packets discarded by the reception checks");
        _meter.CreateObservableGauge("bfd_session_up", sessionUp, "{session}", "1 when the BFD session is Up, else 0");
    }

    public Meter Meter => _meter;

    public Counter<long> ControlPacketInput { get; }
    public Counter<long> ControlPacketOutput { get; }
    public Counter<long> EchoPacketInput { get; }
    public Counter<long> EchoPacketOutput { get; }
    public Counter<long> SessionUpEvents { get; }
    public Counter<long> SessionDownEvents { get; }
    public Counter<long> StateNotifications { get; }
    public Counter<long> PacketsDropped { get; }

    public static TagList Peer(string peer) => new() { { "peer", peer } };

    /// <summary>
    /// Starts the peer's counters at 0, so that a scrape shows every counter of a new session (echo packets
    /// included, which may never be sent) as bfdd's <c>show bfd peers counters</c> does.
    /// </summary>
    public void SessionAdded(string peer)
    {
        var tag = new KeyValuePair<string, object?>("peer", peer);
        foreach (var counter in new[] { ControlPacketInput, ControlPacketOutput, EchoPacketInput, EchoPacketOutput, SessionUpEvents, SessionDownEvents, StateNotifications })
        {
            counter.Add(0, tag);
        }
    }

        public void Dropped(string reason)
    {
        if (PacketsDropped.Enabled)
        {
            PacketsDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void Dispose() => _meter.Dispose();
}
