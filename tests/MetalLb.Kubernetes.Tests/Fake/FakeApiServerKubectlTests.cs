using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Fake;

/// <summary>
/// The fake API server judged by the real kubectl: discovery, get, create, apply, patch of the
/// status subresource and delete with garbage collection must work as against a real server.
/// </summary>
public sealed class FakeApiServerKubectlTests : IDisposable
{
    private readonly FakeApiServer _server = new();
    private readonly Kubectl _kubectl;

    public FakeApiServerKubectlTests()
    {
        _kubectl = new Kubectl(_server.Url);
        ApiObjects.Seed(_server);
    }

    [KubectlFact]
    public async Task Get_finds_one_object_a_namespace_and_all_namespaces_through_discovery()
    {
        var one = await _kubectl.JsonAsync("get", "service", "web", "-n", "default");
        Assert.Equal("Service", one["kind"]!.GetValue<string>());
        Assert.Equal("web", one["metadata"]!["name"]!.GetValue<string>());

        var inNamespace = await _kubectl.JsonAsync("get", "ipaddresspools", "-n", "metallb-system");
        Assert.Equal(["pool"], Names(inNamespace));
        var everywhere = await _kubectl.JsonAsync("get", "ipaddresspools.metallb.io", "-A");
        Assert.Equal(["elsewhere", "pool"], Names(everywhere).Order(StringComparer.Ordinal));
        // Typed list items come without kind; kubectl puts it back from the list's kind.
        var services = await _kubectl.JsonAsync("get", "svc", "-A");
        Assert.All(services["items"]!.AsArray(), s => Assert.Equal("Service", s!["kind"]!.GetValue<string>()));

        var (code, _, error) = await _kubectl.RunAsync("get", "service", "missing", "-n", "default");
        Assert.NotEqual(0, code);
        Assert.Contains("services \"missing\" not found", error, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task Create_drops_status_applies_crd_defaults_and_refuses_a_second_create()
    {
        var file = _kubectl.WriteFile("pool.json", """
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool",
             "metadata":{"name":"created","namespace":"metallb-system"},
             "spec":{"addresses":["203.0.113.0/28"]},
             "status":{"assignedIPv4":3}}
            """);
        var created = await _kubectl.JsonAsync("create", "-f", file);
        Assert.Null(created["status"]);
        Assert.True(created["spec"]!["autoAssign"]!.GetValue<bool>());
        Assert.False(created["spec"]!["avoidBuggyIPs"]!.GetValue<bool>());
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());
        Assert.NotNull(created["metadata"]!["uid"]);

        var (code, _, error) = await _kubectl.RunAsync("create", "-f", file);
        Assert.NotEqual(0, code);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task Apply_creates_then_patches_a_service_and_a_custom_resource()
    {
        var service = """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"applied","namespace":"default","labels":{"app":"a"}},
             "spec":{"type":"LoadBalancer","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}
            """;
        var file = _kubectl.WriteFile("svc.json", service);
        var (code, _, error) = await _kubectl.RunAsync("apply", "--server-side=false", "-f", file);
        Assert.True(code == 0, error);
        var first = _server.Get("v1", "services", "default", "applied")!;
        Assert.NotNull(first["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);

        _kubectl.WriteFile("svc.json", service.Replace("\"protocol\":\"TCP\"}]", "\"protocol\":\"TCP\"},{\"name\":\"https\",\"port\":443,\"protocol\":\"TCP\"}]", StringComparison.Ordinal));
        (code, _, error) = await _kubectl.RunAsync("apply", "--server-side=false", "-f", file);
        Assert.True(code == 0, error);
        var second = _server.Get("v1", "services", "default", "applied")!;
        Assert.Equal([80, 443], second["spec"]!["ports"]!.AsArray().Select(p => p!["port"]!.GetValue<int>()));
        Assert.Equal(2, second["metadata"]!["generation"]!.GetValue<long>());

        var pool = _kubectl.WriteFile("pool.json", """
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"applied","namespace":"metallb-system"},
             "spec":{"addresses":["203.0.113.0/28"],"autoAssign":false}}
            """);
        (code, _, error) = await _kubectl.RunAsync("apply", "--server-side=false", "-f", pool);
        Assert.True(code == 0, error);
        _kubectl.WriteFile("pool.json", """
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"applied","namespace":"metallb-system"},
             "spec":{"addresses":["203.0.113.16/28"]}}
            """);
        (code, _, error) = await _kubectl.RunAsync("apply", "--server-side=false", "-f", pool);
        Assert.True(code == 0, error);
        var applied = _server.Get("metallb.io/v1beta1", "ipaddresspools", "metallb-system", "applied")!;
        Assert.Equal("203.0.113.16/28", applied["spec"]!["addresses"]![0]!.GetValue<string>());
        // Removed from the applied file, so apply deletes it and the CRD default comes back.
        Assert.True(applied["spec"]!["autoAssign"]!.GetValue<bool>());
    }

    [KubectlFact]
    public async Task Patch_of_the_status_subresource_changes_status_only()
    {
        var patched = await _kubectl.JsonAsync("patch", "service", "web", "-n", "default", "--subresource", "status", "--type", "merge",
            "-p", """{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.7"}]}},"spec":{"type":"ClusterIP"}}""");
        Assert.Equal(["198.51.100.7"], _server.Ingress("default", "web"));
        Assert.Equal("LoadBalancer", patched["spec"]!["type"]!.GetValue<string>());

        var pool = await _kubectl.JsonAsync("patch", "ipaddresspool", "pool", "-n", "metallb-system", "--subresource", "status", "--type", "merge",
            "-p", """{"status":{"assignedIPv4":2}}""");
        Assert.Equal(2, pool["status"]!["assignedIPv4"]!.GetValue<int>());
        Assert.Equal(1, pool["metadata"]!["generation"]!.GetValue<long>());
    }

    [KubectlFact]
    public async Task Delete_of_a_node_collects_the_objects_it_owns()
    {
        var node = _server.Get("v1", "nodes", null, "node-1")!;
        _server.Put($$$"""
            {"apiVersion":"frrk8s.metallb.io/v1beta1","kind":"BGPSessionState",
             "metadata":{"name":"node-1-router","namespace":"metallb-system",
                         "ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"node-1","uid":"{{{node["metadata"]!["uid"]}}}"}]},
             "status":{"bgpStatus":"Established"}}
            """);
        var (code, output, error) = await _kubectl.RunAsync("delete", "node", "node-1");
        Assert.True(code == 0, error);
        Assert.Contains("node \"node-1\" deleted", output, StringComparison.Ordinal);
        var states = await _kubectl.JsonAsync("get", "bgpsessionstates", "-A");
        Assert.Empty(states["items"]!.AsArray());
    }

    public void Dispose()
    {
        _kubectl.Dispose();
        _server.Dispose();
    }

    private static string[] Names(JsonObject list) =>
        [.. list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>())];
}
