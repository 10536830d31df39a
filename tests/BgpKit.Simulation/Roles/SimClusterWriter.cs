using System.Globalization;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.Simulation.Api;

namespace BgpKit.Simulation.Roles;

/// <summary>
/// The controller's writes against the simulated store, as KubernetesClusterWriter sends them (merge patches of
/// services/status, of the pool annotation and of ipaddresspools/status; Events; ConfigurationState), completing
/// synchronously, a Service patch carrying the write's resourceVersion as a precondition. Faults: a write can be
/// refused with 409 or 500. Every write the store accepts is shown to <see cref="Written"/> just before it lands, so
/// invariants can check who wrote it and from which snapshot (and never judge a write the server refused).
/// </summary>
internal sealed class SimClusterWriter : IClusterWriter
{
    private readonly SimApiServer _server;
    private readonly Func<ClusterWrite, int?> _fault;

    public SimClusterWriter(SimApiServer server, Func<ClusterWrite, int?> fault)
    {
        _server = server;
        _fault = fault;
    }

    public event Action<ClusterWrite>? Written;

    public Task<string?> WriteAsync(ClusterWrite write, CancellationToken cancellationToken)
    {
        if (_fault(write) is { } status)
        {
            return Task.FromException<string?>(new KubernetesApiException(status, $"{status} injected on {write.GetType().Name}"));
        }
        try
        {
            Apply(write);
        }
        catch (KubernetesApiException e)
        {
            return Task.FromException<string?>(e);
        }
        return Task.FromResult(write is ServiceWrite w ? _server.VersionOf("Service/" + w.Service.Key).ToString(CultureInfo.InvariantCulture) : null);
    }

    public Task<string?> ReadServiceVersionAsync(ServiceRef service, CancellationToken cancellationToken)
    {
        var key = "Service/" + service.Key;
        try
        {
            _server.Admit("GET", key, null);
        }
        catch (KubernetesApiException e) when (e.StatusCode == 404)
        {
            return Task.FromResult<string?>(null);
        }
        catch (KubernetesApiException e)
        {
            return Task.FromException<string?>(e);
        }
        return Task.FromResult<string?>(_server.VersionOf(key).ToString(CultureInfo.InvariantCulture));
    }

    private void Apply(ClusterWrite write)
    {
        switch (write)
        {
            case SetServiceIngress s:
                _server.Admit("PATCH status", "Service/" + s.Service.Key, s.ResourceVersion);
                Written?.Invoke(write);
                _server.PatchStatus("Service/" + s.Service.Key, status =>
                {
                    var lb = status["loadBalancer"] as JsonObject ?? new JsonObject();
                    status["loadBalancer"] = lb;
                    if (s.Addresses.Count == 0)
                    {
                        lb.Remove("ingress");
                    }
                    else
                    {
                        lb["ingress"] = new JsonArray(s.Addresses.Select(a => (JsonNode)new JsonObject { ["ip"] = a }).ToArray());
                    }
                }, s.ResourceVersion);
                break;
            case SetAllocatedPool p:
                _server.Admit("PATCH", "Service/" + p.Service.Key, p.ResourceVersion);
                Written?.Invoke(write);
                _server.PatchAnnotation("Service/" + p.Service.Key, ObservedCluster.AllocatedFromPool, p.Pool, p.ResourceVersion);
                break;
            case SetPoolStatus p:
                Written?.Invoke(write);
                _server.PatchStatus($"IPAddressPool/{p.Namespace}/{p.Name}", status =>
                {
                    status["assignedIPv4"] = p.Counts.AssignedIPv4;
                    status["assignedIPv6"] = p.Counts.AssignedIPv6;
                    status["availableIPv4"] = p.Counts.AvailableIPv4;
                    status["availableIPv6"] = p.Counts.AvailableIPv6;
                });
                break;
            case SetConfigurationState c:
                Written?.Invoke(write);
                var key = $"ConfigurationState/{c.Namespace}/{c.Name}";
                if (_server.Get(key) is null)
                {
                    _server.Create(new JsonObject
                    {
                        ["apiVersion"] = "metallb.io/v1beta1",
                        ["kind"] = "ConfigurationState",
                        ["metadata"] = new JsonObject { ["name"] = c.Name, ["namespace"] = c.Namespace },
                    });
                }
                _server.PatchStatus(key, status =>
                {
                    status["result"] = c.Valid ? "Valid" : "Invalid";
                    status["errorSummary"] = c.Valid ? null : c.ErrorSummary;
                });
                break;
            case ServiceEvent:
                Written?.Invoke(write); // Events are not read back by anyone here.
                break;
            default:
                throw new ArgumentException($"unknown write {write.GetType().Name}", nameof(write));
        }
    }
}
