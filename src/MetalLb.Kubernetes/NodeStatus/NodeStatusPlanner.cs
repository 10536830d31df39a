using BgpKit.MetalLb.Kubernetes.Controller;

namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>
/// The speaker's status decisions as pure functions: the objects its node should have from what
/// it runs (<see cref="Desired"/>), and the writes that turn what the API server holds into that
/// (<see cref="Writes"/>). Nothing is written for an object whose status already matches, so a
/// restart that lists its own objects writes only what changed while it was away.
/// </summary>
internal static class NodeStatusPlanner
{
    /// <summary>
    /// One BGPSessionState per session and one ServiceBGPStatus per announced Service with at least
    /// one peer (MetalLB deletes the status of a Service announced to none), in kind then key order.
    /// </summary>
    public static IReadOnlyList<NodeStatusObject> Desired(string node, NodeObservation observation)
    {
        var objects = new SortedDictionary<(string Kind, string Key), NodeStatusObject>();
        foreach (var session in observation.Sessions)
        {
            var state = new BgpSessionStateObject(node, BgpSessionStateObject.PeerLabelValue(session.PeerAddress), session.Vrf, session.BgpState,
                BfdStatus(session.BfdState));
            objects.TryAdd((state.Kind.Kind, state.Key), state);
        }
        foreach (var service in observation.Services)
        {
            if (service.Peers.Count == 0)
            {
                continue;
            }
            var status = new ServiceBgpStatusObject(node, service.Namespace, service.Name, service.Peers.Distinct().Order(StringComparer.Ordinal).ToArray());
            objects.TryAdd((status.Kind.Kind, status.Key), status);
        }
        foreach (var service in observation.Layer2)
        {
            var status = new ServiceL2StatusObject(node, service.Namespace, service.Name, service.Interfaces);
            objects.TryAdd((status.Kind.Kind, status.Key), status);
        }
        return [.. objects.Values];
    }

    /// <summary>
    /// FRR's BFD peer status as FRR-K8s copies it: <c>Up</c> or <c>Down</c>, <c>N/A</c> without BFD.
    /// Init and AdminDown are not up, so they read Down.
    /// </summary>
    public static string BfdStatus(string? state) => state switch
    {
        null => BgpSessionStateObject.NoBfd,
        "Up" => "Up",
        _ => "Down",
    };

    /// <summary>
    /// The writes from <paramref name="existing"/> to <paramref name="desired"/>: deletes first (an
    /// object no longer wanted, a duplicate of one identity, one whose labels identify nothing), then
    /// creates and status updates in key order. Of duplicates the one first by name is kept.
    /// </summary>
    public static IReadOnlyList<NodeStatusWrite> Writes(IReadOnlyList<NodeStatusObject> desired, IReadOnlyList<ExistingNodeStatus> existing)
    {
        var deletes = new List<NodeStatusWrite>();
        var kept = new Dictionary<(NodeStatusKind, string), ExistingNodeStatus>();
        foreach (var item in existing.OrderBy(e => e.Kind.Plural, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            if (item.Key is null || !kept.TryAdd((item.Kind, item.Key), item))
            {
                deletes.Add(new DeleteNodeStatus(item.Kind, item.Name));
            }
        }
        var wanted = desired.Select(d => (d.Kind, d.Key)).ToHashSet();
        foreach (var ((kind, key), item) in kept.OrderBy(p => p.Value.Name, StringComparer.Ordinal))
        {
            if (!wanted.Contains((kind, key)))
            {
                deletes.Add(new DeleteNodeStatus(kind, item.Name));
            }
        }
        var writes = deletes;
        foreach (var d in desired)
        {
            if (!kept.TryGetValue((d.Kind, d.Key), out var item))
            {
                writes.Add(new CreateNodeStatus(d));
            }
            else if (!Equals(item.Status, d))
            {
                writes.Add(new SetNodeStatus(item.Name, d));
            }
        }
        return writes;
    }

    /// <summary>
    /// The speaker's ConfigurationState, as upstream names and labels it: <c>speaker-NODE</c>,
    /// <c>metallb.io/component-type: speaker</c>, <c>metallb.io/node-name: NODE</c>. Null before the
    /// first configuration was read.
    /// </summary>
    public static SetConfigurationState? ConfigurationState(string @namespace, string node, ConfigurationOutcome? outcome, NodeOwner? owner)
    {
        if (outcome is null)
        {
            return null;
        }
        return new SetConfigurationState(@namespace, "speaker-" + node,
            new Dictionary<string, string>
            {
                [SetConfigurationState.ComponentLabel] = "speaker",
                [SetConfigurationState.NodeLabel] = node,
            },
            outcome.Valid, outcome.Valid ? "" : ClusterController.Summary(outcome.Errors))
        {
            Owner = owner,
        };
    }
}
