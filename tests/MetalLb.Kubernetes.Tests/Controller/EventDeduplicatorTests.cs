using BgpKit.MetalLb.Kubernetes.Controller;

namespace BgpKit.MetalLb.Kubernetes.Tests.Controller;

public class EventDeduplicatorTests
{
    private static readonly ServiceRef Web = new("default", "web", null);

    private static ServiceEvent Failed(string why = "no available IPs") => new(Web, ServiceEvent.Warning, "AllocationFailed", why);

    [Fact]
    public void A_stuck_service_writes_its_event_once_however_many_resyncs()
    {
        var dedup = new EventDeduplicator();
        var emitted = 0;
        for (var pass = 0; pass < 5; pass++)
        {
            var events = dedup.Filter([Failed()]);
            emitted += events.Count;
            dedup.Emitted(events);
        }
        Assert.Equal(1, emitted);
    }

    [Fact]
    public void A_changed_reason_and_a_failure_after_success_are_emitted_again()
    {
        var dedup = new EventDeduplicator();
        dedup.Emitted(dedup.Filter([Failed()]));
        Assert.Single(dedup.Filter([Failed("pool exhausted")]));
        var allocated = new ServiceEvent(Web, ServiceEvent.Normal, "IPAllocated", "Assigned IP [\"192.0.2.1\"]");
        dedup.Emitted(dedup.Filter([allocated]));
        Assert.Single(dedup.Filter([Failed()]));
    }

    [Fact]
    public void An_event_that_was_not_written_is_tried_again()
    {
        var dedup = new EventDeduplicator();
        Assert.Single(dedup.Filter([Failed()]));
        Assert.Single(dedup.Filter([Failed()])); // Emitted was never called: the write failed.
    }

    [Fact]
    public void A_new_term_and_a_deleted_service_forget_what_was_said()
    {
        var dedup = new EventDeduplicator();
        dedup.Emitted(dedup.Filter([Failed()]));
        dedup.Retain(["default/other"]);
        Assert.Single(dedup.Filter([Failed()]));
        dedup.Emitted([Failed()]);
        dedup.Clear();
        Assert.Single(dedup.Filter([Failed()]));
    }
}
