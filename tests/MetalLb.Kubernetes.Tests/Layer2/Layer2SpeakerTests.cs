using System.Net;
using BgpKit.MetalLb.Kubernetes.Layer2;
using BgpKit.MetalLb.Model;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Layer2;

/// <summary>The layer 2 election loop with time by hand: immediate takeover from a dead owner, a handoff delay from a live one.</summary>
public class Layer2SpeakerTests
{
    private static readonly Layer2Timing Timing = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
    private static readonly IPAddress Address = IPAddress.Parse("192.0.2.1");

    private sealed class Recorder : ILayer2Announcer
    {
        public IReadOnlyDictionary<IPAddress, Layer2Candidate> Owned { get; private set; } = new Dictionary<IPAddress, Layer2Candidate>();

        public IReadOnlyDictionary<IPAddress, IReadOnlyList<string>> Apply(IReadOnlyDictionary<IPAddress, Layer2Candidate> owned)
        {
            Owned = owned;
            return owned.ToDictionary(p => p.Key, _ => (IReadOnlyList<string>)["eth0"]);
        }

        public void Dispose()
        {
        }
    }

    private static Layer2ServicePlan Web => new()
    {
        Namespace = "default",
        Name = "web",
        Addresses = [Address],
        Pool = "lan",
        Advertisements = ["l2"],
        Candidates = [new Layer2Candidate("node-1", []), new Layer2Candidate("node-2", [])],
        Reasons = new Dictionary<string, string> { ["node-1"] = "candidate", ["node-2"] = "candidate" },
    };

    // printf 'node-1#192.0.2.1' | sha256sum sorts before node-2's: node-1 is preferred.
    private static (Layer2Speaker Speaker, Recorder Announcer, ManualTimeProvider Time) Speaker(string node)
    {
        var time = new ManualTimeProvider();
        var announcer = new Recorder();
        return (new Layer2Speaker(node, () => [Web], new EveryNodeAlive(), announcer, Timing, time, NullLogger.Instance), announcer, time);
    }

    private static HashSet<string> Live(params string[] nodes) => new(nodes, StringComparer.Ordinal);

    [Fact]
    public void The_next_node_takes_over_at_once_when_the_owner_dies_and_gives_back_only_after_the_handoff_delay()
    {
        var (speaker, announcer, time) = Speaker("node-2");
        speaker.Pass(Live("node-2"));
        Assert.True(announcer.Owned.ContainsKey(Address)); // alone: owner at once
        time.Advance(TimeSpan.FromSeconds(10));
        speaker.Pass(Live("node-1", "node-2"));
        Assert.Empty(announcer.Owned); // node-1 is back and first: released at once
        Assert.Equal("default/web", Assert.Single(speaker.View.Addresses).Service);
        Assert.Contains("node-1 comes first", speaker.View.Addresses[0].Reason, StringComparison.Ordinal);
        speaker.Pass(Live("node-2"));
        Assert.True(announcer.Owned.ContainsKey(Address)); // node-1 dead again: immediate
        var owned = Assert.Single(speaker.Owned);
        Assert.Equal(("default", "web", "eth0"), (owned.Namespace, owned.Name, Assert.Single(owned.Interfaces)));
    }

    [Fact]
    public void Taking_an_address_from_a_live_owner_waits_the_handoff_delay()
    {
        var (speaker, announcer, time) = Speaker("node-1");
        speaker.Pass(Live("node-1"));
        time.Advance(TimeSpan.FromSeconds(10));
        speaker.Pass(Live("node-2"));
        Assert.Empty(announcer.Owned); // this node's own Lease lapsed: node-2 owns
        speaker.Pass(Live("node-1", "node-2"));
        Assert.Empty(announcer.Owned); // elected again, but node-2 was answering a moment ago
        Assert.Contains("waiting for node-2", speaker.View.Addresses[0].Reason, StringComparison.Ordinal);
        time.Advance(Timing.HandoffDelay - TimeSpan.FromTicks(1));
        speaker.Pass(Live("node-1", "node-2"));
        Assert.Empty(announcer.Owned);
        time.Advance(TimeSpan.FromTicks(1));
        speaker.Pass(Live("node-1", "node-2"));
        Assert.True(announcer.Owned.ContainsKey(Address));
    }

    [Fact]
    public void A_speaker_that_just_started_waits_before_taking_from_a_live_peer_but_not_when_alone()
    {
        var (speaker, announcer, time) = Speaker("node-1");
        speaker.Pass(Live("node-1", "node-2"));
        Assert.Empty(announcer.Owned);
        time.Advance(Timing.HandoffDelay);
        speaker.Pass(Live("node-1", "node-2"));
        Assert.True(announcer.Owned.ContainsKey(Address));

        var (alone, aloneAnnouncer, _) = Speaker("node-1");
        alone.Pass(Live("node-1"));
        Assert.True(aloneAnnouncer.Owned.ContainsKey(Address));
    }

    [Fact]
    public void Without_an_API_server_every_candidate_counts_as_alive()
    {
        var (first, announcer, _) = Speaker("node-1");
        first.Pass(null);
        Assert.True(announcer.Owned.ContainsKey(Address));
        var (second, other, _) = Speaker("node-2");
        second.Pass(null);
        Assert.Empty(other.Owned);
        Assert.Null(second.View.Live);
    }
}
