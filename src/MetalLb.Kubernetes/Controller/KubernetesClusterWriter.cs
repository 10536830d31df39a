using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes.Controller;

/// <summary>
/// Writes with KubernetesClient's typed calls: JSON merge patches of <c>services/status</c>, of a
/// Service's annotations and of <c>ipaddresspools/status</c>; core/v1 Events; ConfigurationStates
/// created without status (the API server drops it on create), then given it through <c>/status</c>.
/// A Service patch carries the write's <see cref="ServiceWrite.ResourceVersion"/> as
/// <c>metadata.resourceVersion</c>, which the API server checks as a precondition (409 when stale).
/// </summary>
internal sealed class KubernetesClusterWriter : IClusterWriter
{
    private const string Component = "metallb-controller";

    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly string _instance;
    private long _eventSequence;

    public KubernetesClusterWriter(IKubernetes client, TimeProvider time, string instance)
    {
        _client = client;
        _time = time;
        _instance = instance;
    }

    public async Task<string?> WriteAsync(ClusterWrite write, CancellationToken cancellationToken)
    {
        try
        {
            switch (write)
            {
                case SetServiceIngress s:
                    return (await PatchServiceStatusAsync(s, cancellationToken).ConfigureAwait(false)).Metadata?.ResourceVersion;
                case SetAllocatedPool s:
                    return (await PatchAnnotationAsync(s, cancellationToken).ConfigureAwait(false)).Metadata?.ResourceVersion;
                case ServiceEvent e:
                    await CreateEventAsync(e, cancellationToken).ConfigureAwait(false);
                    return null;
                case SetPoolStatus p:
                    await PatchPoolStatusAsync(p, cancellationToken).ConfigureAwait(false);
                    return null;
                case SetConfigurationState c:
                    await ApplyConfigurationStateAsync(c, cancellationToken).ConfigureAwait(false);
                    return null;
                default:
                    throw new ArgumentException($"unknown write {write.GetType().Name}", nameof(write));
            }
        }
        catch (HttpOperationException e)
        {
            throw Refused(e, Describe(write));
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesApiException(0, $"{Describe(write)}: {e.Message}");
        }
    }

    public async Task<string?> ReadServiceVersionAsync(ServiceRef service, CancellationToken cancellationToken)
    {
        try
        {
            var read = await _client.CoreV1.ReadNamespacedServiceAsync(service.Name, service.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return read.Metadata?.ResourceVersion;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw KubernetesApiClient.Refused("GET", $"services {service.Key}", e.Response.StatusCode, e.Response.ReasonPhrase, e.Response.Content);
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesApiException(0, $"GET services {service.Key}: {e.Message}");
        }
    }

    private Task<V1Service> PatchServiceStatusAsync(SetServiceIngress s, CancellationToken cancellationToken)
    {
        // A merge patch replaces the ingress list whole; null removes it.
        JsonNode? ingress = s.Addresses.Count == 0 ? null : new JsonArray(s.Addresses.Select(a => (JsonNode)new JsonObject { ["ip"] = a }).ToArray());
        var patch = new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = ingress } } };
        return _client.CoreV1.PatchNamespacedServiceStatusAsync(MergePatch(Conditional(patch, s)), s.Service.Name, s.Service.Namespace, cancellationToken: cancellationToken);
    }

    private Task<V1Service> PatchAnnotationAsync(SetAllocatedPool s, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [ObservedCluster.AllocatedFromPool] = s.Pool } },
        };
        return _client.CoreV1.PatchNamespacedServiceAsync(MergePatch(Conditional(patch, s)), s.Service.Name, s.Service.Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Adds the write's resourceVersion to the patch: a patch that sets <c>metadata.resourceVersion</c> makes it a
    /// precondition, and the server answers 409 Conflict rather than retrying the patch on the newer object.
    /// </summary>
    internal static JsonObject Conditional(JsonObject patch, ServiceWrite write)
    {
        if (write.ResourceVersion is { } version)
        {
            if (patch["metadata"] is not JsonObject metadata)
            {
                metadata = new JsonObject();
                patch["metadata"] = metadata;
            }
            metadata["resourceVersion"] = version;
        }
        return patch;
    }

    private Task CreateEventAsync(ServiceEvent e, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        // client-go names Events <object>.<unique hex>; the sequence keeps two in one tick apart.
        var suffix = (now.Ticks + Interlocked.Increment(ref _eventSequence)).ToString("x", CultureInfo.InvariantCulture);
        var body = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = e.Service.Name + "." + suffix, NamespaceProperty = e.Service.Namespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = "Service",
                Name = e.Service.Name,
                NamespaceProperty = e.Service.Namespace,
                Uid = e.Service.Uid,
            },
            Type = e.Type,
            Reason = e.Reason,
            Message = e.Message,
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            ReportingInstance = _instance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        return _client.CoreV1.CreateNamespacedEventAsync(body, e.Service.Namespace, cancellationToken: cancellationToken);
    }

    private Task PatchPoolStatusAsync(SetPoolStatus p, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["assignedIPv4"] = p.Counts.AssignedIPv4,
                ["assignedIPv6"] = p.Counts.AssignedIPv6,
                ["availableIPv4"] = p.Counts.AvailableIPv4,
                ["availableIPv6"] = p.Counts.AvailableIPv6,
            },
        };
        return _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(MergePatch(patch), "metallb.io", "v1beta1", p.Namespace, "ipaddresspools", p.Name,
            cancellationToken: cancellationToken);
    }

    private async Task ApplyConfigurationStateAsync(SetConfigurationState c, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["result"] = c.Valid ? "Valid" : "Invalid",
            ["errorSummary"] = c.Valid ? null : c.ErrorSummary,
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Valid",
                ["status"] = c.Valid ? "True" : "False",
                ["reason"] = c.Valid ? "ConfigurationValid" : "ConfigurationError",
                ["message"] = c.Valid ? "the configuration is valid and in force" : c.ErrorSummary,
                ["lastTransitionTime"] = now,
            }),
        };
        var patch = MergePatch(new JsonObject { ["status"] = status });
        try
        {
            await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, "metallb.io", "v1beta1", c.Namespace, "configurationstates", c.Name,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
        var labels = new JsonObject();
        foreach (var (key, value) in c.Labels)
        {
            labels[key] = value;
        }
        var body = new JsonObject
        {
            ["apiVersion"] = "metallb.io/v1beta1",
            ["kind"] = "ConfigurationState",
            ["metadata"] = new JsonObject { ["name"] = c.Name, ["namespace"] = c.Namespace, ["labels"] = labels },
        };
        if (c.Owner is { } owner)
        {
            body["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference(owner));
        }
        try
        {
            await _client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "metallb.io", "v1beta1", c.Namespace, "configurationstates",
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Created meanwhile by another writer: patching its status is all that is left.
        }
        await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, "metallb.io", "v1beta1", c.Namespace, "configurationstates", c.Name,
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An owner reference to a Node, as the garbage collector reads it.</summary>
    internal static JsonObject OwnerReference(NodeOwner owner) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["name"] = owner.Name,
        ["uid"] = owner.Uid,
    };

    /// <summary>The server's refusal in one line, as the reflector words it: status code and the metav1.Status message.</summary>
    internal static KubernetesApiException Refused(HttpOperationException e, string what)
    {
        var space = what.IndexOf(' ', StringComparison.Ordinal);
        return KubernetesApiClient.Refused(what[..space], what[(space + 1)..], e.Response.StatusCode, e.Response.ReasonPhrase, e.Response.Content);
    }

    internal static V1Patch MergePatch(JsonObject patch) => new(patch.ToJsonString(), V1Patch.PatchType.MergePatch);

    internal static string Describe(ClusterWrite write) => write switch
    {
        SetServiceIngress s => $"PATCH services/status {s.Service.Key}",
        SetAllocatedPool s => $"PATCH services {s.Service.Key} (annotation {ObservedCluster.AllocatedFromPool})",
        ServiceEvent e => $"POST events {e.Service.Namespace} ({e.Reason} on {e.Service.Key})",
        SetPoolStatus p => $"PATCH ipaddresspools/status {p.Namespace}/{p.Name}",
        SetConfigurationState c => $"PATCH configurationstates/status {c.Namespace}/{c.Name}",
        _ => write.GetType().Name,
    };
}
