namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// One kind the speaker lists and watches: its API group/version, kind, plural resource name, and
/// whether it is read only in MetalLB's namespace (MetalLB's custom resources and Secrets) or in
/// all namespaces (Services, EndpointSlices) or is cluster-scoped (Nodes, Namespaces).
/// </summary>
internal sealed record KubernetesResourceKind(string ApiVersion, string Kind, string Plural, KubernetesScope Scope)
{
    /// <summary>
    /// A kind whose CRD may be absent (FRR-K8s's, on a cluster with MetalLB alone): a LIST answered 404 counts
    /// as an empty list, so the first configuration does not wait for it, and is tried again with backoff.
    /// </summary>
    public bool Optional { get; init; }

    /// <summary>
    /// Whether the cache keeps each object's <c>metadata.resourceVersion</c>: the controller's Services do, because its
    /// writes to a Service are conditional on the version it planned from (a 409 when the Service changed since). The
    /// cost is a snapshot on a change the plan does not read (another writer's status conditions, managedFields).
    /// </summary>
    public bool KeepsResourceVersion { get; init; }

    /// <summary>The collection path: <c>/api/v1/services</c>, <c>/apis/metallb.io/v1beta1/namespaces/NS/ipaddresspools</c>.</summary>
    public string CollectionPath(string metallbNamespace)
    {
        var root = ApiVersion.Contains('/', StringComparison.Ordinal) ? "/apis/" + ApiVersion : "/api/" + ApiVersion;
        return Scope == KubernetesScope.MetalLbNamespace
            ? $"{root}/namespaces/{Uri.EscapeDataString(metallbNamespace)}/{Plural}"
            : $"{root}/{Plural}";
    }

    /// <summary>
    /// Every kind that MetalLb.Model's reader plans from, at the versions it accepts, as MetalLB's
    /// speaker scopes them: its configuration, FRR-K8s FRRConfigurations and Secrets (BGP passwords) only in its own
    /// namespace, Services and EndpointSlices in every namespace, Nodes and Namespaces cluster-wide.
    /// </summary>
    public static IReadOnlyList<KubernetesResourceKind> MetalLbSpeaker { get; } =
    [
        new("metallb.io/v1beta1", "IPAddressPool", "ipaddresspools", KubernetesScope.MetalLbNamespace),
        new("metallb.io/v1beta2", "BGPPeer", "bgppeers", KubernetesScope.MetalLbNamespace),
        new("metallb.io/v1beta1", "BGPAdvertisement", "bgpadvertisements", KubernetesScope.MetalLbNamespace),
        new("metallb.io/v1beta1", "L2Advertisement", "l2advertisements", KubernetesScope.MetalLbNamespace),
        new("metallb.io/v1beta1", "Community", "communities", KubernetesScope.MetalLbNamespace),
        new("metallb.io/v1beta1", "BFDProfile", "bfdprofiles", KubernetesScope.MetalLbNamespace),
        // FRR-K8s reads FRRConfigurations in its own namespace only (its cache's metadata.namespace field selector).
        new("frrk8s.metallb.io/v1beta1", "FRRConfiguration", "frrconfigurations", KubernetesScope.MetalLbNamespace) { Optional = true },
        new("v1", "Secret", "secrets", KubernetesScope.MetalLbNamespace),
        new("v1", "Service", "services", KubernetesScope.AllNamespaces),
        new("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", KubernetesScope.AllNamespaces),
        new("v1", "Node", "nodes", KubernetesScope.Cluster),
        new("v1", "Namespace", "namespaces", KubernetesScope.Cluster),
    ];

    /// <summary>
    /// What MetalLB's controller reads: the configuration (to validate it whole and allocate from
    /// its pools), Services in every namespace and Namespaces (for pools' namespaceSelectors). Not
    /// Secrets, Nodes or EndpointSlices: allocation does not depend on them, and RBAC grants the
    /// controller only what it reads.
    /// </summary>
    public static IReadOnlyList<KubernetesResourceKind> MetalLbController { get; } =
    [
        .. MetalLbSpeaker.Where(k => k.ApiVersion.StartsWith("metallb.io/", StringComparison.Ordinal)),
        new("v1", "Service", "services", KubernetesScope.AllNamespaces) { KeepsResourceVersion = true },
        new("v1", "Namespace", "namespaces", KubernetesScope.Cluster),
    ];
}

/// <summary>Where a kind is read.</summary>
internal enum KubernetesScope
{
    /// <summary>Only in MetalLB's namespace (<c>metallb-system</c> unless configured).</summary>
    MetalLbNamespace,

    /// <summary>A namespaced kind read in every namespace.</summary>
    AllNamespaces,

    /// <summary>A cluster-scoped kind.</summary>
    Cluster,
}
