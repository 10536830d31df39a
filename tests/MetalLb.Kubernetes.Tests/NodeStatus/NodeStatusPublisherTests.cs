using BgpKit.MetalLb.Kubernetes.NodeStatus;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.NodeStatus;

public sealed class NodeStatusPublisherTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly MemoryNodeStatusWriter _writer = new();
    private NodeObservation _observation = NodeObservation.Empty;

    private NodeStatusPublisher Publisher(int perSecond = 5, int burst = 5) =>
        new("metallb-system", "node-1", () => _observation, _writer, new WriteRateLimit(perSecond, burst, _time), _time, NullLogger.Instance);

    [Fact]
    public async Task The_first_pass_reads_the_node_lists_its_objects_and_creates_then_sets_status()
    {
        var publisher = Publisher();
        _observation = Observation("Established", valid: true);

        Assert.Null(await publisher.PassAsync(default));

        Assert.Equal(["GET node", "LIST servicebgpstatuses", "LIST bgpsessionstates", "LIST servicel2statuses", "POST /192.0.2.1", "PATCH /192.0.2.1", "STATE speaker-node-1"], _writer.Calls);
        Assert.Equal("Established", _writer.Status<BgpSessionStateObject>().BgpStatus);
        Assert.True(_writer.States.Single().Valid);
        Assert.Equal("uid-node-1", _writer.States.Single().Owner!.Uid);
    }

    [Fact]
    public async Task A_pass_with_nothing_changed_writes_nothing()
    {
        var publisher = Publisher();
        _observation = Observation("Established", valid: true);
        await publisher.PassAsync(default);
        _writer.Calls.Clear();

        Assert.Null(await publisher.PassAsync(default));
        Assert.Empty(_writer.Calls);
    }

    [Fact]
    public async Task A_peer_flapping_100_times_in_a_second_makes_a_handful_of_writes_and_the_last_state_is_written()
    {
        var publisher = Publisher(perSecond: 5, burst: 5);
        _observation = Observation("Established", valid: true);
        await publisher.PassAsync(default);
        _writer.Calls.Clear();

        TimeSpan? due = null;
        for (var i = 0; i < 100; i++)
        {
            _observation = Observation(i % 2 == 0 ? "Idle" : "Established", valid: true);
            // A pass runs on every change, unless the last one said to wait.
            if (due is not { } wait || wait <= TimeSpan.Zero)
            {
                due = await publisher.PassAsync(default);
            }
            _time.Advance(TimeSpan.FromMilliseconds(10));
            due -= TimeSpan.FromMilliseconds(10);
        }
        var writesInTheSecond = _writer.Writes().Count();
        Assert.InRange(writesInTheSecond, 1, 10); // what was left of the burst, then 5 a second

        // The flapping stops at Idle; the passes the rate bound asks for write that final state.
        _observation = Observation("Idle", valid: true);
        var passes = 0;
        while (await publisher.PassAsync(default) is { } next)
        {
            _time.Advance(next);
            passes++;
        }
        Assert.InRange(passes, 0, 1);
        Assert.InRange(_writer.Writes().Count() - writesInTheSecond, 0, 1);
        Assert.Equal("Idle", _writer.Status<BgpSessionStateObject>().BgpStatus);
        Assert.Single(_writer.Objects);
    }

    [Fact]
    public async Task Throttled_passes_say_exactly_when_the_next_token_is_due()
    {
        var publisher = Publisher(perSecond: 2, burst: 1);
        _observation = Observation("Established", valid: null);

        // One token: the create; the status must wait half a second.
        Assert.Equal(TimeSpan.FromMilliseconds(500), await publisher.PassAsync(default));
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(TimeSpan.FromMilliseconds(1), await publisher.PassAsync(default));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await publisher.PassAsync(default));
        Assert.Equal(["POST /192.0.2.1", "PATCH /192.0.2.1"], _writer.Writes());
    }

    [Fact]
    public async Task A_removed_session_and_a_service_no_longer_announced_are_deleted()
    {
        var publisher = Publisher(perSecond: 5, burst: 10);
        _observation = Observation("Established", valid: true, new AnnouncedService("default", "web", ["router"]));
        await publisher.PassAsync(default);
        Assert.Equal(2, _writer.Objects.Count);
        _writer.Calls.Clear();

        _observation = new NodeObservation([], [], new ConfigurationOutcome(true, []));
        Assert.Null(await publisher.PassAsync(default));

        Assert.Empty(_writer.Objects);
        Assert.All(_writer.Writes(), c => Assert.StartsWith("DELETE", c, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_publisher_adopts_the_objects_a_previous_one_wrote()
    {
        _observation = Observation("Established", valid: true, new AnnouncedService("default", "web", ["router"]));
        await Publisher().PassAsync(default);
        var names = _writer.Objects.Keys.Order(StringComparer.Ordinal).ToArray();
        _writer.Calls.Clear();

        _observation = Observation("Active", valid: true, new AnnouncedService("default", "web", ["router"]));
        Assert.Null(await Publisher().PassAsync(default));

        Assert.Equal(names, _writer.Objects.Keys.Order(StringComparer.Ordinal));
        // The session's status changed; the Service's did not; the ConfigurationState is said once per start.
        Assert.Equal(["PATCH /192.0.2.1", "STATE speaker-node-1"], _writer.Writes());
    }

    [Fact]
    public async Task A_failed_write_lists_again_and_the_retry_backs_off()
    {
        var publisher = Publisher();
        _observation = Observation("Established", valid: true);
        _writer.RefuseNext = "PATCH";
        Assert.Equal(TimeSpan.FromSeconds(1), await publisher.PassAsync(default));
        _writer.RefuseNext = "LIST";
        Assert.Equal(TimeSpan.FromSeconds(2), await publisher.PassAsync(default));
        _writer.Calls.Clear();

        Assert.Null(await publisher.PassAsync(default));
        // Listed again: the object created before the failure is found and given its status, not created twice.
        Assert.Equal(["LIST servicebgpstatuses", "LIST bgpsessionstates", "LIST servicel2statuses", "PATCH /192.0.2.1", "STATE speaker-node-1"], _writer.Calls);
        Assert.Single(_writer.Objects);
    }

    [Fact]
    public async Task The_ConfigurationState_is_written_again_only_when_validity_or_errors_change()
    {
        var publisher = Publisher();
        _observation = Observation("Established", valid: true);
        await publisher.PassAsync(default);
        _observation = _observation with { Configuration = new ConfigurationOutcome(false, ["peer x: bad"]) };
        await publisher.PassAsync(default);
        await publisher.PassAsync(default);

        Assert.Equal([true, false], _writer.States.Select(s => s.Valid));
        Assert.Equal("peer x: bad", _writer.States[^1].ErrorSummary);
    }

    [Fact]
    public async Task A_kind_whose_CRD_is_missing_is_left_out_and_published_once_a_resync_finds_it()
    {
        var publisher = Publisher(perSecond: 5, burst: 10);
        _writer.Absent.Add(NodeStatusKind.BgpSessionState);
        _observation = Observation("Established", valid: true, new AnnouncedService("default", "web", ["router"]));

        Assert.Null(await publisher.PassAsync(default));
        Assert.IsType<ServiceBgpStatusObject>(Assert.Single(_writer.Objects).Value.Status);

        // FRR-K8s gets installed; the periodic resync lists again and finds it.
        _writer.Absent.Clear();
        Assert.Null(await publisher.PassAsync(default));
        Assert.Single(_writer.Objects);
        publisher.Resync();
        Assert.Null(await publisher.PassAsync(default));
        Assert.Equal(2, _writer.Objects.Count);
        Assert.Equal("Established", _writer.Status<BgpSessionStateObject>().BgpStatus);
    }

    private static NodeObservation Observation(string state, bool? valid, params AnnouncedService[] services) =>
        new([new SessionObservation("192.0.2.1", "", state, null)], services, valid is { } v ? new ConfigurationOutcome(v, []) : null);
}
