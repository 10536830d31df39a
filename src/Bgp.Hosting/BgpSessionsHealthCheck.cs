using BgpKit.Bfd;
using BgpKit.Bgp.Fsm;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BgpKit.Bgp.Hosting;

/// <summary>
/// The speaker's sessions as a health check: Healthy when every peer is Established (and its BFD session Up where
/// one is configured), Degraded when some are, the registration's failure status (Unhealthy) when none is. The data
/// has one entry per peer, its address to its state ("Established", "Active", "Established, BFD Down", ...).
/// </summary>
internal sealed class BgpSessionsHealthCheck(BgpSpeaker speaker, BgpSpeakerService service) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = speaker.GetStatuses();
        if (statuses.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no BGP peers configured"));
        }
        var data = new Dictionary<string, object>();
        var up = 0;
        foreach (var status in statuses.OrderBy(s => s.Address.ToString(), StringComparer.Ordinal))
        {
            var bfd = service.BfdOf(status.Address);
            var established = status.State == SessionState.Established;
            var pathUp = bfd is null || bfd.State == BfdState.Up;
            up += established && pathUp ? 1 : 0;
            data[status.Address.ToString()] = bfd is null ? status.State.ToString() : $"{status.State}, BFD {bfd.State}";
        }
        var description = $"{up} of {statuses.Count} BGP peers up";
        var result = up == statuses.Count ? HealthCheckResult.Healthy(description, data)
            : up > 0 ? HealthCheckResult.Degraded(description, data: data)
            : new HealthCheckResult(context.Registration.FailureStatus, description, data: data);
        return Task.FromResult(result);
    }
}
