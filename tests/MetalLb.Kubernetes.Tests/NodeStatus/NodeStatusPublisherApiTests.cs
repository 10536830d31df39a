using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.NodeStatus;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.NodeStatus;

/// <summary>The publisher with KubernetesClient against the fake API server and its write rules (status subresource, GC).</summary>
public sealed class NodeStatusPublisherApiTests : IDisposable
{
    private const string Ns = "metallb-system";

    private readonly FakeApiServer _server = new();
    private readonly ManualTimeProvider _time = new();
    private readonly k8s.Kubernetes _client;
    private readonly KubernetesNodeStatusWriter _writer;
    private NodeObservation _observation = NodeObservation.Empty;

    public NodeStatusPublisherApiTests()
    {
        _server.Put(ApiObjects.Node("node-1"));
        _client = new KubernetesApiOptions { Server = _server.Url }.CreateClient();
        _writer = new KubernetesNodeStatusWriter(_client, Ns, _time, "speaker-node-1");
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private NodeStatusPublisher Publisher() =>
        new(Ns, "node-1", () => _observation, _writer, new WriteRateLimit(100, 100, _time), _time, NullLogger.Instance);

    [Fact]
    public async Task Objects_are_created_with_labels_and_a_Node_owner_then_given_status_through_the_subresource()
    {
        _observation = Observation("2001:db8::2", "Established", "Up", new AnnouncedService("default", "web", ["router"]));
        Assert.Null(await Publisher().PassAsync(default));

        var nodeUid = _server.Get("v1", "nodes", null, "node-1")!["metadata"]!["uid"]!.GetValue<string>();
        var session = Single("frrk8s.metallb.io/v1beta1", NodeStatusKind.BgpSessionState);
        Assert.StartsWith("node-1-", Name(session), StringComparison.Ordinal);
        Assert.Equal("""{"frrk8s.metallb.io/node":"node-1","frrk8s.metallb.io/peer":"2001-0db8-0000-0000-0000-0000-0000-0002","frrk8s.metallb.io/vrf":""}""",
            session["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("""{"bgpStatus":"Established","bfdStatus":"Up","node":"node-1","peer":"2001-0db8-0000-0000-0000-0000-0000-0002","vrf":""}""",
            session["status"]!.ToJsonString());
        AssertOwnedByNode(session, nodeUid);

        var service = Single("metallb.io/v1beta1", NodeStatusKind.ServiceBgpStatus);
        Assert.StartsWith("bgp-", Name(service), StringComparison.Ordinal);
        Assert.Equal("web", service["metadata"]!["labels"]!["metallb.io/service-name"]!.GetValue<string>());
        Assert.Equal("""{"node":"node-1","serviceName":"web","serviceNamespace":"default","peers":["router"]}""", service["status"]!.ToJsonString());
        AssertOwnedByNode(service, nodeUid);

        var state = _server.Get("metallb.io/v1beta1", "configurationstates", Ns, "speaker-node-1")!;
        Assert.Equal("speaker", state["metadata"]!["labels"]!["metallb.io/component-type"]!.GetValue<string>());
        Assert.Equal("node-1", state["metadata"]!["labels"]!["metallb.io/node-name"]!.GetValue<string>());
        Assert.Equal("Valid", state["status"]!["result"]!.GetValue<string>());
        AssertOwnedByNode(state, nodeUid);

        // Status went through /status: the API server drops it on create for these CRDs.
        Assert.Contains(_server.Requests, r => r.StartsWith("PATCH", StringComparison.Ordinal) && r.Contains($"/bgpsessionstates/{Name(session)}/status", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Objects_are_written_only_when_what_they_say_changes()
    {
        var publisher = Publisher();
        _observation = Observation("192.0.2.2", "Active", null);
        await publisher.PassAsync(default);
        var before = Writes();

        await publisher.PassAsync(default);
        Assert.Equal(before, Writes());

        _observation = Observation("192.0.2.2", "Established", null);
        await publisher.PassAsync(default);
        var patch = Assert.Single(Writes().Skip(before.Length));
        Assert.StartsWith("PATCH", patch, StringComparison.Ordinal);
        Assert.Equal("Established", Single("frrk8s.metallb.io/v1beta1", NodeStatusKind.BgpSessionState)["status"]!["bgpStatus"]!.GetValue<string>());
        Assert.Equal("N/A", Single("frrk8s.metallb.io/v1beta1", NodeStatusKind.BgpSessionState)["status"]!["bfdStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_removed_session_and_announcement_take_their_objects_with_them()
    {
        var publisher = Publisher();
        _observation = Observation("192.0.2.2", "Established", null, new AnnouncedService("default", "web", ["router"]));
        await publisher.PassAsync(default);

        _observation = new NodeObservation([], [], new ConfigurationOutcome(true, []));
        Assert.Null(await publisher.PassAsync(default));

        Assert.Empty(await _writer.ListAsync(NodeStatusKind.BgpSessionState, "node-1", default));
        Assert.Empty(await _writer.ListAsync(NodeStatusKind.ServiceBgpStatus, "node-1", default));
    }

    [Fact]
    public async Task Deleting_the_Node_deletes_its_objects()
    {
        _observation = Observation("192.0.2.2", "Established", null, new AnnouncedService("default", "web", ["router"]));
        await Publisher().PassAsync(default);
        Assert.Single(await _writer.ListAsync(NodeStatusKind.BgpSessionState, "node-1", default));

        await _client.CoreV1.DeleteNodeAsync("node-1");

        Assert.Empty(await _writer.ListAsync(NodeStatusKind.BgpSessionState, "node-1", default));
        Assert.Empty(await _writer.ListAsync(NodeStatusKind.ServiceBgpStatus, "node-1", default));
        Assert.Null(_server.Get("metallb.io/v1beta1", "configurationstates", Ns, "speaker-node-1"));
    }

    [Fact]
    public async Task A_restarted_speaker_updates_the_objects_it_finds_instead_of_duplicating_them()
    {
        _observation = Observation("192.0.2.2", "Established", null, new AnnouncedService("default", "web", ["router"]));
        await Publisher().PassAsync(default);
        var names = await Names();

        // Meanwhile a second session came and the first went down.
        _observation = new NodeObservation(
            [new SessionObservation("192.0.2.2", "", "Idle", null), new SessionObservation("192.0.2.3", "", "Connect", null)],
            [new AnnouncedService("default", "web", ["router"])], new ConfigurationOutcome(true, []));
        var posts = Writes().Count(w => w.StartsWith("POST", StringComparison.Ordinal));
        Assert.Null(await Publisher().PassAsync(default));

        Assert.Equal(posts + 1, Writes().Count(w => w.StartsWith("POST", StringComparison.Ordinal)));
        var after = await Names();
        Assert.Equal(3, after.Count);
        Assert.Subset(after.ToHashSet(), names.ToHashSet());
        var sessions = await _writer.ListAsync(NodeStatusKind.BgpSessionState, "node-1", default);
        Assert.Equal(["Connect", "Idle"], sessions.Select(s => ((BgpSessionStateObject)s.Status!).BgpStatus).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Another_node_objects_are_left_alone()
    {
        _observation = Observation("192.0.2.2", "Established", null);
        await Publisher().PassAsync(default);
        _server.Put("""
            {"apiVersion":"frrk8s.metallb.io/v1beta1","kind":"BGPSessionState",
             "metadata":{"name":"node-2-xyz","namespace":"metallb-system","labels":{"frrk8s.metallb.io/node":"node-2","frrk8s.metallb.io/peer":"192.0.2.2","frrk8s.metallb.io/vrf":""}},
             "status":{"bgpStatus":"Established","bfdStatus":"N/A","node":"node-2","peer":"192.0.2.2","vrf":""}}
            """);

        _observation = new NodeObservation([], [], new ConfigurationOutcome(true, []));
        await Publisher().PassAsync(default);

        Assert.NotNull(_server.Get("frrk8s.metallb.io/v1beta1", "bgpsessionstates", Ns, "node-2-xyz"));
        Assert.Empty(await _writer.ListAsync(NodeStatusKind.BgpSessionState, "node-1", default));
    }

    private static NodeObservation Observation(string peer, string state, string? bfd, params AnnouncedService[] services) =>
        new([new SessionObservation(peer, "", state, bfd)], services, new ConfigurationOutcome(true, []));

    private JsonObject Single(string apiVersion, NodeStatusKind kind)
    {
        var listed = Assert.Single(_writer.ListAsync(kind, "node-1", default).GetAwaiter().GetResult());
        return _server.Get(apiVersion, kind.Plural, Ns, listed.Name)!;
    }

    private async Task<List<string>> Names()
    {
        var names = new List<string>();
        foreach (var kind in NodeStatusKind.All)
        {
            names.AddRange((await _writer.ListAsync(kind, "node-1", default)).Select(e => e.Name));
        }
        return names;
    }

    private string[] Writes() => _server.Requests.Where(r => !r.StartsWith("GET", StringComparison.Ordinal)).ToArray();

    private static string Name(JsonObject o) => o["metadata"]!["name"]!.GetValue<string>();

    private static void AssertOwnedByNode(JsonObject o, string uid)
    {
        var owner = Assert.Single((JsonArray)o["metadata"]!["ownerReferences"]!)!;
        Assert.Equal("v1", owner["apiVersion"]!.GetValue<string>());
        Assert.Equal("Node", owner["kind"]!.GetValue<string>());
        Assert.Equal("node-1", owner["name"]!.GetValue<string>());
        Assert.Equal(uid, owner["uid"]!.GetValue<string>());
    }
}
