using System.Text.Json;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Plan;

/// <summary><c>bgpkit plan</c> and <c>bgpkit render-frr</c> called in-process on the model's example manifests.</summary>
public class PlanCommandTests
{
    private static string Examples(string name) => Path.Combine(SharedData.RepoRoot, "tests", "MetalLb.Model.Tests", "Examples", name);

    private static (int Code, string Output, string Error) Plan(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configs = new List<string>();
        string? node = null;
        string format = "text";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--config": configs.Add(args[++i]); break;
                case "--node": node = args[++i]; break;
                case "--format": format = args[++i]; break;
            }
        }
        int code = global::BgpKit.Cli.PlanCommand.Run([.. configs], node, format, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Json_plan_of_the_production_example_has_the_contract_fields()
    {
        var (code, output, _) = Plan("--config", Examples("production"), "--format", "json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("valid").GetBoolean());
        foreach (var field in new[] { "errors", "pending", "warnings", "services", "nodes" })
        {
            Assert.Equal(JsonValueKind.Array, root.GetProperty(field).ValueKind);
        }
        var web = root.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "web");
        Assert.Equal("shop", web.GetProperty("namespace").GetString());
        Assert.Equal("production-pool", web.GetProperty("pool").GetString());
        Assert.Equal(JsonValueKind.Null, web.GetProperty("error").ValueKind);
        Assert.StartsWith("announced to", web.GetProperty("announced").GetProperty("worker-1").GetString());
        var node = root.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "worker-1");
        var session = node.GetProperty("sessions").EnumerateArray().First();
        foreach (var field in new[] { "peer", "address", "port", "myAsn", "peerAsn", "holdTime", "keepaliveTime", "routerId", "ebgpMultiHop", "bfdProfile", "vrf", "passwordSet" })
        {
            Assert.True(session.TryGetProperty(field, out _), field);
        }
        Assert.True(session.GetProperty("passwordSet").GetBoolean());
        var route = node.GetProperty("announcements").EnumerateArray().First();
        foreach (var field in new[] { "peer", "prefix", "localPref", "communities", "largeCommunities" })
        {
            Assert.True(route.TryGetProperty(field, out _), field);
        }
        Assert.DoesNotContain("dc1-md5-key", output);
    }

    [Fact]
    public void Text_plan_without_nodes_or_endpoints_says_so()
    {
        var (code, output, _) = Plan("--config", Path.Combine(Examples("dual-stack"), "metallb.yaml"), "--node", "edge-7");
        Assert.Equal(0, code);
        Assert.Contains("Node edge-7", output);
        Assert.Contains("no EndpointSlices: every service counts as served on every node", output);
        Assert.Contains("2001:db8:100::/120", output);
    }

    [Fact]
    public void Invalid_configuration_exits_1_with_located_errors()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bgpkit-plan-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: a}\nspec:\n  localpref: 100\n");
        try
        {
            var (code, output, _) = Plan("--config", file, "--format", "json");
            Assert.Equal(1, code);
            var error = JsonDocument.Parse(output).RootElement.GetProperty("errors")[0];
            Assert.Equal(5, error.GetProperty("line").GetInt32());
            Assert.Equal("BGPAdvertisement", error.GetProperty("kind").GetString());
            Assert.Equal("a", error.GetProperty("name").GetString());
            Assert.Equal("spec.localpref", error.GetProperty("field").GetString());
            Assert.Contains("localPref", error.GetProperty("message").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Text_and_json_plans_show_why_a_requested_buggy_address_is_refused()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bgpkit-plan-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: edge}
            spec: {addresses: [192.0.2.0/24], avoidBuggyIPs: true}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop, annotations: {metallb.io/loadBalancerIPs: 192.0.2.255}}
            spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: shop}
            spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
            """);
        const string reason = "Failed to allocate IP for \"shop/web\": \"192.0.2.255\" is not allowed in config: IPAddressPool edge has avoidBuggyIPs, which never assigns an IPv4 address ending in .0 or .255";
        try
        {
            var (code, output, _) = Plan("--config", file);
            Assert.Equal(0, code); // the configuration is valid; one service is not
            Assert.Contains(reason, output);
            Assert.Matches(@"shop/api\s+192\.0\.2\.1\s+edge\s+allocated", output);

            (code, output, _) = Plan("--config", file, "--format", "json");
            Assert.Equal(0, code);
            var services = JsonDocument.Parse(output).RootElement.GetProperty("services").EnumerateArray().ToList();
            Assert.Equal(reason, services.Single(s => s.GetProperty("name").GetString() == "web").GetProperty("error").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--config", "/nonexistent/path")]
    [InlineData("--format", "json")]
    [InlineData("--config", "/tmp", "--format", "xml")]
    public void Usage_and_read_errors_exit_2(params string[] args) => Assert.Equal(2, Plan(args).Code);

    [Fact]
    public void Render_frr_prints_the_node_configuration_with_passwords()
    {
        var output = new StringWriter();
        int code = global::BgpKit.Cli.RenderFrrCommand.Run([Examples("production")], "worker-1", output, new StringWriter());
        Assert.Equal(0, code);
        var conf = output.ToString();
        Assert.Contains("router bgp 64513", conf);
        Assert.Contains("neighbor 192.168.1.1 password dc1-md5-key", conf);
        Assert.Contains("set community 64512:1100", conf);
        // MetalLB's router block: forwarding state preserved on every router; the per-neighbor restart only with
        // enableGracefulRestart, which the production example does not set.
        Assert.Contains(" bgp graceful-restart preserve-fw-state" + Environment.NewLine, conf);
        Assert.DoesNotMatch(@"neighbor \S+ graceful-restart", conf);
        Assert.Equal(2, global::BgpKit.Cli.RenderFrrCommand.Run([Examples("production")], null, output, new StringWriter()));
    }

    [Fact]
    public void An_interface_peer_is_planned_and_rendered_by_its_interface()
    {
        var dir = Directory.CreateTempSubdirectory("bgpkit-unnumbered-").FullName;
        try
        {
            var file = Path.Combine(dir, "metallb.yaml");
            File.WriteAllText(file, """
                apiVersion: metallb.io/v1beta2
                kind: BGPPeer
                metadata: {name: tor, namespace: metallb-system}
                spec: {myASN: 64500, peerASN: 64501, interface: eth1}
                ---
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: pool1, namespace: metallb-system}
                spec: {addresses: [192.0.2.0/24]}
                ---
                apiVersion: metallb.io/v1beta1
                kind: BGPAdvertisement
                metadata: {name: adv1, namespace: metallb-system}
                spec: {ipAddressPools: [pool1]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
                """);
            var text = Plan("--config", file, "--node", "node1");
            Assert.Equal(0, text.Code);
            Assert.Matches(@"tor\s+interface eth1\s+179", text.Output);
            var json = JsonDocument.Parse(Plan("--config", file, "--node", "node1", "--format", "json").Output);
            var session = json.RootElement.GetProperty("nodes")[0].GetProperty("sessions")[0];
            Assert.Equal("eth1", session.GetProperty("interface").GetString());
            var output = new StringWriter();
            Assert.Equal(0, global::BgpKit.Cli.RenderFrrCommand.Run([file], "node1", output, new StringWriter()));
            Assert.Contains(" neighbor eth1 interface remote-as 64501", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("  neighbor eth1 activate", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
