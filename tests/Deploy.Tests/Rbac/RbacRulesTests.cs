using BgpKit.TestSupport;
using static BgpKit.Deploy.Tests.Rbac.DeployedRbac;

namespace BgpKit.Deploy.Tests.Rbac;

/// <summary>
/// Least privilege, request by request: what the controller and the speaker do (src/MetalLb.Kubernetes/README.md)
/// is allowed by the rendered Roles and bindings, and the neighbouring requests they never make are not.
/// </summary>
public class RbacRulesTests
{
    private static AuthorizationRequest R(string user, string verb, string resource, string? ns = null, string? name = null, string group = "")
    {
        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new AuthorizationRequest(verb, group, resource, null, ns, name, user)
            : new AuthorizationRequest(verb, group, resource[..slash], resource[(slash + 1)..], ns, name, user);
    }

    private static IEnumerable<AuthorizationRequest> Reads(string user, string resource, string? ns, string group = "") =>
        [R(user, "list", resource, ns, group: group), R(user, "watch", resource, ns, group: group)];

    public static IEnumerable<AuthorizationRequest> ControllerRequests()
    {
        // Reflectors: Services in all namespaces, Namespaces, MetalLB's configuration in its namespace.
        foreach (var r in Reads(Controller, "services", null).Concat(Reads(Controller, "namespaces", null)))
        {
            yield return r;
        }
        foreach (var kind in ConfigurationKinds)
        {
            foreach (var r in Reads(Controller, kind, Namespace, "metallb.io"))
            {
                yield return r;
            }
        }
        yield return R(Controller, "patch", "services/status", "default", "web");
        yield return R(Controller, "patch", "services", "shop", "api");
        yield return R(Controller, "create", "events", "default");
        yield return R(Controller, "patch", "ipaddresspools/status", Namespace, "pool", "metallb.io");
        yield return R(Controller, "create", "configurationstates", Namespace, group: "metallb.io");
        yield return R(Controller, "patch", "configurationstates/status", Namespace, "controller", "metallb.io");
        yield return R(Controller, "get", "leases", Namespace, "bgpkit-controller", "coordination.k8s.io");
        yield return R(Controller, "create", "leases", Namespace, group: "coordination.k8s.io");
        yield return R(Controller, "update", "leases", Namespace, "bgpkit-controller", "coordination.k8s.io");
        // The webhook's certificate and caBundles, by name.
        yield return R(Controller, "get", "secrets", Namespace, "bgpkit-webhook-cert");
        yield return R(Controller, "update", "secrets", Namespace, "bgpkit-webhook-cert");
        yield return R(Controller, "get", "validatingwebhookconfigurations", null, "bgpkit-webhook-configuration", "admissionregistration.k8s.io");
        yield return R(Controller, "update", "validatingwebhookconfigurations", null, "bgpkit-webhook-configuration", "admissionregistration.k8s.io");
        yield return R(Controller, "get", "customresourcedefinitions", null, "bgppeers.metallb.io", "apiextensions.k8s.io");
        yield return R(Controller, "update", "customresourcedefinitions", null, "bgppeers.metallb.io", "apiextensions.k8s.io");
    }

    public static IEnumerable<AuthorizationRequest> ControllerRefusals()
    {
        yield return R(Controller, "list", "secrets", Namespace);
        yield return R(Controller, "get", "secrets", Namespace, "bgp-password");
        yield return R(Controller, "update", "secrets", Namespace, "bgp-password");
        yield return R(Controller, "get", "secrets", "kube-system", "bgpkit-webhook-cert");
        yield return R(Controller, "create", "secrets", Namespace);
        yield return R(Controller, "delete", "secrets", Namespace, "bgpkit-webhook-cert");
        yield return R(Controller, "update", "services", "default", "web");
        yield return R(Controller, "delete", "services", "default", "web");
        yield return R(Controller, "update", "leases", Namespace, "another-lease", "coordination.k8s.io");
        yield return R(Controller, "delete", "leases", Namespace, "bgpkit-controller", "coordination.k8s.io");
        yield return R(Controller, "update", "validatingwebhookconfigurations", null, "someone-elses-webhook", "admissionregistration.k8s.io");
        yield return R(Controller, "list", "validatingwebhookconfigurations", null, null, "admissionregistration.k8s.io");
        yield return R(Controller, "update", "customresourcedefinitions", null, "ipaddresspools.metallb.io", "apiextensions.k8s.io");
        yield return R(Controller, "delete", "customresourcedefinitions", null, "bgppeers.metallb.io", "apiextensions.k8s.io");
        yield return R(Controller, "list", "ipaddresspools", "default", group: "metallb.io");
        yield return R(Controller, "update", "ipaddresspools", Namespace, "pool", "metallb.io");
        yield return R(Controller, "patch", "bgppeers", Namespace, "peer", "metallb.io");
        yield return R(Controller, "list", "nodes", null);
        yield return R(Controller, "list", "endpointslices", null, group: "discovery.k8s.io");
    }

    public static IEnumerable<AuthorizationRequest> SpeakerRequests()
    {
        foreach (var r in Reads(Speaker, "services", null).Concat(Reads(Speaker, "nodes", null)).Concat(Reads(Speaker, "namespaces", null))
            .Concat(Reads(Speaker, "endpointslices", null, "discovery.k8s.io")).Concat(Reads(Speaker, "secrets", Namespace)))
        {
            yield return r;
        }
        foreach (var kind in ConfigurationKinds)
        {
            foreach (var r in Reads(Speaker, kind, Namespace, "metallb.io"))
            {
                yield return r;
            }
        }
        // FRR-K8s configurations, in MetalLB's namespace as FRR-K8s reads its own.
        foreach (var r in Reads(Speaker, "frrconfigurations", Namespace, "frrk8s.metallb.io"))
        {
            yield return r;
        }
        yield return R(Speaker, "get", "nodes", null, "worker-1");
        yield return R(Speaker, "get", "secrets", Namespace, "bgp-password");
        // What the node-status publisher sends: list by node label, create without status, patch /status, delete.
        foreach (var (group, resource) in new[] { ("metallb.io", "servicebgpstatuses"), ("frrk8s.metallb.io", "bgpsessionstates"), ("metallb.io", "servicel2statuses") })
        {
            yield return R(Speaker, "list", resource, Namespace, group: group);
            yield return R(Speaker, "create", resource, Namespace, group: group);
            yield return R(Speaker, "delete", resource, Namespace, "worker-1-x", group);
            yield return R(Speaker, "patch", resource + "/status", Namespace, "worker-1-x", group);
        }
        yield return R(Speaker, "create", "configurationstates", Namespace, group: "metallb.io");
        yield return R(Speaker, "patch", "configurationstates/status", Namespace, "speaker-worker-1", "metallb.io");
        // Layer 2 liveness: its own Lease renewed, every speaker's listed.
        yield return R(Speaker, "list", "leases", Namespace, group: "coordination.k8s.io");
        yield return R(Speaker, "create", "leases", Namespace, group: "coordination.k8s.io");
        yield return R(Speaker, "update", "leases", Namespace, "bgpkit-speaker-worker-1", "coordination.k8s.io");
    }

    public static IEnumerable<AuthorizationRequest> SpeakerRefusals()
    {
        yield return R(Speaker, "patch", "services/status", "default", "web");
        yield return R(Speaker, "update", "services/status", "default", "web");
        yield return R(Speaker, "patch", "services", "default", "web");
        yield return R(Speaker, "create", "events", "default");
        yield return R(Speaker, "patch", "ipaddresspools/status", Namespace, "pool", "metallb.io");
        yield return R(Speaker, "update", "ipaddresspools", Namespace, "pool", "metallb.io");
        yield return R(Speaker, "create", "bgppeers", Namespace, group: "metallb.io");
        yield return R(Speaker, "list", "secrets", null);
        yield return R(Speaker, "get", "secrets", "kube-system", "admin-token");
        yield return R(Speaker, "update", "secrets", Namespace, "bgpkit-webhook-cert");
        yield return R(Speaker, "create", "leases", "kube-system", group: "coordination.k8s.io");
        yield return R(Speaker, "delete", "leases", Namespace, "bgpkit-controller", "coordination.k8s.io");
        yield return R(Speaker, "list", "servicebgpstatuses", "default", group: "metallb.io");
        yield return R(Speaker, "update", "servicebgpstatuses", Namespace, "worker-1-x", "metallb.io");
        yield return R(Speaker, "delete", "configurationstates", Namespace, "controller", "metallb.io");
        yield return R(Speaker, "list", "frrconfigurations", null, group: "frrk8s.metallb.io");
        yield return R(Speaker, "update", "frrconfigurations", Namespace, "tor", "frrk8s.metallb.io");
        yield return R(Controller, "list", "frrconfigurations", Namespace, group: "frrk8s.metallb.io");
        yield return R(Speaker, "patch", "nodes", null, "worker-1");
        yield return R(Speaker, "patch", "customresourcedefinitions", null, "bgppeers.metallb.io", "apiextensions.k8s.io");
    }

    public static TheoryData<string> Allowed => new(ControllerRequests().Concat(SpeakerRequests()).Select(r => r.ToString()));

    public static TheoryData<string> Denied => new(ControllerRefusals().Concat(SpeakerRefusals())
        .Concat([R("system:anonymous", "list", "services", null), R("system:serviceaccount:default:default", "list", "ipaddresspools", Namespace, group: "metallb.io")])
        .Select(r => r.ToString()));

    private static AuthorizationRequest Find(string text) =>
        ControllerRequests().Concat(SpeakerRequests()).Concat(ControllerRefusals()).Concat(SpeakerRefusals())
            .Concat([R("system:anonymous", "list", "services", null), R("system:serviceaccount:default:default", "list", "ipaddresspools", Namespace, group: "metallb.io")])
            .First(r => r.ToString() == text);

    [Theory]
    [MemberData(nameof(Allowed))]
    public void What_each_role_does_is_allowed(string request) => Assert.True(Authorizer.Allows(Find(request)), request);

    [Theory]
    [MemberData(nameof(Denied))]
    public void What_each_role_never_does_is_forbidden(string request) => Assert.False(Authorizer.Allows(Find(request)), request);

    [Fact]
    public void No_rule_uses_a_wildcard()
    {
        Assert.Empty(Authorizer.Wildcards);
    }

    [Fact]
    public void Each_role_has_its_own_service_account_and_only_its_bindings()
    {
        Assert.Equal(["bgpkit-controller", "bgpkit-speaker"], Manifests.OfKind("ServiceAccount").Select(Manifests.Name).Order());
        foreach (var binding in Manifests.OfKind("RoleBinding").Concat(Manifests.OfKind("ClusterRoleBinding")))
        {
            var subject = Assert.Single(binding["subjects"]!.AsArray())!;
            Assert.Equal(("ServiceAccount", Manifests.Name(binding), Namespace),
                (subject["kind"]!.GetValue<string>(), subject["name"]!.GetValue<string>(), subject["namespace"]!.GetValue<string>()));
            Assert.Equal(Manifests.Name(binding), binding["roleRef"]!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public void The_webhook_certificate_Secret_ships_empty()
    {
        var secret = Manifests.Single("Secret", "bgpkit-webhook-cert");
        Assert.Null(secret["data"]);
        Assert.Null(secret["stringData"]);
    }
}
