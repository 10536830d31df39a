namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>One write of the speaker's status objects.</summary>
internal abstract record NodeStatusWrite;

/// <summary>Creates an object without status (the server drops it on create); the next write, a <see cref="SetNodeStatus"/>, gives it one.</summary>
internal sealed record CreateNodeStatus(NodeStatusObject Desired) : NodeStatusWrite;

/// <summary>Sets the status of the existing object <paramref name="Name"/> (its labels are its identity and already match).</summary>
internal sealed record SetNodeStatus(string Name, NodeStatusObject Desired) : NodeStatusWrite;

/// <summary>Deletes the object <paramref name="Name"/>; one already gone counts as deleted.</summary>
internal sealed record DeleteNodeStatus(NodeStatusKind Kind, string Name) : NodeStatusWrite;
