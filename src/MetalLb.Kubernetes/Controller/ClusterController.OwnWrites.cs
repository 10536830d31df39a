using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// The controller trusts its own accepted writes over a watch that has not shown them yet. A Service write is
/// conditional, so when the server accepts it the object held exactly the version the write named and now holds the
/// version the server returned. A snapshot that still shows a version some write of ours superseded is older than
/// that write: the pass plans from the Service as written instead (status, pool annotation, version). Without this, a
/// lagging watch showed a Service's old address, which the allocation kept, and gave its new one to another Service
/// (found by tests/BgpKit.Simulation, seeds 2494, 2885). A snapshot showing any other version has caught up with the
/// write or passed it (a replica's watch never goes back), and the entry is forgotten.
/// </summary>
internal sealed partial class ClusterController
{
    private readonly Dictionary<string, OwnWrite> _ownWrites = new(StringComparer.Ordinal);

    /// <summary>Remembers an accepted Service write (a conditional one that changed the object).</summary>
    private void Remember(ServiceWrite write, string? version)
    {
        if (write.ResourceVersion is not { } before || version is null || version == before)
        {
            return; // Unconditional (nothing to compare with), or a write that changed nothing.
        }
        if (!_ownWrites.TryGetValue(write.Service.Key, out var own))
        {
            own = new OwnWrite();
            _ownWrites[write.Service.Key] = own;
        }
        own.Superseded.Add(before);
        own.Version = version;
        switch (write)
        {
            case SetServiceIngress s:
                own.Ingress = s.Addresses;
                break;
            case SetAllocatedPool p:
                own.PoolWritten = true;
                own.Pool = p.Pool;
                break;
        }
    }

    /// <summary><paramref name="snapshot"/> with each Service it shows older than our own write to it replaced by that write's result.</summary>
    internal ResourceSnapshot WithOwnWrites(ResourceSnapshot snapshot)
    {
        if (_ownWrites.Count == 0)
        {
            return snapshot;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var documents = new List<ManifestDocument>(snapshot.Documents.Count);
        var replaced = false;
        foreach (var document in snapshot.Documents)
        {
            if (!document.Origin.StartsWith("Service/", StringComparison.Ordinal) || !_ownWrites.TryGetValue(document.Origin["Service/".Length..], out var own))
            {
                documents.Add(document);
                continue;
            }
            var key = document.Origin["Service/".Length..];
            seen.Add(key);
            if (JsonNode.Parse(document.Text) is not JsonObject obj || obj["metadata"] is not JsonObject metadata
                || metadata["resourceVersion"]?.GetValue<string>() is not { } version || !own.Superseded.Contains(version))
            {
                _ownWrites.Remove(key); // The watch shows our write, or something after it.
                documents.Add(document);
                continue;
            }
            metadata["resourceVersion"] = own.Version;
            if (own.Ingress is { } ingress)
            {
                var status = obj["status"] as JsonObject ?? new JsonObject();
                obj["status"] = status;
                var loadBalancer = status["loadBalancer"] as JsonObject ?? new JsonObject();
                status["loadBalancer"] = loadBalancer;
                if (ingress.Count == 0)
                {
                    loadBalancer.Remove("ingress");
                }
                else
                {
                    loadBalancer["ingress"] = new JsonArray(ingress.Select(a => (JsonNode)new JsonObject { ["ip"] = a }).ToArray());
                }
            }
            if (own.PoolWritten)
            {
                var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
                metadata["annotations"] = annotations;
                if (own.Pool is null)
                {
                    annotations.Remove(ObservedCluster.AllocatedFromPool);
                }
                else
                {
                    annotations[ObservedCluster.AllocatedFromPool] = own.Pool;
                }
            }
            documents.Add(document with { Text = obj.ToJsonString() });
            replaced = true;
        }
        foreach (var key in _ownWrites.Keys.Where(k => !seen.Contains(k)).ToArray())
        {
            _ownWrites.Remove(key); // Deleted, or not yet listed after a relist: the snapshot knows better.
        }
        return replaced ? new ResourceSnapshot(snapshot.Source, documents, snapshot.Failures) : snapshot;
    }

    /// <summary>What this replica last wrote to one Service, and the versions that write made stale.</summary>
    private sealed class OwnWrite
    {
        public HashSet<string> Superseded { get; } = new(StringComparer.Ordinal);

        public string Version { get; set; } = "";

        /// <summary>The ingress written (null: the status was not written).</summary>
        public IReadOnlyList<string>? Ingress { get; set; }

        public bool PoolWritten { get; set; }

        public string? Pool { get; set; }
    }
}
