using BgpKit.MetalLb.Kubernetes.Layer2;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Layer2;

/// <summary>Speaker liveness over the fake API server, with time driven by hand: renewals, expiry at the exact boundary, release.</summary>
public sealed class SpeakerLeasesTests : IDisposable
{
    private static readonly Layer2Timing Timing = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
    private readonly FakeApiServer _server = new();
    private readonly k8s.Kubernetes _client;
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero));

    public SpeakerLeasesTests()
    {
        _client = new KubernetesApiOptions { Server = _server.Url }.CreateClient();
    }

    private SpeakerLeases Leases(string node) => new(_client, "metallb-system", node, Timing, _time, NullLogger.Instance);

    [Fact]
    public async Task Each_speaker_sees_the_other_alive_while_it_renews_and_dead_one_lease_duration_after_its_last_renewal()
    {
        var a = Leases("node-a");
        var b = Leases("node-b");
        Assert.Equal(["node-a"], (await a.RefreshAsync(default))!.Order());
        Assert.Equal(["node-a", "node-b"], (await b.RefreshAsync(default))!.Order());
        _time.Advance(Timing.RenewInterval);
        Assert.Equal(["node-a", "node-b"], (await a.RefreshAsync(default))!.Order());
        Assert.Equal("node-b", _server.Get("coordination.k8s.io/v1", "leases", "metallb-system", "bgpkit-speaker-node-b")!["spec"]!["holderIdentity"]!.GetValue<string>());

        // b stops renewing: a first saw b's Lease at 1 s (its own clock) and b renewed nothing since: alive until 6 s.
        _time.Advance(Timing.LeaseDuration - TimeSpan.FromTicks(1));
        Assert.Contains("node-b", (await a.RefreshAsync(default))!);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.DoesNotContain("node-b", (await a.RefreshAsync(default))!);
        // b renews again: alive at once.
        await b.RefreshAsync(default);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Contains("node-b", (await a.RefreshAsync(default))!);
    }

    [Fact]
    public async Task A_released_lease_is_dead_at_once_and_a_stale_one_seen_first_is_not_revived()
    {
        var a = Leases("node-a");
        var b = Leases("node-b");
        await b.RefreshAsync(default);
        Assert.Contains("node-b", (await a.RefreshAsync(default))!);
        await b.ReleaseAsync(default);
        Assert.DoesNotContain("node-b", (await a.RefreshAsync(default))!);

        await b.RefreshAsync(default);
        _time.Advance(Timing.LeaseDuration + TimeSpan.FromSeconds(1));
        // A speaker that starts now sees b's Lease for the first time, renewed 6 s ago: dead.
        Assert.Equal(["node-c"], (await Leases("node-c").RefreshAsync(default))!);
    }

    [Fact]
    public async Task A_speaker_restarted_after_releasing_its_lease_takes_it_again()
    {
        var before = Leases("node-a");
        await before.RefreshAsync(default);
        await before.ReleaseAsync(default);
        Assert.Equal("", _server.Get("coordination.k8s.io/v1", "leases", "metallb-system", "bgpkit-speaker-node-a")!["spec"]!["holderIdentity"]!.GetValue<string>());
        _time.Advance(Timing.RenewInterval);
        Assert.Contains("node-a", (await Leases("node-a").RefreshAsync(default))!);
        Assert.Equal("node-a", _server.Get("coordination.k8s.io/v1", "leases", "metallb-system", "bgpkit-speaker-node-a")!["spec"]!["holderIdentity"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_speaker_that_cannot_renew_counts_itself_dead_before_the_others_may()
    {
        var a = Leases("node-a");
        Assert.Contains("node-a", (await a.RefreshAsync(default))!);
        _server.Dispose(); // The API server goes away.
        _time.Advance(Timing.RenewDeadline - TimeSpan.FromTicks(1));
        Assert.Contains("node-a", (await a.RefreshAsync(default))!);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.DoesNotContain("node-a", (await a.RefreshAsync(default))!);
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }
}
