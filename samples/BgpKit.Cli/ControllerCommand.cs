using System.CommandLine;
using BgpKit.Cli.Speaker;
using BgpKit.MetalLb.Kubernetes;

namespace BgpKit.Cli;

/// <summary>
/// <c>bgpkit controller</c>: MetalLB's controller on BgpKit. Allocates every LoadBalancer
/// Service's addresses for the whole cluster and writes them (status, annotation, Events, pool
/// status); replicas elect a leader on the Lease <c>bgpkit-controller</c>. Stops on SIGTERM/SIGINT
/// and releases the Lease.
/// </summary>
internal static class ControllerCommand
{
    public static Command Create() => Create(RunHostAsync);

    // For testing: run receives the options the command line gave instead of starting a host.
    internal static Command Create(Func<ParseResult, ControllerHostOptions, Microsoft.Extensions.Logging.LogLevel, CancellationToken, Task<int>> run)
    {
        var api = new KubernetesFlags(withConfig: false);
        var identity = new Option<string?>("--identity")
        {
            Description = "this replica's name in the Lease (default: $POD_NAME, then the host name)",
            HelpName = "NAME",
        };
        var metrics = new Option<string>("--metrics-listen")
        {
            Description = "where to serve /metrics and /v1/controller: ADDR:PORT or none",
            DefaultValueFactory = _ => "127.0.0.1:7472",
            HelpName = "ADDR:PORT",
        };
        var leaseDuration = new Option<string>("--lease-duration")
        {
            Description = "how long the Lease holds without renewal (seconds, or 15s, 1m)",
            DefaultValueFactory = _ => "15s",
            HelpName = "D",
        };
        var renewDeadline = new Option<string>("--renew-deadline")
        {
            Description = "how long the leader keeps writing without a successful renewal",
            DefaultValueFactory = _ => "10s",
            HelpName = "D",
        };
        var retryPeriod = new Option<string>("--retry-period")
        {
            Description = "how often the Lease is renewed or tried",
            DefaultValueFactory = _ => "2s",
            HelpName = "D",
        };
        var webhookListen = new Option<string>("--webhook-listen")
        {
            Description = "serve MetalLB's validating admission webhooks and the BGPPeer conversion webhook over HTTPS here (the webhook Service's targetPort): ADDR:PORT or none",
            DefaultValueFactory = _ => "none",
            HelpName = "ADDR:PORT",
        };
        var webhookSecret = new Option<string>("--webhook-secret")
        {
            Description = "the Secret that holds the webhook's CA and serving certificate (made by the controller when empty)",
            DefaultValueFactory = _ => "bgpkit-webhook-cert",
            HelpName = "NAME",
        };
        var webhookService = new Option<string>("--webhook-service")
        {
            Description = "the Service the API server calls for the webhooks (the certificate names NAME.NS.svc)",
            DefaultValueFactory = _ => "bgpkit-webhook-service",
            HelpName = "NAME",
        };
        var webhookConfiguration = new Option<string>("--webhook-configuration")
        {
            Description = "the ValidatingWebhookConfiguration whose caBundles the controller keeps current",
            DefaultValueFactory = _ => "bgpkit-webhook-configuration",
            HelpName = "NAME",
        };
        var certManager = new Option<bool>("--cert-manager")
        {
            Description = "cert-manager issues the webhook certificate into --webhook-secret and injects the caBundles: only read the Secret",
        };
        var logLevel = new Option<string>("--log-level")
        {
            Description = "all, debug, info, warn, error or none",
            DefaultValueFactory = _ => "info",
        };
        var command = new Command("controller", "Run MetalLB's controller on BgpKit: one allocation for the whole cluster, leader-elected");
        api.AddTo(command);
        command.Options.Add(identity);
        command.Options.Add(metrics);
        command.Options.Add(leaseDuration);
        command.Options.Add(renewDeadline);
        command.Options.Add(retryPeriod);
        command.Options.Add(webhookListen);
        command.Options.Add(webhookSecret);
        command.Options.Add(webhookService);
        command.Options.Add(webhookConfiguration);
        command.Options.Add(certManager);
        command.Options.Add(logLevel);
        command.SetAction(async (parse, cancellationToken) =>
        {
            ControllerHostOptions options;
            Microsoft.Extensions.Logging.LogLevel level;
            try
            {
                level = ConsoleLogging.Parse(parse.GetValue(logLevel)!);
                var timing = new LeaderElectionTiming
                {
                    LeaseDuration = Durations.Parse(parse.GetValue(leaseDuration)!, "--lease-duration"),
                    RenewDeadline = Durations.Parse(parse.GetValue(renewDeadline)!, "--renew-deadline"),
                    RetryPeriod = Durations.Parse(parse.GetValue(retryPeriod)!, "--retry-period"),
                };
                try
                {
                    timing.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new FormatException(e.Message);
                }
                options = new ControllerHostOptions
                {
                    KubernetesApi = api.Read(parse) ?? throw new FormatException("give exactly one of --api-server URL, --kubeconfig [PATH] or --in-cluster"),
                    Identity = parse.GetValue(identity) is { Length: > 0 } name ? name : ControllerHostOptions.DefaultIdentity(),
                    MetricsEndPoint = EndPoints.Parse(parse.GetValue(metrics)!, "--metrics-listen"),
                    LeaderElection = timing,
                    Webhook = EndPoints.Parse(parse.GetValue(webhookListen)!, "--webhook-listen") is { } webhook
                        ? new WebhookOptions
                        {
                            EndPoint = webhook,
                            SecretName = parse.GetValue(webhookSecret)!,
                            ServiceName = parse.GetValue(webhookService)!,
                            ConfigurationName = parse.GetValue(webhookConfiguration)!,
                            ManageCertificates = !parse.GetValue(certManager),
                        }
                        : null,
                };
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("bgpkit controller: " + e.Message).ConfigureAwait(false);
                return 2;
            }
            return await run(parse, options, level, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunHostAsync(ParseResult parse, ControllerHostOptions options, Microsoft.Extensions.Logging.LogLevel level, CancellationToken cancellationToken)
    {
        using var loggers = ConsoleLogging.Create(level);
        // OTLP beside /metrics, only when OTEL_* asks for it; disposing flushes the last export.
        using var otlp = OtlpMetrics.Start("bgpkit-controller", Environment.GetEnvironmentVariables());
        await using var host = new ControllerHost(options with { LoggerFactory = loggers });
        // SIGTERM and SIGINT stop gracefully: the Lease is released so the other replica takes over at once.
        return await UntilSignal.RunAsync(parse, "controller", host.RunAsync, cancellationToken).ConfigureAwait(false);
    }
}
