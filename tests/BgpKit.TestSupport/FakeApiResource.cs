using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// A resource the fake API server knows: discovery lists it (kubectl resolves names through
/// discovery), and it says how writes treat the object as the real server's strategy for that
/// kind does. Paths for resources not in <see cref="FakeApiServer.Resources"/> are still served
/// generically (kind from the body, scope from the path).
/// </summary>
/// <param name="Group">API group, "" for core.</param>
/// <param name="Version">API version within the group.</param>
/// <param name="Plural">The resource name in paths.</param>
/// <param name="Kind">The kind of its objects.</param>
/// <param name="Namespaced">Namespace scoped (else cluster scoped).</param>
/// <param name="HasStatus">
/// Has a <c>status</c> subresource: writes to the main resource keep the stored status, writes to
/// <c>/status</c> change only status, and spec changes bump metadata.generation.
/// </param>
/// <param name="ShortNames">Short names kubectl accepts (svc, no, ...).</param>
public sealed record FakeApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced, bool HasStatus, params string[] ShortNames)
{
    /// <summary>group/version, or just the version for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>
    /// What create does with a given status (only with <see cref="HasStatus"/>): null drops it, as
    /// for custom resources; otherwise the status the kind's strategy sets (Service: an empty load
    /// balancer; Pod: Pending; Namespace: Active). Nodes keep theirs: the kubelet creates them with it.
    /// </summary>
    public JsonObject? StatusOnCreate { get; init; }

    /// <summary>Create keeps the status the client sent (Node).</summary>
    public bool KeepsStatusOnCreate { get; init; }

    /// <summary>DELETE answers with the object (Services, Pods, Namespaces, custom resources); otherwise with a Success Status.</summary>
    public bool ReturnsDeletedObject { get; init; }

    /// <summary>A custom resource: strategic merge patch is refused (415), as the real server does for CRDs.</summary>
    public bool Custom { get; init; }

    /// <summary>The resources the fake serves by default: what MetalLB's controller and speaker read and write.</summary>
    public static IReadOnlyList<FakeApiResource> Defaults { get; } = Build();

    private static FakeApiResource[] Build()
    {
        var list = new List<FakeApiResource>
        {
            new("", "v1", "services", "Service", true, true, "svc") { StatusOnCreate = new JsonObject { ["loadBalancer"] = new JsonObject() }, ReturnsDeletedObject = true },
            new("", "v1", "nodes", "Node", false, true, "no") { KeepsStatusOnCreate = true },
            new("", "v1", "pods", "Pod", true, true, "po") { StatusOnCreate = new JsonObject { ["phase"] = "Pending" }, ReturnsDeletedObject = true },
            new("", "v1", "namespaces", "Namespace", false, true, "ns") { StatusOnCreate = new JsonObject { ["phase"] = "Active" }, ReturnsDeletedObject = true },
            new("", "v1", "secrets", "Secret", true, false),
            new("", "v1", "configmaps", "ConfigMap", true, false, "cm"),
            new("", "v1", "endpoints", "Endpoints", true, false, "ep"),
            new("", "v1", "events", "Event", true, false, "ev"),
            new("", "v1", "serviceaccounts", "ServiceAccount", true, false, "sa"),
            new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, false),
            new("coordination.k8s.io", "v1", "leases", "Lease", true, false),
            new("events.k8s.io", "v1", "events", "Event", true, false, "ev"),
        };
        // Every MetalLB and FRR-K8s CRD declares the status subresource (metallb 0.15 config/crd/bases).
        foreach (var (version, plural, kind) in new[]
        {
            ("v1beta1", "ipaddresspools", "IPAddressPool"),
            ("v1beta1", "bgpadvertisements", "BGPAdvertisement"),
            ("v1beta1", "l2advertisements", "L2Advertisement"),
            ("v1beta1", "bfdprofiles", "BFDProfile"),
            ("v1beta1", "communities", "Community"),
            ("v1beta1", "bgppeers", "BGPPeer"),
            ("v1beta2", "bgppeers", "BGPPeer"),
            ("v1beta1", "configurationstates", "ConfigurationState"),
            ("v1beta1", "servicebgpstatuses", "ServiceBGPStatus"),
            ("v1beta1", "servicel2statuses", "ServiceL2Status"),
        })
        {
            list.Add(new("metallb.io", version, plural, kind, true, true) { ReturnsDeletedObject = true, Custom = true });
        }
        foreach (var (plural, kind, namespaced) in new[]
        {
            ("bgpsessionstates", "BGPSessionState", true),
            ("frrconfigurations", "FRRConfiguration", true),
            ("frrnodestates", "FRRNodeState", false),
        })
        {
            list.Add(new("frrk8s.metallb.io", "v1beta1", plural, kind, namespaced, true) { ReturnsDeletedObject = true, Custom = true });
        }
        return [.. list];
    }
}
