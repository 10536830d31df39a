using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace BgpKit.MetalLb.Kubernetes.Tests.Fake;

/// <summary>
/// The fake API server judged by the official client's typed calls: what it sends must be
/// accepted, and what the real server refuses (stale versions, missing objects) must come back
/// as the same HTTP errors.
/// </summary>
public sealed class FakeApiServerClientTests : IDisposable
{
    private readonly FakeApiServer _server = new();
    private readonly k8s.Kubernetes _client;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    public FakeApiServerClientTests()
    {
        ApiObjects.Seed(_server);
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url.ToString() });
    }

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task Service_status_patches_merge_and_strategic_and_a_stale_replace_is_a_conflict()
    {
        var service = await _client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: Token);
        Assert.Equal("LoadBalancer", service.Spec.Type);

        var merge = new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.1"}]}}}""", V1Patch.PatchType.MergePatch);
        var merged = await _client.CoreV1.PatchNamespacedServiceStatusAsync(merge, "web", "default", cancellationToken: Token);
        Assert.Equal("198.51.100.1", merged.Status.LoadBalancer.Ingress.Single().Ip);

        // No patch merge key on ingress: the strategic patch replaces the list, as the real server does.
        var strategic = new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.2"}]}}}""", V1Patch.PatchType.StrategicMergePatch);
        var replaced = await _client.CoreV1.PatchNamespacedServiceStatusAsync(strategic, "web", "default", cancellationToken: Token);
        Assert.Equal(["198.51.100.2"], replaced.Status.LoadBalancer.Ingress.Select(i => i.Ip));
        Assert.Equal(["198.51.100.2"], _server.Ingress("default", "web"));

        var json = new V1Patch("""[{"op":"add","path":"/metadata/annotations","value":{"metallb.io/ip-allocated-from-pool":"pool"}}]""", V1Patch.PatchType.JsonPatch);
        var annotated = await _client.CoreV1.PatchNamespacedServiceAsync(json, "web", "default", cancellationToken: Token);
        Assert.Equal("pool", annotated.Metadata.Annotations["metallb.io/ip-allocated-from-pool"]);

        service.Spec.LoadBalancerIP = "198.51.100.9";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedServiceAsync(service, "web", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", conflict.Response.Content, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedServiceAsync("missing", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task A_patch_that_carries_a_resourceVersion_is_conditional_on_it_on_the_status_subresource_too()
    {
        // The real server takes a metadata.resourceVersion set by the patch as a precondition (409, no server-side retry);
        // a patch without one applies to whatever the object holds. The controller's Service writes rely on both.
        var read = await _client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: Token);
        var observed = read.Metadata.ResourceVersion;
        static V1Patch Patch(string? version, JsonObject body)
        {
            if (version is not null)
            {
                body["metadata"] ??= new JsonObject();
                body["metadata"]!["resourceVersion"] = version;
            }
            return new(body.ToJsonString(), V1Patch.PatchType.MergePatch);
        }
        V1Patch Status(string ip, string? version) =>
            Patch(version, new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = ip }) } } });
        V1Patch Annotate(string version) =>
            Patch(version, new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["metallb.io/ip-allocated-from-pool"] = "pool" } } });

        var first = await _client.CoreV1.PatchNamespacedServiceStatusAsync(Status("198.51.100.1", observed), "web", "default", cancellationToken: Token);
        Assert.NotEqual(observed, first.Metadata.ResourceVersion);

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.PatchNamespacedServiceStatusAsync(Status("198.51.100.2", observed), "web", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Contains("the object has been modified", stale.Response.Content, StringComparison.Ordinal);
        var staleMain = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.PatchNamespacedServiceAsync(Annotate(observed), "web", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, staleMain.Response.StatusCode);
        Assert.Equal(["198.51.100.1"], _server.Ingress("default", "web"));
        Assert.Null(_server.Get("v1", "services", "default", "web")!["metadata"]!["annotations"]?["metallb.io/ip-allocated-from-pool"]);

        // Conditioned on the version the first write returned: nobody wrote in between, so it lands.
        var second = await _client.CoreV1.PatchNamespacedServiceAsync(Annotate(first.Metadata.ResourceVersion), "web", "default", cancellationToken: Token);
        Assert.Equal("pool", second.Metadata.Annotations["metallb.io/ip-allocated-from-pool"]);

        var unconditional = await _client.CoreV1.PatchNamespacedServiceStatusAsync(Status("198.51.100.3", null), "web", "default", cancellationToken: Token);
        Assert.Equal("198.51.100.3", unconditional.Status.LoadBalancer.Ingress.Single().Ip);
    }

    [Fact]
    public async Task Events_are_created_in_both_groups_listed_and_patched_like_the_recorder_does()
    {
        var core = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "web." },
            InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "web", NamespaceProperty = "default", ApiVersion = "v1" },
            Reason = "IPAllocated",
            Message = "Assigned IP [\"198.51.100.1\"]",
            Type = "Normal",
            Count = 1,
            Source = new V1EventSource { Component = "metallb-controller" },
        };
        var created = await _client.CoreV1.CreateNamespacedEventAsync(core, "default", cancellationToken: Token);
        Assert.StartsWith("web.", created.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("default", created.Metadata.NamespaceProperty);

        var bumped = await _client.CoreV1.PatchNamespacedEventAsync(
            new V1Patch("""{"count":2,"message":"Assigned IP again"}""", V1Patch.PatchType.StrategicMergePatch), created.Metadata.Name, "default", cancellationToken: Token);
        Assert.Equal(2, bumped.Count);

        var modern = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" },
            EventTime = new DateTime(2026, 12, 7, 1, 2, 3, 123, DateTimeKind.Utc),
            Regarding = new V1ObjectReference { Kind = "Service", Name = "web", NamespaceProperty = "default" },
            Reason = "IPAllocated",
            Action = "Allocate",
            Type = "Normal",
            ReportingController = "metallb.io/controller",
            ReportingInstance = "controller-0",
        };
        await _client.EventsV1.CreateNamespacedEventAsync(modern, "default", cancellationToken: Token);
        var series = await _client.EventsV1.PatchNamespacedEventAsync(
            new V1Patch("""{"series":{"count":2,"lastObservedTime":"2026-12-07T01:02:04.000000Z"}}""", V1Patch.PatchType.MergePatch), "web.1", "default", cancellationToken: Token);
        Assert.Equal(2, series.Series.Count);

        Assert.Single((await _client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Token)).Items);
        Assert.Single((await _client.EventsV1.ListNamespacedEventAsync("default", cancellationToken: Token)).Items);
    }

    [Fact]
    public async Task Leases_keep_microseconds_and_a_stale_replace_is_a_conflict()
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "metallb-controller", NamespaceProperty = "metallb-system" },
            Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15, RenewTime = new DateTime(2026, 12, 7, 1, 2, 3, 123, DateTimeKind.Utc).AddTicks(4560) },
        };
        var created = await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, "metallb-system", cancellationToken: Token);
        var stored = _server.Get("coordination.k8s.io/v1", "leases", "metallb-system", "metallb-controller")!;
        Assert.Equal("2026-12-07T01:02:03.123456Z", stored["spec"]!["renewTime"]!.GetValue<string>());

        created.Spec.HolderIdentity = "b";
        var renewed = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "metallb-controller", "metallb-system", cancellationToken: Token);
        Assert.Equal("b", renewed.Spec.HolderIdentity);

        created.Spec.HolderIdentity = "c";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "metallb-controller", "metallb-system", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        var again = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, "metallb-system", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
    }

    [Fact]
    public async Task Two_leader_electors_one_leads_and_a_released_lease_passes_at_once()
    {
        // A long lease: the second elector can only lead this soon because the first released it.
        LeaderElector Elector(string identity) => new(new LeaderElectionConfig(new LeaseLock(_client, "metallb-system", "metallb-speaker", identity))
        {
            LeaseDuration = TimeSpan.FromSeconds(60),
            RenewDeadline = TimeSpan.FromSeconds(40),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        });
        var first = Elector("first");
        var second = Elector("second");
        var firstLeads = new TaskCompletionSource();
        var secondLeads = new TaskCompletionSource();
        first.OnStartedLeading += () => firstLeads.TrySetResult();
        second.OnStartedLeading += () => secondLeads.TrySetResult();
        using var stopFirst = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var runningFirst = first.RunUntilLeadershipLostAsync(stopFirst.Token);
        await firstLeads.Task.WaitAsync(Token);
        var runningSecond = second.RunUntilLeadershipLostAsync(Token);
        // The second candidate reads the Lease every 100 ms; on a loaded machine its first read may come late, so wait
        // for it rather than for a fixed time.
        await Poll.UntilAsync(() => second.GetLeader() == "first", "the second candidate to see the first lead", TimeSpan.FromSeconds(30));
        Assert.False(secondLeads.Task.IsCompleted);

        // Release as client-go's ReleaseOnCancel does: stop renewing, then write an empty holder.
        await stopFirst.CancelAsync();
        await Stopped(runningFirst);
        var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("metallb-speaker", "metallb-system", cancellationToken: Token);
        lease.Spec.HolderIdentity = "";
        lease.Spec.LeaseDurationSeconds = 1;
        await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "metallb-speaker", "metallb-system", cancellationToken: Token);
        await secondLeads.Task.WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System, Token);
        Assert.Equal("second", (await _client.CoordinationV1.ReadNamespacedLeaseAsync("metallb-speaker", "metallb-system", cancellationToken: Token)).Spec.HolderIdentity);
        await _timeout.CancelAsync();
        await Stopped(runningSecond);
    }

    [Fact]
    public async Task Custom_objects_drop_status_on_create_default_their_spec_and_patch_status_only_through_the_subresource()
    {
        var pool = new Dictionary<string, object>
        {
            ["apiVersion"] = "metallb.io/v1beta1",
            ["kind"] = "IPAddressPool",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "client" },
            ["spec"] = new Dictionary<string, object> { ["addresses"] = new[] { "203.0.113.0/28" } },
            ["status"] = new Dictionary<string, object> { ["assignedIPv4"] = 4 },
        };
        var created = Json(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(pool, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", cancellationToken: Token));
        Assert.False(created.TryGetProperty("status", out _));
        Assert.True(created.GetProperty("spec").GetProperty("autoAssign").GetBoolean());

        var status = new V1Patch("""{"status":{"assignedIPv4":1,"availableIPv4":15}}""", V1Patch.PatchType.MergePatch);
        var patched = Json(await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(status, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "client", cancellationToken: Token));
        Assert.Equal(15, patched.GetProperty("status").GetProperty("availableIPv4").GetInt32());
        Assert.Equal(1, patched.GetProperty("metadata").GetProperty("generation").GetInt64());

        // Strategic merge patch is for built-in kinds only.
        var strategic = new V1Patch("""{"spec":{"autoAssign":false}}""", V1Patch.PatchType.StrategicMergePatch);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.PatchNamespacedCustomObjectAsync(strategic, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "client", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.Response.StatusCode);

        var spec = new V1Patch("""{"spec":{"autoAssign":false}}""", V1Patch.PatchType.MergePatch);
        var changed = Json(await _client.CustomObjects.PatchNamespacedCustomObjectAsync(spec, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "client", cancellationToken: Token));
        Assert.Equal(2, changed.GetProperty("metadata").GetProperty("generation").GetInt64());
        Assert.Equal(1, changed.GetProperty("status").GetProperty("assignedIPv4").GetInt32());

        var list = Json(await _client.CustomObjects.ListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", cancellationToken: Token));
        Assert.Equal(["client", "pool"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deleting_a_node_deletes_the_session_states_it_owns_with_a_deleted_event()
    {
        var node = await _client.CoreV1.ReadNodeAsync("node-1", cancellationToken: Token);
        var state = new Dictionary<string, object>
        {
            ["apiVersion"] = "frrk8s.metallb.io/v1beta1",
            ["kind"] = "BGPSessionState",
            ["metadata"] = new Dictionary<string, object>
            {
                ["name"] = "node-1-router",
                ["ownerReferences"] = new[] { new Dictionary<string, object> { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = "node-1", ["uid"] = node.Metadata.Uid } },
            },
        };
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(state, "frrk8s.metallb.io", "v1beta1", "metallb-system", "bgpsessionstates", cancellationToken: Token);
        var from = _server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var deleted = await _client.CoreV1.DeleteNodeAsync("node-1", cancellationToken: Token);
        Assert.Equal("Success", deleted.Status);

        var states = Json(await _client.CustomObjects.ListNamespacedCustomObjectAsync("frrk8s.metallb.io", "v1beta1", "metallb-system", "bgpsessionstates", cancellationToken: Token));
        Assert.Empty(states.GetProperty("items").EnumerateArray());
        _server.CloseWatchAfterEvents = 1;
        var events = new List<WatchEventType>();
        await foreach (var (type, _) in _client.CustomObjects.WatchListNamespacedCustomObjectAsync("frrk8s.metallb.io", "v1beta1", "metallb-system", "bgpsessionstates", resourceVersion: from, cancellationToken: Token))
        {
            events.Add(type);
        }
        Assert.Equal(WatchEventType.Deleted, Assert.Single(events));
    }

    [Fact]
    public async Task A_watch_through_the_client_gets_bookmarks_and_410_from_a_compacted_version()
    {
        var from = _server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bookmarks = 0;
        var reading = Task.Run(async () =>
        {
            await foreach (var (type, _) in _client.CustomObjects.WatchListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", allowWatchBookmarks: true, resourceVersion: from, cancellationToken: Token))
            {
                if (type == WatchEventType.Bookmark)
                {
                    Interlocked.Increment(ref bookmarks);
                    _server.CloseWatches();
                }
            }
        });
        while (_server.OpenWatches("ipaddresspools") == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, Token);
        }
        _server.Bookmark();
        await reading.WaitAsync(Token);
        Assert.Equal(1, bookmarks);

        _server.Put(ApiObjects.Pool("203.0.113.0/28", "later"));
        _server.Compact();
        var errors = new List<Exception>();
        await foreach (var _ in _client.CustomObjects.WatchListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", resourceVersion: from, onError: errors.Add, cancellationToken: Token))
        {
        }
        var gone = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, gone.Status.Code);
    }

    [Fact]
    public async Task A_watch_whose_client_went_away_is_forgotten_at_the_next_event()
    {
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in _client.CustomObjects.WatchListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", cancellationToken: gone.Token))
            {
            }
        }, Token);
        await Poll.UntilAsync(() => _server.OpenWatches("ipaddresspools") == 1, "the watch to open");
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        // The server learns the client left when it next writes to it, as a real one does at the latest then.
        var n = 0;
        await Poll.UntilAsync(() =>
        {
            _server.Put(ApiObjects.Pool($"203.0.113.{16 * (n % 8)}/28", $"p{n++}"));
            return _server.OpenWatches("ipaddresspools") == 0;
        }, "the abandoned watch to be forgotten");
    }

    [Fact]
    public async Task The_authorizer_refuses_with_the_real_servers_forbidden_status()
    {
        _server.TokenUsers["speaker-token"] = "system:serviceaccount:metallb-system:speaker";
        _server.Authorizer = request => request is not { Verb: "patch", Resource: "services", Subresource: "status" };
        var speaker = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url.ToString(), AccessToken = "speaker-token" });
        var patch = new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.1"}]}}}""", V1Patch.PatchType.MergePatch);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => speaker.CoreV1.PatchNamespacedServiceStatusAsync(patch, "web", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        var status = JsonDocument.Parse(refused.Response.Content).RootElement;
        Assert.Equal("Forbidden", status.GetProperty("reason").GetString());
        Assert.Equal(
            "services \"web\" is forbidden: User \"system:serviceaccount:metallb-system:speaker\" cannot patch resource \"services/status\" in API group \"\" in the namespace \"default\"",
            status.GetProperty("message").GetString());
        Assert.NotNull(await speaker.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: Token));
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _timeout.Dispose();
    }

    // The elector returns, or throws that it was cancelled, depending on where the cancellation finds it.
    private static async Task Stopped(Task running)
    {
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static JsonElement Json(object result) => result is JsonElement element ? element : JsonSerializer.SerializeToElement(result);
}
