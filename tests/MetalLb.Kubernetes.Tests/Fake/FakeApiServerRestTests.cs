using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Fake;

/// <summary>The fake's write rules one by one, over plain HTTP: what the real server does with each kind of write.</summary>
public sealed class FakeApiServerRestTests : IDisposable
{
    private const string Pools = "apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools";
    private readonly FakeApiServer _server = new();
    private readonly HttpClient _http;

    public FakeApiServerRestTests()
    {
        ApiObjects.Seed(_server);
        _http = new HttpClient { BaseAddress = _server.Url };
    }

    [Fact]
    public async Task Generation_follows_spec_only_and_a_write_that_changes_nothing_is_no_write()
    {
        var (_, created) = await SendAsync(HttpMethod.Post, Pools, """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"generateName":"gen-"},"spec":{"addresses":["203.0.113.0/28"]}}""");
        var name = created["metadata"]!["name"]!.GetValue<string>();
        Assert.Matches("^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$", name);
        Assert.Equal("metallb-system", created["metadata"]!["namespace"]!.GetValue<string>());

        var (_, labelled) = await PatchAsync($"{Pools}/{name}", "application/merge-patch+json", """{"metadata":{"labels":{"a":"b"}}}""");
        Assert.Equal(1, labelled["metadata"]!["generation"]!.GetValue<long>());
        var (_, status) = await PatchAsync($"{Pools}/{name}/status", "application/merge-patch+json", """{"status":{"assignedIPv4":1}}""");
        Assert.Equal(1, status["metadata"]!["generation"]!.GetValue<long>());
        var before = _server.ResourceVersion;
        var (_, same) = await PatchAsync($"{Pools}/{name}", "application/merge-patch+json", """{"spec":{"autoAssign":true}}""");
        Assert.Equal(before, _server.ResourceVersion);
        Assert.Equal(1, same["metadata"]!["generation"]!.GetValue<long>());
        var (_, spec) = await PatchAsync($"{Pools}/{name}", "application/json-patch+json", """[{"op":"replace","path":"/spec/autoAssign","value":false}]""");
        Assert.Equal(2, spec["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_status_subresource_and_the_main_resource_each_keep_the_others_part()
    {
        var (_, pool) = await SendAsync(HttpMethod.Get, $"{Pools}/pool");
        pool["spec"]!["autoAssign"] = false;
        pool["status"] = new JsonObject { ["assignedIPv4"] = 9 };
        var (_, main) = await SendAsync(HttpMethod.Put, $"{Pools}/pool", pool.ToJsonString());
        Assert.False(main["spec"]!["autoAssign"]!.GetValue<bool>());
        Assert.Null(main["status"]);

        main["spec"]!["autoAssign"] = true;
        main["status"] = new JsonObject { ["assignedIPv4"] = 9 };
        main["metadata"]!["labels"] = new JsonObject { ["ignored"] = "yes" };
        var (_, viaStatus) = await SendAsync(HttpMethod.Put, $"{Pools}/pool/status", main.ToJsonString());
        Assert.Equal(9, viaStatus["status"]!["assignedIPv4"]!.GetValue<int>());
        Assert.False(viaStatus["spec"]!["autoAssign"]!.GetValue<bool>());
        Assert.Null(viaStatus["metadata"]!["labels"]);
    }

    [Fact]
    public async Task Errors_are_statuses_like_the_real_servers()
    {
        var (code, missing) = await SendAsync(HttpMethod.Get, $"{Pools}/nope");
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("ipaddresspools.metallb.io \"nope\" not found", missing["message"]!.GetValue<string>());
        Assert.Equal("""{"name":"nope","group":"metallb.io","kind":"ipaddresspools"}""", missing["details"]!.ToJsonString());

        var (unsupported, _) = await PatchAsync($"{Pools}/pool", "application/yaml", "{}");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported);
        var (failedTest, _) = await PatchAsync($"{Pools}/pool", "application/json-patch+json", """[{"op":"test","path":"/spec/autoAssign","value":false}]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failedTest);
        var (stale, conflict) = await PatchAsync($"{Pools}/pool", "application/merge-patch+json", """{"metadata":{"resourceVersion":"1"},"spec":{"autoAssign":false}}""");
        Assert.Equal(HttpStatusCode.Conflict, stale);
        Assert.Equal("Conflict", conflict["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Garbage_collection_spares_dependents_with_another_live_owner_and_orphans_on_request()
    {
        var node1 = _server.Get("v1", "nodes", null, "node-1")!["metadata"]!["uid"]!.GetValue<string>();
        _server.Put(ApiObjects.Node("node-2"));
        var node2 = _server.Get("v1", "nodes", null, "node-2")!["metadata"]!["uid"]!.GetValue<string>();
        _server.Put(Owned("both", node1, node2));
        _server.Put(Owned("only-1", node1));
        _server.Put(Owned("only-2", node2));

        await SendAsync(HttpMethod.Delete, "api/v1/nodes/node-1");
        Assert.Null(_server.Get("frrk8s.metallb.io/v1beta1", "bgpsessionstates", "metallb-system", "only-1"));
        var both = _server.Get("frrk8s.metallb.io/v1beta1", "bgpsessionstates", "metallb-system", "both")!;
        Assert.Equal(node2, Assert.Single(both["metadata"]!["ownerReferences"]!.AsArray())!["uid"]!.GetValue<string>());

        await SendAsync(HttpMethod.Delete, "api/v1/nodes/node-2", """{"propagationPolicy":"Orphan"}""");
        var orphan = _server.Get("frrk8s.metallb.io/v1beta1", "bgpsessionstates", "metallb-system", "only-2")!;
        Assert.Null(orphan["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task A_finalizer_holds_deletion_until_it_is_removed()
    {
        var (_, created) = await SendAsync(HttpMethod.Post, "api/v1/namespaces/default/configmaps", """{"metadata":{"name":"held","finalizers":["example.com/hold"]}}""");
        Assert.Equal("ConfigMap", created["kind"]!.GetValue<string>());
        var (_, marked) = await SendAsync(HttpMethod.Delete, "api/v1/namespaces/default/configmaps/held");
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.NotNull(_server.Get("v1", "configmaps", "default", "held"));
        await PatchAsync("api/v1/namespaces/default/configmaps/held", "application/merge-patch+json", """{"metadata":{"finalizers":null}}""");
        Assert.Null(_server.Get("v1", "configmaps", "default", "held"));
    }

    [Fact]
    public async Task The_defaults_table_can_be_replaced_and_a_missing_spec_stays_missing()
    {
        _server.Defaults[("metallb.io/v1beta1", "IPAddressPool")] = new JsonObject { ["spec"] = new JsonObject { ["autoAssign"] = false } };
        var (_, created) = await SendAsync(HttpMethod.Post, Pools, """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"other"},"spec":{}}""");
        Assert.Equal("""{"autoAssign":false}""", created["spec"]!.ToJsonString());
        var (_, bare) = await SendAsync(HttpMethod.Post, Pools, """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"bare"}}""");
        Assert.Null(bare["spec"]);
    }

    [Fact]
    public async Task A_watch_without_a_version_starts_with_the_current_objects_as_added()
    {
        _server.CloseWatchAfterEvents = 1;
        var stream = await _http.GetStringAsync($"{Pools}?watch=true&fieldSelector=metadata.name%3Dpool");
        var added = JsonNode.Parse(stream.Trim())!;
        Assert.Equal("ADDED", added["type"]!.GetValue<string>());
        Assert.Equal("pool", added["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    private static string Owned(string name, params string[] owners) => new JsonObject
    {
        ["apiVersion"] = "frrk8s.metallb.io/v1beta1",
        ["kind"] = "BGPSessionState",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "metallb-system",
            ["ownerReferences"] = new JsonArray([.. owners.Select(uid => (JsonNode)new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = "n", ["uid"] = uid })]),
        },
    }.ToJsonString();

    private Task<(HttpStatusCode, JsonObject)> PatchAsync(string path, string contentType, string body) =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    private async Task<(HttpStatusCode, JsonObject)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
