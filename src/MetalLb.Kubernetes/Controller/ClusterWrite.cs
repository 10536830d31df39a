namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// One write the controller wants the API server to hold. The planner computes them from what it
/// observes; the writer carries them out only while this replica leads. Replaying the same
/// observation gives the same writes (nothing is written when observation and plan agree).
/// </summary>
internal abstract record ClusterWrite;

/// <summary>A Service, as Events name it (<c>involvedObject</c>).</summary>
internal sealed record ServiceRef(string Namespace, string Name, string? Uid)
{
    public string Key => Namespace + "/" + Name;
}

/// <summary>
/// A write to a Service object itself, conditional on the Service being as the controller observed it: the patch
/// carries <see cref="ResourceVersion"/> as <c>metadata.resourceVersion</c>, which the API server takes as a
/// precondition (409 Conflict when the Service changed since, status subresource included). An address chosen
/// from a Service spec that has since changed is then never written; the next pass plans from the new one.
/// </summary>
internal abstract record ServiceWrite(ServiceRef Service) : ClusterWrite
{
    /// <summary>The Service's resourceVersion the write was planned from; null writes unconditionally (a source without versions).</summary>
    public string? ResourceVersion { get; init; }
}

/// <summary>Sets <c>status.loadBalancer.ingress</c> (status subresource); empty clears it.</summary>
internal sealed record SetServiceIngress(ServiceRef Service, IReadOnlyList<string> Addresses) : ServiceWrite(Service)
{
    /// <summary>What the status held when observed: the addresses this write gives up are the ones not in <see cref="Addresses"/>.</summary>
    public IReadOnlyList<string> Previous { get; init; } = [];
}

/// <summary>Sets the <c>metallb.io/ip-allocated-from-pool</c> annotation; null removes it.</summary>
internal sealed record SetAllocatedPool(ServiceRef Service, string? Pool) : ServiceWrite(Service);

/// <summary>A Kubernetes Event on a Service (<c>Normal</c> or <c>Warning</c>) with MetalLB's reason.</summary>
internal sealed record ServiceEvent(ServiceRef Service, string Type, string Reason, string Message) : ClusterWrite
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

/// <summary>Sets an IPAddressPool's <c>status</c> (status subresource).</summary>
internal sealed record SetPoolStatus(string Namespace, string Name, PoolCounts Counts) : ClusterWrite;

/// <summary>
/// Creates or updates a <c>metallb.io/v1beta1</c> ConfigurationState: <c>controller</c> for the
/// controller, <c>speaker-NODE</c> for a speaker, as upstream names them.
/// </summary>
internal sealed record SetConfigurationState(string Namespace, string Name, IReadOnlyDictionary<string, string> Labels, bool Valid, string ErrorSummary) : ClusterWrite
{
    public const string ComponentLabel = "metallb.io/component-type";
    public const string NodeLabel = "metallb.io/node-name";

    /// <summary>The Node a speaker's ConfigurationState belongs to: the garbage collector deletes it with the Node.</summary>
    public NodeOwner? Owner { get; init; }
}

/// <summary>
/// A Node as an owner reference names it (<c>apiVersion: v1</c>, <c>kind: Node</c>, name, uid): the
/// API server's garbage collector deletes a speaker's per-node objects when their Node goes.
/// </summary>
internal sealed record NodeOwner(string Name, string Uid);

/// <summary>An IPAddressPool's status counts, with MetalLB's field names.</summary>
internal sealed record PoolCounts(long AssignedIPv4, long AssignedIPv6, long AvailableIPv4, long AvailableIPv6);
