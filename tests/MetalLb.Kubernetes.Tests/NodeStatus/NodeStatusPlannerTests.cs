using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.NodeStatus;

namespace BgpKit.MetalLb.Kubernetes.Tests.NodeStatus;

public sealed class NodeStatusPlannerTests
{
    private static readonly NodeStatusKind Sessions = NodeStatusKind.BgpSessionState;
    private static readonly NodeStatusKind Services = NodeStatusKind.ServiceBgpStatus;

    [Fact]
    public void Each_session_is_one_BGPSessionState_in_FRR_K8s_words()
    {
        var desired = NodeStatusPlanner.Desired("node-1", new NodeObservation(
            [
                new SessionObservation("192.0.2.1", "", "Established", null),
                new SessionObservation("2001:db8::1", "red", "Active", "Down"),
                new SessionObservation("192.0.2.3", "", "OpenSent", "Up"),
            ], [], null));

        Assert.Equal(
            [
                new BgpSessionStateObject("node-1", "192.0.2.1", "", "Established", "N/A"),
                new BgpSessionStateObject("node-1", "192.0.2.3", "", "OpenSent", "Up"),
                new BgpSessionStateObject("node-1", "2001-0db8-0000-0000-0000-0000-0000-0001", "red", "Active", "Down"),
            ],
            desired);
        var v6 = desired.OfType<BgpSessionStateObject>().Single(s => s.Vrf == "red");
        Assert.Equal("node-1-", v6.GenerateName);
        Assert.Equal(new Dictionary<string, string>
        {
            ["frrk8s.metallb.io/node"] = "node-1",
            ["frrk8s.metallb.io/peer"] = "2001-0db8-0000-0000-0000-0000-0000-0001",
            ["frrk8s.metallb.io/vrf"] = "red",
        }, v6.Labels());
        Assert.Equal("""{"bgpStatus":"Active","bfdStatus":"Down","node":"node-1","peer":"2001-0db8-0000-0000-0000-0000-0000-0001","vrf":"red"}""",
            v6.Status().ToJsonString());
    }

    [Theory]
    [InlineData(null, "N/A")]
    [InlineData("Up", "Up")]
    [InlineData("Init", "Down")]
    [InlineData("Down", "Down")]
    [InlineData("AdminDown", "Down")]
    public void BFD_states_read_as_FRR_K8s_reports_them(string? state, string expected) =>
        Assert.Equal(expected, NodeStatusPlanner.BfdStatus(state));

    [Fact]
    public void An_announced_service_is_one_ServiceBGPStatus_with_its_peers_and_none_without_peers()
    {
        var desired = NodeStatusPlanner.Desired("node-1", new NodeObservation([],
            [
                new AnnouncedService("default", "web", ["spine-b", "spine-a", "spine-b"]),
                new AnnouncedService("default", "idle", []),
            ], null));

        var status = Assert.IsType<ServiceBgpStatusObject>(Assert.Single(desired));
        Assert.Equal(["spine-a", "spine-b"], status.Peers);
        Assert.Equal("bgp-", status.GenerateName);
        Assert.Equal(new Dictionary<string, string>
        {
            ["metallb.io/node"] = "node-1",
            ["metallb.io/service-name"] = "web",
            ["metallb.io/service-namespace"] = "default",
        }, status.Labels());
        Assert.Equal("""{"node":"node-1","serviceName":"web","serviceNamespace":"default","peers":["spine-a","spine-b"]}""", status.Status().ToJsonString());
    }

    [Fact]
    public void Nothing_is_written_when_the_cluster_holds_what_the_node_runs()
    {
        var desired = Session("192.0.2.1", "Established");
        Assert.Empty(NodeStatusPlanner.Writes([desired], [new ExistingNodeStatus(Sessions, "node-1-abcde", desired.Key, desired)]));
    }

    [Fact]
    public void A_new_session_is_created_a_changed_one_updated_and_a_gone_one_deleted()
    {
        var up = Session("192.0.2.1", "Established");
        var created = Session("192.0.2.2", "Connect");
        var writes = NodeStatusPlanner.Writes([up, created],
            [
                new ExistingNodeStatus(Sessions, "node-1-aaaaa", up.Key, up with { BgpStatus = "Active" }),
                new ExistingNodeStatus(Sessions, "node-1-ccccc", "/192.0.2.9", Session("192.0.2.9", "Idle")),
            ]);

        Assert.Equal(
            [
                new DeleteNodeStatus(Sessions, "node-1-ccccc"),
                new SetNodeStatus("node-1-aaaaa", up),
                new CreateNodeStatus(created),
            ],
            writes);
    }

    [Fact]
    public void An_object_created_without_status_is_given_it()
    {
        var desired = Session("192.0.2.1", "Idle");
        Assert.Equal([new SetNodeStatus("node-1-aaaaa", desired)],
            NodeStatusPlanner.Writes([desired], [new ExistingNodeStatus(Sessions, "node-1-aaaaa", desired.Key, null)]));
    }

    [Fact]
    public void Duplicates_and_unidentifiable_objects_are_deleted_keeping_the_first_by_name()
    {
        var desired = new ServiceBgpStatusObject("node-1", "default", "web", ["spine"]);
        var writes = NodeStatusPlanner.Writes([desired],
            [
                new ExistingNodeStatus(Services, "bgp-zzzzz", desired.Key, desired),
                new ExistingNodeStatus(Services, "bgp-aaaaa", desired.Key, desired),
                new ExistingNodeStatus(Services, "bgp-nolbl", null, null),
            ]);

        Assert.Equal([new DeleteNodeStatus(Services, "bgp-nolbl"), new DeleteNodeStatus(Services, "bgp-zzzzz")], writes);
    }

    [Fact]
    public void A_service_whose_peers_change_is_updated_and_one_no_longer_announced_is_deleted()
    {
        var web = new ServiceBgpStatusObject("node-1", "default", "web", ["a", "b"]);
        var gone = new ServiceBgpStatusObject("node-1", "default", "gone", ["a"]);
        var writes = NodeStatusPlanner.Writes([web],
            [
                new ExistingNodeStatus(Services, "bgp-11111", web.Key, web with { Peers = ["a"] }),
                new ExistingNodeStatus(Services, "bgp-22222", gone.Key, gone),
            ]);

        Assert.Equal([new DeleteNodeStatus(Services, "bgp-22222"), new SetNodeStatus("bgp-11111", web)], writes);
    }

    [Fact]
    public void The_speaker_ConfigurationState_is_named_and_labelled_as_upstream()
    {
        Assert.Null(NodeStatusPlanner.ConfigurationState("metallb-system", "node-1", null, null));
        var owner = new NodeOwner("node-1", "uid-1");
        var state = NodeStatusPlanner.ConfigurationState("metallb-system", "node-1", new ConfigurationOutcome(false, ["bad peer", "bad pool"]), owner)!;

        Assert.Equal("speaker-node-1", state.Name);
        Assert.Equal("metallb-system", state.Namespace);
        Assert.Equal("speaker", state.Labels["metallb.io/component-type"]);
        Assert.Equal("node-1", state.Labels["metallb.io/node-name"]);
        Assert.False(state.Valid);
        Assert.Equal("bad peer; bad pool", state.ErrorSummary);
        Assert.Equal(owner, state.Owner);
        Assert.Equal("", NodeStatusPlanner.ConfigurationState("ns", "node-1", new ConfigurationOutcome(true, []), owner)!.ErrorSummary);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("2001:db8::1", "2001-0db8-0000-0000-0000-0000-0000-0001")]
    [InlineData("fe80::1:2", "fe80-0000-0000-0000-0000-0000-0001-0002")]
    [InlineData("eth0", "eth0")]
    public void Peer_label_values_have_no_colons(string address, string label) =>
        Assert.Equal(label, BgpSessionStateObject.PeerLabelValue(address));

    private static BgpSessionStateObject Session(string peer, string state) => new("node-1", peer, "", state, "N/A");

    [Fact]
    public void Each_owned_layer_2_Service_is_one_ServiceL2Status_in_MetalLB_words_and_reads_back_equal()
    {
        var observation = new NodeObservation([], [], null)
        {
            Layer2 = [new Layer2OwnedService("default", "web", ["eth0", "eth1"])],
        };
        var status = Assert.IsType<ServiceL2StatusObject>(Assert.Single(NodeStatusPlanner.Desired("node-1", observation)));
        Assert.Equal("l2-", status.GenerateName);
        Assert.Equal(new Dictionary<string, string>
        {
            ["metallb.io/node"] = "node-1",
            ["metallb.io/service-name"] = "web",
            ["metallb.io/service-namespace"] = "default",
        }, status.Labels());
        Assert.Equal("""{"node":"node-1","serviceName":"web","serviceNamespace":"default","interfaces":[{"name":"eth0"},{"name":"eth1"}]}""",
            status.Status().ToJsonString());

        var stored = new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = "l2-abcde",
                ["labels"] = System.Text.Json.Nodes.JsonNode.Parse("""{"metallb.io/node":"node-1","metallb.io/service-name":"web","metallb.io/service-namespace":"default"}"""),
            },
            ["status"] = status.Status(),
        };
        var existing = KubernetesNodeStatusWriter.Read(NodeStatusKind.ServiceL2Status, stored);
        Assert.Equal("default/web", existing.Key);
        Assert.Equal(status, existing.Status);
        Assert.Empty(NodeStatusPlanner.Writes([status], [existing]));
        // Failover: the Service moves away, and this node's object goes.
        Assert.Equal([new DeleteNodeStatus(NodeStatusKind.ServiceL2Status, "l2-abcde")], NodeStatusPlanner.Writes([], [existing]));
    }
}
