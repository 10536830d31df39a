using System.Diagnostics.Metrics;
using BgpKit.Bfd;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// In the DI namespace, as Microsoft.Extensions' own Add* methods are, so that `services.AddBgpSpeaker()` needs no using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a BgpKit BGP speaker and BFD endpoint in a Microsoft.Extensions.Hosting application.</summary>
public static class BgpKitServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="BgpSpeaker"/> as a singleton (logs and meters from the container's <see cref="ILoggerFactory"/>
    /// and <see cref="IMeterFactory"/>, time from its <see cref="TimeProvider"/> if one is registered) and a hosted
    /// service that adds the configured peers and announcements when the host starts and sends them Cease
    /// "Administrative Shutdown" when it stops. <see cref="BgpSpeakerSettings"/> are validated when the host starts:
    /// a bad value stops the start with an <see cref="OptionsValidationException"/> naming it.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the settings in code (or bind them: <c>AddBgpSpeaker().BindConfiguration("Bgp")</c>).</param>
    /// <returns>The settings' options builder, for <c>BindConfiguration</c>, <c>Configure</c> or more validation.</returns>
    public static OptionsBuilder<BgpSpeakerSettings> AddBgpSpeaker(this IServiceCollection services, Action<BgpSpeakerSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<BgpSpeakerSettings>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        if (services.Any(d => d.ServiceType == typeof(BgpSpeakerService)))
        {
            return builder;
        }
        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<BgpSpeakerSettings>, BgpSpeakerSettingsValidator>();
        services.AddSingleton(sp => new BgpSpeaker(sp.GetRequiredService<IOptions<BgpSpeakerSettings>>().Value
            .ToSpeakerOptions(sp.GetService<ILoggerFactory>(), sp.GetService<IMeterFactory>(), sp.GetService<TimeProvider>())));
        services.AddSingleton<BgpSpeakerService>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BgpSpeakerService>());
        return builder;
    }

    /// <summary>
    /// Registers a <see cref="BfdEndpoint"/> singleton (RFC 5880/5881 on the well-known ports, logs and meters from
    /// the container) for peers configured with <see cref="BgpPeerSettings.Bfd"/> and for sessions of your own.
    /// <see cref="BfdSettings"/> are validated when the host starts.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the settings in code (or bind them: <c>AddBfd().BindConfiguration("Bfd")</c>).</param>
    /// <returns>The settings' options builder.</returns>
    public static OptionsBuilder<BfdSettings> AddBfd(this IServiceCollection services, Action<BfdSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<BfdSettings>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        if (services.Any(d => d.ServiceType == typeof(BfdEndpoint)))
        {
            return builder;
        }
        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<BfdSettings>, BfdSettingsValidator>();
        services.AddSingleton(sp => new BfdEndpoint(sp.GetService<ILoggerFactory>(), sp.GetService<IMeterFactory>(),
            sp.GetRequiredService<IOptions<BfdSettings>>().Value.ListenOnAnyAddress));
        return builder;
    }

    /// <summary>
    /// Adds a health check over the speaker's sessions (needs <see cref="AddBgpSpeaker"/>): Healthy when every peer is
    /// Established and, where configured, its BFD session Up; Degraded when some are; <paramref name="failureStatus"/>
    /// (default Unhealthy) when none is. The result's data maps each peer's address to its state.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status when no peer is up (null: Unhealthy).</param>
    /// <param name="tags">Tags to filter checks by (for example "ready").</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddBgpSessions(this IHealthChecksBuilder builder, string name = "bgp", Diagnostics.HealthChecks.HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new Diagnostics.HealthChecks.HealthCheckRegistration(name,
            sp => new BgpSessionsHealthCheck(sp.GetRequiredService<BgpSpeaker>(), sp.GetRequiredService<BgpSpeakerService>()), failureStatus, tags));
    }
}
