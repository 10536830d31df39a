using System.Text.Json.Nodes;

namespace BgpKit.Deploy.Tests.Workloads;

/// <summary>The controller Deployment, the speaker DaemonSet and the webhook configuration as rendered.</summary>
public class WorkloadTests
{
    private static JsonNode PodSpec(string kind, string name) => Manifests.Single(kind, name)["spec"]!["template"]!["spec"]!;

    private static JsonNode Container(string kind, string name) => Assert.Single(PodSpec(kind, name)["containers"]!.AsArray())!;

    private static string[] Strings(JsonNode? node) => node?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];

    [Fact]
    public void The_controller_runs_two_replicas_spread_across_nodes_locked_down()
    {
        var deployment = Manifests.Single("Deployment", "bgpkit-controller");
        Assert.Equal(2L, deployment["spec"]!["replicas"]!.GetValue<long>());
        var pod = PodSpec("Deployment", "bgpkit-controller");
        Assert.Equal("bgpkit-controller", pod["serviceAccountName"]!.GetValue<string>());
        Assert.Equal("kubernetes.io/hostname", pod["topologySpreadConstraints"]![0]!["topologyKey"]!.GetValue<string>());
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal(65532L, pod["securityContext"]!["runAsUser"]!.GetValue<long>());

        var c = Container("Deployment", "bgpkit-controller");
        Assert.Equal("bgpkit:0.1.0", c["image"]!.GetValue<string>());
        Assert.Equal(["controller", "--in-cluster", "--namespace=$(POD_NAMESPACE)", "--identity=$(POD_NAME)", "--metrics-listen=0.0.0.0:7472", "--webhook-listen=0.0.0.0:9443"], Strings(c["args"]));
        Assert.Equal("metadata.name", c["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "POD_NAME")!["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal(("/healthz", "monitoring"), (c["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>(), c["livenessProbe"]!["httpGet"]!["port"]!.GetValue<string>()));
        Assert.Equal(("/readyz", "monitoring"), (c["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>(), c["readinessProbe"]!["httpGet"]!["port"]!.GetValue<string>()));
        Assert.Equal([7472L, 9443L], c["ports"]!.AsArray().Select(p => p!["containerPort"]!.GetValue<long>()));
        AssertLockedDown(c, added: []);
        Assert.NotNull(c["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(c["resources"]!["limits"]!["memory"]);
    }

    [Fact]
    public void The_speaker_runs_on_every_node_on_the_host_network_with_three_capabilities()
    {
        var pod = PodSpec("DaemonSet", "bgpkit-speaker");
        Assert.True(pod["hostNetwork"]!.GetValue<bool>());
        Assert.Equal("bgpkit-speaker", pod["serviceAccountName"]!.GetValue<string>());
        Assert.Contains(pod["tolerations"]!.AsArray(), t => t!["key"]!.GetValue<string>() == "node-role.kubernetes.io/control-plane" && t["operator"]!.GetValue<string>() == "Exists");

        var c = Container("DaemonSet", "bgpkit-speaker");
        Assert.Equal("bgpkit:0.1.0", c["image"]!.GetValue<string>());
        Assert.Equal(["speaker", "--in-cluster", "--node=$(NODE_NAME)", "--namespace=$(POD_NAMESPACE)", "--state-dir=/var/lib/bgpkit"], Strings(c["args"]));
        // Graceful restart state outlives the pod: a hostPath volume mounted where --state-dir points.
        var state = pod["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "state")!;
        Assert.Equal(("/var/lib/bgpkit", "DirectoryOrCreate"), (state["hostPath"]!["path"]!.GetValue<string>(), state["hostPath"]!["type"]!.GetValue<string>()));
        Assert.Contains(c["volumeMounts"]!.AsArray(), m => m!["name"]!.GetValue<string>() == "state" && m["mountPath"]!.GetValue<string>() == "/var/lib/bgpkit");
        Assert.Equal("spec.nodeName", c["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "NODE_NAME")!["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        Assert.NotNull(c["livenessProbe"]!["httpGet"]);
        Assert.NotNull(c["readinessProbe"]!["httpGet"]);
        AssertLockedDown(c, added: ["NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW"]);
    }

    private static void AssertLockedDown(JsonNode container, string[] added)
    {
        var security = container["securityContext"]!;
        Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.Null(security["privileged"]);
        Assert.Equal(["ALL"], Strings(security["capabilities"]!["drop"]));
        Assert.Equal(added, Strings(security["capabilities"]!["add"]).Order());
    }

    [Fact]
    public void The_webhooks_follow_upstreams_paths_and_fail_closed()
    {
        var configuration = Manifests.Single("ValidatingWebhookConfiguration", "bgpkit-webhook-configuration");
        var hooks = configuration["webhooks"]!.AsArray().Select(h => h!).ToList();
        var byPath = hooks.ToDictionary(h => h["clientConfig"]!["service"]!["path"]!.GetValue<string>());
        Assert.Equal(new[]
        {
            "/validate-metallb-io-v1beta1-bfdprofile", "/validate-metallb-io-v1beta1-bgpadvertisement", "/validate-metallb-io-v1beta1-community",
            "/validate-metallb-io-v1beta1-ipaddresspool", "/validate-metallb-io-v1beta1-l2advertisement", "/validate-metallb-io-v1beta2-bgppeer",
        }, byPath.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, hook) in byPath)
        {
            Assert.Equal(("Fail", "None"), (hook["failurePolicy"]!.GetValue<string>(), hook["sideEffects"]!.GetValue<string>()));
            Assert.Equal(("bgpkit-webhook-service", "metallb-system"), (hook["clientConfig"]!["service"]!["name"]!.GetValue<string>(), hook["clientConfig"]!["service"]!["namespace"]!.GetValue<string>()));
            var rule = Assert.Single(hook["rules"]!.AsArray())!;
            Assert.Equal(path.EndsWith("bfdprofile", StringComparison.Ordinal) ? ["CREATE", "UPDATE", "DELETE"] : ["CREATE", "UPDATE"], Strings(rule["operations"]));
            var (version, kind) = (path.Split('-')[^2], path.Split('-')[^1]);
            Assert.Equal((version, "metallb.io"), (Strings(rule["apiVersions"]).Single(), Strings(rule["apiGroups"]).Single()));
            Assert.Equal(kind == "community" ? "communities" : kind + "s", Strings(rule["resources"]).Single());
        }
        var service = Manifests.Single("Service", "bgpkit-webhook-service");
        var port = Assert.Single(service["spec"]!["ports"]!.AsArray())!;
        Assert.Equal((443L, "webhook"), (port["port"]!.GetValue<long>(), port["targetPort"]!.GetValue<string>()));
        Assert.Equal("controller", service["spec"]!["selector"]!["app.kubernetes.io/component"]!.GetValue<string>());
    }
}
