using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using k8s;
using k8s.Autorest;

namespace BgpKit.MetalLb.Kubernetes.NodeStatus;

/// <summary>
/// <see cref="INodeStatusWriter"/> with KubernetesClient's typed calls: a GET of the Node, custom
/// object LIST with a label selector, POST without status then a JSON merge patch of <c>/status</c>
/// (the server drops status on create for these CRDs), DELETE. The ConfigurationState goes through
/// <see cref="KubernetesClusterWriter"/>, the controller's writer of the same object.
/// </summary>
internal sealed class KubernetesNodeStatusWriter : INodeStatusWriter
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly KubernetesClusterWriter _clusterWriter;

    public KubernetesNodeStatusWriter(IKubernetes client, string @namespace, TimeProvider time, string instance)
    {
        _client = client;
        _namespace = @namespace;
        _clusterWriter = new KubernetesClusterWriter(client, time, instance);
    }

    public Task<NodeOwner> ReadNodeAsync(string node, CancellationToken cancellationToken) =>
        Call($"GET nodes {node}", async () =>
        {
            var read = await _client.CoreV1.ReadNodeAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new NodeOwner(node, read.Metadata.Uid);
        });

    public Task<IReadOnlyList<ExistingNodeStatus>> ListAsync(NodeStatusKind kind, string node, CancellationToken cancellationToken) =>
        Call($"LIST {kind.Plural} {_namespace}", async () =>
        {
            var list = await _client.CustomObjects.ListNamespacedCustomObjectAsync(kind.Group, kind.Version, _namespace, kind.Plural,
                labelSelector: kind.NodeLabel + "=" + node, cancellationToken: cancellationToken).ConfigureAwait(false);
            var items = (ToJson(list)?["items"] as JsonArray) ?? [];
            return (IReadOnlyList<ExistingNodeStatus>)items.OfType<JsonObject>().Select(item => Read(kind, item)).ToArray();
        });

    public Task<string> CreateAsync(NodeStatusObject desired, NodeOwner owner, CancellationToken cancellationToken) =>
        Call($"POST {desired.Kind.Plural} {_namespace} ({desired.Key})", async () =>
        {
            var body = new JsonObject
            {
                ["apiVersion"] = desired.Kind.ApiVersion,
                ["kind"] = desired.Kind.Kind,
                ["metadata"] = new JsonObject
                {
                    ["generateName"] = desired.GenerateName,
                    ["namespace"] = _namespace,
                    ["labels"] = Labels(desired),
                    ["ownerReferences"] = new JsonArray(KubernetesClusterWriter.OwnerReference(owner)),
                },
            };
            var created = await _client.CustomObjects.CreateNamespacedCustomObjectAsync(body, desired.Kind.Group, desired.Kind.Version, _namespace, desired.Kind.Plural,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return ToJson(created)?["metadata"]?["name"]?.GetValue<string>()
                ?? throw new KubernetesApiException(0, $"POST {desired.Kind.Plural}: the server's answer names no object");
        });

    public Task SetStatusAsync(string name, NodeStatusObject desired, CancellationToken cancellationToken) =>
        Call($"PATCH {desired.Kind.Plural}/status {_namespace}/{name}", async () =>
        {
            // A merge patch replaces status.peers whole, as the desired list is whole.
            var patch = KubernetesClusterWriter.MergePatch(new JsonObject { ["status"] = desired.Status() });
            await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, desired.Kind.Group, desired.Kind.Version, _namespace, desired.Kind.Plural, name,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task DeleteAsync(NodeStatusKind kind, string name, CancellationToken cancellationToken) =>
        Call($"DELETE {kind.Plural} {_namespace}/{name}", async () =>
        {
            try
            {
                await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(kind.Group, kind.Version, _namespace, kind.Plural, name,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Gone already (the garbage collector, or an operator): what we wanted.
            }
            return true;
        });

    public Task WriteAsync(SetConfigurationState state, CancellationToken cancellationToken) => _clusterWriter.WriteAsync(state, cancellationToken);

    /// <summary>A listed object in the planner's terms: identity from its labels, status read back.</summary>
    internal static ExistingNodeStatus Read(NodeStatusKind kind, JsonObject item)
    {
        var name = item["metadata"]?["name"]?.GetValue<string>() ?? "";
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (item["metadata"]?["labels"] is JsonObject l)
        {
            foreach (var (key, value) in l)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var text))
                {
                    labels[key] = text;
                }
            }
        }
        var status = item["status"] as JsonObject;
        if (kind == NodeStatusKind.ServiceBgpStatus)
        {
            var key = ServiceBgpStatusObject.KeyOf(labels);
            ServiceBgpStatusObject? read = null;
            if (Text(status, "node") is { } node && Text(status, "serviceName") is { } service && Text(status, "serviceNamespace") is { } ns)
            {
                var peers = (status!["peers"] as JsonArray)?.Select(p => p?.GetValue<string>()).OfType<string>().ToArray() ?? [];
                read = new ServiceBgpStatusObject(node, ns, service, peers);
            }
            return new ExistingNodeStatus(kind, name, key, read);
        }
        if (kind == NodeStatusKind.ServiceL2Status)
        {
            ServiceL2StatusObject? read = null;
            if (Text(status, "node") is { } node && Text(status, "serviceName") is { } service && Text(status, "serviceNamespace") is { } ns)
            {
                var interfaces = (status!["interfaces"] as JsonArray)?.Select(i => Text(i as JsonObject, "name")).OfType<string>().ToArray() ?? [];
                read = new ServiceL2StatusObject(node, ns, service, interfaces);
            }
            return new ExistingNodeStatus(kind, name, ServiceBgpStatusObject.KeyOf(labels), read);
        }
        var sessionKey = BgpSessionStateObject.KeyOf(labels);
        BgpSessionStateObject? session = null;
        if (Text(status, "node") is { } n && Text(status, "peer") is { } peer && Text(status, "bgpStatus") is { } bgp && Text(status, "bfdStatus") is { } bfd)
        {
            session = new BgpSessionStateObject(n, peer, Text(status, "vrf") ?? "", bgp, bfd);
        }
        return new ExistingNodeStatus(kind, name, sessionKey, session);
    }

    private static string? Text(JsonObject? o, string field) => o?[field] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    private static JsonObject Labels(NodeStatusObject desired)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in desired.Labels())
        {
            labels[key] = value;
        }
        return labels;
    }

    private static JsonNode? ToJson(object? result) => result switch
    {
        null => null,
        JsonElement e => JsonNode.Parse(e.GetRawText()),
        JsonNode n => n,
        // The client's own options (its source-generated context first): reflection-based serialization is off in the
        // NativeAOT bgpkit.
        _ => JsonNode.Parse(KubernetesJson.Serialize(result)),
    };

    private static async Task<T> Call<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw KubernetesClusterWriter.Refused(e, what);
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesApiException(0, $"{what}: {e.Message}");
        }
    }
}
