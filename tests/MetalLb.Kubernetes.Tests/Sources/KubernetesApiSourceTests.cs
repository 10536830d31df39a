using System.Collections.Concurrent;
using BgpKit.MetalLb.Kubernetes.Reconcile;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Tests.Reconcile;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

/// <summary>
/// The API-server source against <see cref="FakeApiServer"/>, feeding the real reconcile loop
/// (ModelPlanCompiler) with a recording backend. Backoff runs on a manual clock that the waits
/// below move forward while they poll.
/// </summary>
public sealed class KubernetesApiSourceTests : IAsyncDisposable
{
    private readonly FakeApiServer _server = new();
    private readonly ManualTimeProvider _time = new();
    private readonly CapturingLogger _log = new();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private readonly RecordingBackend _backend = new();
    private readonly Reconciler _reconciler;
    private readonly KubernetesApiSource _source;
    private Task? _running;

    public KubernetesApiSourceTests()
    {
        _reconciler = new Reconciler("node-1", new ModelPlanCompiler("node-1"), _backend, _time, NullLogger.Instance);
        _source = new KubernetesApiSource(new KubernetesApiOptions { Server = _server.Url }, _time, _log);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _running);
        }
        _server.Dispose();
        _stop.Dispose();
    }

    private void Start() => _running = Task.Run(() => _reconciler.RunAsync(_source, _stop.Token));

    private string[] Routes() => _reconciler.Current.RoutesOf("router").Select(r => r.Prefix.ToString()).Order(StringComparer.Ordinal).ToArray();

    private string[] Calls()
    {
        lock (_backend.Calls)
        {
            return _backend.Calls.ToArray();
        }
    }

    /// <summary>Polls (bounded) while moving the manual clock, so backoff delays pass.</summary>
    private async Task Eventually(Func<bool> condition, string what)
    {
        // 1,500 turns at least; more while the machine is too loaded for 1,500 turns to take a minute.
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 1500 || started.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            if (condition())
            {
                return;
            }
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
        Assert.Fail("timed out waiting for " + what + "; requests: " + string.Join(", ", _server.Requests.TakeLast(10)));
    }

    [Fact]
    public async Task Initial_list_produces_the_plan_and_every_kind_is_watched_from_its_listed_version()
    {
        ApiObjects.Seed(_server);
        var listedAt = _server.ResourceVersion;
        Start();

        await Eventually(() => Routes().Length == 1, "the first plan");

        Assert.Equal(["198.51.100.1/32"], Routes());
        Assert.Contains("add router", Calls());
        Assert.Contains("announce router 198.51.100.1/32 lp= c=64512:100", Calls());
        Assert.Equal(_server.Url.GetLeftPart(UriPartial.Authority) + " (namespace metallb-system)", _reconciler.Config().InForce!.Source);
        await Eventually(() => _server.OpenWatches("services") == 1 && _server.OpenWatches("ipaddresspools") == 1, "the watches");
        Assert.Equal(
            ["GET /api/v1/services?limit=500", $"GET /api/v1/services?watch=true&resourceVersion={listedAt}&allowWatchBookmarks=true&timeoutSeconds=300"],
            _server.RequestsFor("services"));
        // MetalLB's own kinds are read in its namespace only; the pool in "other" is not configuration.
        Assert.Equal("GET /apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools?limit=500", _server.RequestsFor("ipaddresspools")[0]);
        Assert.Equal("GET /apis/metallb.io/v1beta2/namespaces/metallb-system/bgppeers?limit=500", _server.RequestsFor("bgppeers")[0]);
        Assert.Equal(KubernetesResourceKind.MetalLbSpeaker.Count, _server.Requests.Count(r => !r.Contains("watch=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Watched_changes_reach_the_reconcile_loop()
    {
        ApiObjects.Seed(_server);
        Start();
        await Eventually(() => Routes().Length == 1, "the first plan");
        await Eventually(() => _server.OpenWatches("services") == 1, "the service watch");

        _server.Put(ApiObjects.Service("api"));
        await Eventually(() => Routes().Length == 2, "the added service's route");
        Assert.Equal(["198.51.100.1/32", "198.51.100.2/32"], Routes());

        _server.Put(ApiObjects.Pool("203.0.113.0/28"));
        await Eventually(() => Routes().All(r => r.StartsWith("203.0.113.", StringComparison.Ordinal)), "routes from the modified pool");
        Assert.Equal(2, Routes().Length);
        Assert.Contains("withdraw router 198.51.100.1/32", Calls());

        _server.Delete("v1", "Service", "default", "api");
        await Eventually(() => Routes().Length == 1, "the deleted service's withdrawal");
        // One LIST each; everything after came through the watches.
        Assert.Single(_server.RequestsFor("services"), r => !r.Contains("watch=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_change_the_plan_does_not_read_makes_no_new_snapshot()
    {
        ApiObjects.Seed(_server);
        Start();
        await Eventually(() => Routes().Length == 1, "the first plan");
        await Eventually(() => _server.OpenWatches("nodes") == 1, "the node watch");
        var generation = _reconciler.Config().InForce!.Generation;

        // A kubelet heartbeat: only status and resourceVersion change.
        var heartbeat = _server.Put(ApiObjects.Node("node-1").Replace("18:00:00Z", "18:00:10Z", StringComparison.Ordinal));
        var nodes = _source.Reflectors.Single(r => r.Kind.Kind == "Node");
        await Eventually(() => nodes.ResourceVersion == heartbeat.ToString(System.Globalization.CultureInfo.InvariantCulture), "the heartbeat");
        _server.Put(ApiObjects.Service("web2"));
        await Eventually(() => Routes().Length == 2, "the next real change");

        // Every snapshot is applied (and counted) even when its plan is the same: one more means the heartbeat made none.
        Assert.Equal(generation + 1, _reconciler.Config().InForce!.Generation);
    }

    public enum GoneKind
    {
        ErrorEventOnResume,
        HttpStatusOnResume,
        ErrorEventInOpenWatch,
    }

    [Theory]
    [InlineData(GoneKind.ErrorEventOnResume)]
    [InlineData(GoneKind.HttpStatusOnResume)]
    [InlineData(GoneKind.ErrorEventInOpenWatch)]
    public async Task Gone_relists_and_no_change_is_lost_or_applied_twice(GoneKind gone)
    {
        ApiObjects.Seed(_server);
        _server.Put(ApiObjects.Service("old"));
        _server.GoneAsHttpStatus = gone == GoneKind.HttpStatusOnResume;
        Start();
        await Eventually(() => Routes().Length == 2, "the first plan");
        await Eventually(() => _server.OpenWatches("services") == 1, "the service watch");
        var oldAddress = _reconciler.Config().InForce!.Services.Single(s => s.Name == "old").Addresses.Single();

        void Changes()
        {
            _server.Put(ApiObjects.Service("new", loadBalancerIp: "198.51.100.9"));
            _server.Delete("v1", "Service", "default", "old");
        }
        // The watch never sees these changes: only a LIST can tell of them.
        _server.Gap(Changes, expireOpenWatches: gone == GoneKind.ErrorEventInOpenWatch);

        await Eventually(() => _reconciler.Config().InForce!.Services.Any(s => s.Name == "new") && Routes().Length == 2, "the relisted services");
        await Eventually(() => _server.OpenWatches("services") == 1, "the resumed watch");

        Assert.Equal(["new", "web"], _reconciler.Config().InForce!.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        var lists = _server.RequestsFor("services").Where(r => !r.Contains("watch=", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, lists.Length);
        Assert.Contains(_log.Lines, l => l.Contains("is gone (410); listing again", StringComparison.Ordinal));
        // The deleted service's route was withdrawn once, the new one announced once, the other never touched.
        var calls = Calls();
        Assert.Single(calls, c => c == $"withdraw router {oldAddress}/32");
        var newAddress = _reconciler.Config().InForce!.Services.Single(s => s.Name == "new").Addresses.Single();
        Assert.Equal("198.51.100.9", newAddress);
        Assert.Single(calls, c => c.StartsWith($"announce router {newAddress}/32", StringComparison.Ordinal));
        Assert.Single(calls, c => c.StartsWith("announce router 198.51.100.1/32", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dropped_connection_resumes_from_the_last_version_seen_without_listing_again()
    {
        ApiObjects.Seed(_server);
        Start();
        await Eventually(() => Routes().Length == 1, "the first plan");
        await Eventually(() => _server.OpenWatches("services") == 1, "the service watch");

        _server.Put(ApiObjects.Service("seen"));
        await Eventually(() => Routes().Length == 2, "the watched service");
        // A change elsewhere moves the version on; the services watch learns it from a bookmark.
        _server.Put(ApiObjects.Node("node-2"));
        _server.Bookmark();
        var bookmarked = _server.ResourceVersion;
        var services = _source.Reflectors.Single(r => r.Kind.Kind == "Service");
        await Eventually(() => services.ResourceVersion == bookmarked.ToString(System.Globalization.CultureInfo.InvariantCulture), "the bookmark");

        _server.DropWatches();
        _server.Put(ApiObjects.Service("while-down"));
        await Eventually(() => Routes().Length == 3, "the change made while the watch was down");

        var requests = _server.RequestsFor("services");
        Assert.Single(requests, r => !r.Contains("watch=", StringComparison.Ordinal));
        Assert.Contains($"GET /api/v1/services?watch=true&resourceVersion={bookmarked}&allowWatchBookmarks=true&timeoutSeconds=300", requests);
        Assert.True(_log.Lines.Any(l => l.StartsWith("Warning: Reading Service from the API server failed", StringComparison.Ordinal)), string.Join("\n", _log.Lines));
    }

    [Fact]
    public async Task Watches_the_server_ends_every_event_resume_and_miss_nothing()
    {
        ApiObjects.Seed(_server);
        _server.CloseWatchAfterEvents = 1;
        Start();
        await Eventually(() => Routes().Length == 1, "the first plan");

        for (var i = 0; i < 5; i++)
        {
            _server.Put(ApiObjects.Service("s" + i));
        }
        await Eventually(() => Routes().Length == 6, "all five services");

        var requests = _server.RequestsFor("services");
        Assert.Single(requests, r => !r.Contains("watch=", StringComparison.Ordinal));
        Assert.True(requests.Count >= 3, string.Join(", ", requests));
        Assert.DoesNotContain(_log.Lines, l => l.Contains("(410)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_object_is_reported_and_the_last_valid_configuration_stays()
    {
        ApiObjects.Seed(_server);
        Start();
        await Eventually(() => Routes().Length == 1, "the first plan");
        await Eventually(() => _server.OpenWatches("ipaddresspools") == 1, "the pool watch");
        var callsBefore = Calls();

        _server.Put(ApiObjects.Pool("198.51.100.0/33"));
        await Eventually(() => _reconciler.Config().LastChange is { Valid: false }, "the invalid change");

        var error = Assert.Single(_reconciler.Config().LastChange!.Errors);
        Assert.Equal("IPAddressPool/metallb-system/pool", error.File);
        Assert.True(error.Line > 0);
        Assert.Equal(["198.51.100.1/32"], Routes());
        Assert.Equal(callsBefore, Calls());

        _server.Put(ApiObjects.Pool("198.51.100.0/28"));
        await Eventually(() => _reconciler.Config().LastChange is { Valid: true }, "the fixed pool");
        Assert.Equal(["198.51.100.1/32"], Routes());
        Assert.Equal(callsBefore, Calls());
    }

    [Fact]
    public async Task Errors_are_retried_after_a_backoff_that_doubles_up_to_its_cap()
    {
        _server.Unavailable = "services";
        var source = new KubernetesApiSource(new KubernetesApiOptions { Server = _server.Url }, _time, _log)
        {
            Kinds = [KubernetesResourceKind.MetalLbSpeaker.Single(k => k.Kind == "Service")],
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromSeconds(4),
        };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var snapshots = source.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var first = snapshots.MoveNextAsync().AsTask();

        // Attempts at 0 s, then after 1, 2, 4, 4, 4 s: at seconds 0, 1, 3, 7, 11, 15.
        int[] attemptsBySecond = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6];
        for (var second = 0; second < attemptsBySecond.Length; second++)
        {
            if (second > 0)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
            }
            // Wait for this second's attempt (if any) and for the retry timer it sets, so the clock
            // never moves before the source has started waiting.
            for (var i = 0; i < 1000 && (_server.Requests.Count < attemptsBySecond[second] || _time.ActiveTimers != 1); i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
            }
            Assert.Equal(attemptsBySecond[second], _server.Requests.Count);
        }
        Assert.Contains(_log.Lines, l => l.Contains("503 Service Unavailable", StringComparison.Ordinal) && l.Contains("retrying in 4000 ms", StringComparison.Ordinal));

        // Once the server is back the next attempt lists and the first snapshot arrives.
        _server.Unavailable = null;
        for (var i = 0; i < 500 && !first.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(first, Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System));
        }
        Assert.True(await first);
        Assert.Empty(snapshots.Current.Documents);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_list_is_read_in_pages_or_whole_when_its_continue_token_expires(bool expire)
    {
        ApiObjects.Seed(_server);
        for (var i = 0; i < 4; i++)
        {
            _server.Put(ApiObjects.Service("s" + i));
        }
        _server.ExpireContinueTokens = expire;
        var options = new KubernetesApiOptions { Server = _server.Url };
        var source = new KubernetesApiSource(options, _time, _log, () => new KubernetesApiClient(options) { ListPageSize = 2 });
        _running = Task.Run(() => _reconciler.RunAsync(source, _stop.Token));

        await Eventually(() => Routes().Length == 5, "all five services");

        var lists = _server.RequestsFor("services").Where(r => !r.Contains("watch=", StringComparison.Ordinal)).ToArray();
        Assert.Equal("GET /api/v1/services?limit=2", lists[0]);
        Assert.StartsWith("GET /api/v1/services?limit=2&continue=", lists[1], StringComparison.Ordinal);
        Assert.Equal(expire ? "GET /api/v1/services" : lists[2], lists[^1]);
        Assert.Equal(3, lists.Length);
    }
}
