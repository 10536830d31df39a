using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>
/// The API calls of <see cref="NodeStatusPublisher"/>. Every method throws
/// <see cref="KubernetesApiException"/> when the server refuses or cannot be reached.
/// </summary>
internal interface INodeStatusWriter
{
    /// <summary>The Node's uid, for the owner references (a 404 when the Node does not exist).</summary>
    Task<NodeOwner> ReadNodeAsync(string node, CancellationToken cancellationToken);

    /// <summary>This node's objects of <paramref name="kind"/>, by label selector <c>NODE_LABEL=node</c>.</summary>
    Task<IReadOnlyList<ExistingNodeStatus>> ListAsync(NodeStatusKind kind, string node, CancellationToken cancellationToken);

    /// <summary>Creates the object with generateName, labels and an owner reference to the Node, without status; returns the name the server gave it.</summary>
    Task<string> CreateAsync(NodeStatusObject desired, NodeOwner owner, CancellationToken cancellationToken);

    /// <summary>Sets the object's status through <c>/status</c>.</summary>
    Task SetStatusAsync(string name, NodeStatusObject desired, CancellationToken cancellationToken);

    /// <summary>Deletes the object; one already gone is no error.</summary>
    Task DeleteAsync(NodeStatusKind kind, string name, CancellationToken cancellationToken);

    /// <summary>Creates or updates the speaker's ConfigurationState (the controller's write of it).</summary>
    Task WriteAsync(SetConfigurationState state, CancellationToken cancellationToken);
}
