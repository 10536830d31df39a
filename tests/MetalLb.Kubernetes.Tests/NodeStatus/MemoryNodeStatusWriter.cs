using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.NodeStatus;
using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Tests.NodeStatus;

/// <summary>An API server's worth of one node's status objects in memory, recording each call.</summary>
internal sealed class MemoryNodeStatusWriter : INodeStatusWriter
{
    private int _sequence;

    public Dictionary<string, ExistingNodeStatus> Objects { get; } = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    public List<SetConfigurationState> States { get; } = [];

    /// <summary>Refuse the next call whose description starts with this.</summary>
    public string? RefuseNext { get; set; }

    public Task<NodeOwner> ReadNodeAsync(string node, CancellationToken cancellationToken)
    {
        Call("GET node");
        return Task.FromResult(new NodeOwner(node, "uid-" + node));
    }

    /// <summary>Kinds whose CRD is not installed: LIST answers 404.</summary>
    public HashSet<NodeStatusKind> Absent { get; } = [];

    public Task<IReadOnlyList<ExistingNodeStatus>> ListAsync(NodeStatusKind kind, string node, CancellationToken cancellationToken)
    {
        Call("LIST " + kind.Plural);
        if (Absent.Contains(kind))
        {
            throw new KubernetesApiException(404, "LIST " + kind.Plural + ": 404 NotFound");
        }
        return Task.FromResult<IReadOnlyList<ExistingNodeStatus>>(Objects.Values.Where(o => o.Kind == kind).ToArray());
    }

    public Task<string> CreateAsync(NodeStatusObject desired, NodeOwner owner, CancellationToken cancellationToken)
    {
        Call("POST " + desired.Key);
        var name = desired.GenerateName + (++_sequence).ToString("d5", System.Globalization.CultureInfo.InvariantCulture);
        Objects[name] = new ExistingNodeStatus(desired.Kind, name, desired.Key, null);
        return Task.FromResult(name);
    }

    public Task SetStatusAsync(string name, NodeStatusObject desired, CancellationToken cancellationToken)
    {
        Call("PATCH " + desired.Key);
        if (!Objects.ContainsKey(name))
        {
            throw new KubernetesApiException(404, "NotFound");
        }
        Objects[name] = new ExistingNodeStatus(desired.Kind, name, desired.Key, desired);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(NodeStatusKind kind, string name, CancellationToken cancellationToken)
    {
        Call("DELETE " + name);
        Objects.Remove(name);
        return Task.CompletedTask;
    }

    public Task WriteAsync(SetConfigurationState state, CancellationToken cancellationToken)
    {
        Call("STATE " + state.Name);
        States.Add(state);
        return Task.CompletedTask;
    }

    public IEnumerable<string> Writes() => Calls.Where(c => !c.StartsWith("GET", StringComparison.Ordinal) && !c.StartsWith("LIST", StringComparison.Ordinal));

    public T Status<T>()
        where T : NodeStatusObject => Objects.Values.Select(o => o.Status).OfType<T>().Single();

    private void Call(string description)
    {
        if (RefuseNext is { } prefix && description.StartsWith(prefix, StringComparison.Ordinal))
        {
            RefuseNext = null;
            throw new KubernetesApiException(503, description + ": unavailable");
        }
        Calls.Add(description);
    }
}
