using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Status;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// MetalLB's controller role on top of any source: after the reconcile loop has applied a valid
/// snapshot, every Service whose allocated addresses differ from its
/// <c>status.loadBalancer.ingress</c> gets them written back. Every speaker then keeps the same
/// addresses (the allocator keeps a Service's ingress addresses), and <c>kubectl get svc</c> shows
/// them. Only one instance should publish, as MetalLB runs a single controller.
/// </summary>
internal sealed partial class ServiceStatusPublisher : IResourceSource
{
    private readonly IResourceSource _inner;
    private readonly Func<ConfigView> _config;
    private readonly KubernetesApiClient _client;
    private readonly ILogger _logger;

    public ServiceStatusPublisher(IResourceSource inner, Func<ConfigView> config, KubernetesApiClient client, ILogger logger)
    {
        _inner = inner;
        _config = config;
        _client = client;
        _logger = logger;
    }

    public string Description => _inner.Description;

    public async IAsyncEnumerable<ResourceSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var snapshot in _inner.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return snapshot;
            // The consumer asks for the next snapshot only once it has applied this one.
            if (_config() is { LastChange.Valid: true, InForce: { } inForce })
            {
                await PublishAsync(snapshot, inForce.Services, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Patches the Services whose ingress in <paramref name="snapshot"/> differs from their allocation.</summary>
    internal async Task PublishAsync(ResourceSnapshot snapshot, IReadOnlyList<ServiceView> services, CancellationToken cancellationToken)
    {
        var written = Ingress(snapshot);
        foreach (var service in services)
        {
            // A Service that got no address keeps whatever it has: clearing it would move traffic
            // away on a configuration mistake that the next valid change may undo.
            if (service.Addresses.Count == 0)
            {
                continue;
            }
            var key = service.Namespace + "/" + service.Name;
            if (written.TryGetValue(key, out var current) && current.Order(StringComparer.Ordinal).SequenceEqual(service.Addresses.Order(StringComparer.Ordinal)))
            {
                continue;
            }
            try
            {
                await _client.PatchServiceIngressAsync(service.Namespace, service.Name, service.Addresses, cancellationToken).ConfigureAwait(false);
                LogPublished(_logger, key, string.Join(", ", service.Addresses));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The next snapshot (the Service's own MODIFIED event, or any change) tries again.
                LogFailed(_logger, key, e.Message);
            }
        }
    }

    private static Dictionary<string, List<string>> Ingress(ResourceSnapshot snapshot)
    {
        var ingress = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var document in snapshot.Documents.Where(d => d.Origin.StartsWith("Service/", StringComparison.Ordinal)))
        {
            try
            {
                var addresses = (JsonNode.Parse(document.Text)?["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? [])
                    .Select(entry => entry?["ip"]?.GetValue<string>())
                    .OfType<string>()
                    .ToList();
                ingress[document.Origin["Service/".Length..]] = addresses;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // Left out: the Service is then written, which repairs it.
            }
        }
        return ingress;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Service}: status.loadBalancer.ingress set to {Addresses}")]
    private static partial void LogPublished(ILogger logger, string service, string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Service}: writing its status failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string service, string reason);
}
