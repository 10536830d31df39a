using System.CommandLine;
using BgpKit.Cli.Speaker;
using BgpKit.MetalLb.Kubernetes;

namespace BgpKit.Cli;

/// <summary>
/// <c>bgpkit speaker</c>: MetalLB's speaker on BgpKit. Runs the BGP and BFD sessions that the
/// manifests plan for one node, follows manifest changes, serves status and metrics; stops
/// gracefully on SIGTERM/SIGINT.
/// </summary>
internal static class SpeakerCommand
{
    public static Command Create() => Create(RunHostAsync);

    // For testing: run receives the options the command line gave instead of starting a host.
    internal static Command Create(Func<ParseResult, SpeakerHostOptions, Microsoft.Extensions.Logging.LogLevel, CancellationToken, Task<int>> run)
    {
        var config = new Option<string[]>("--config")
        {
            Description = "manifest file or directory (repeatable); watched for changes",
            AllowMultipleArgumentsPerToken = true,
        };
        var api = new KubernetesFlags(withConfig: true);
        var node = new Option<string>("--node") { Description = "the node to run as", Required = true };
        var bgpListen = new Option<string>("--bgp-listen")
        {
            Description = "where routers may connect: ADDR:PORT or none",
            DefaultValueFactory = _ => "[::]:179",
        };
        var status = new Option<string>("--status")
        {
            Description = "status and /metrics endpoint: ADDR:PORT or none",
            DefaultValueFactory = _ => "127.0.0.1:7473",
        };
        var noKernelRoutes = new Option<bool>("--no-kernel-routes")
        {
            Description = "do not install routes received under an FRRConfiguration's toReceive into the kernel routing table",
        };
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "directory for state kept across restarts (graceful restart); default none: every start is cold",
        };
        var logLevel = new Option<string>("--log-level")
        {
            Description = "all, debug, info, warn, error or none",
            DefaultValueFactory = _ => "info",
        };
        var noLayer2 = new Option<bool>("--no-layer2") { Description = "do not answer ARP/NDP for layer 2 Services (L2Advertisement)" };
        var l2LeaseDuration = new Option<string>("--l2-lease-duration")
        {
            Description = "with --api-server: how long this speaker's Lease holds without renewal; its layer 2 addresses move about this long after it dies",
            DefaultValueFactory = _ => "5s",
            HelpName = "D",
        };
        var l2RenewInterval = new Option<string>("--l2-renew-interval")
        {
            Description = "how often the speaker renews its Lease and re-elects layer 2 owners (at most a third of --l2-lease-duration)",
            DefaultValueFactory = _ => "1s",
            HelpName = "D",
        };
        var command = new Command("speaker", "Run MetalLB's speaker (BGP and layer 2) for one node on BgpKit") { config };
        api.AddTo(command);
        foreach (var option in new Option[] { node, bgpListen, status, noKernelRoutes, stateDir, logLevel, noLayer2, l2LeaseDuration, l2RenewInterval })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            SpeakerHostOptions options;
            Microsoft.Extensions.Logging.LogLevel level;
            try
            {
                level = ConsoleLogging.Parse(parse.GetValue(logLevel)!);
                options = new SpeakerHostOptions
                {
                    Node = parse.GetValue(node)!,
                    ConfigPaths = parse.GetValue(config) ?? [],
                    KubernetesApi = api.Read(parse),
                    BgpListen = EndPoints.Parse(parse.GetValue(bgpListen)!, "--bgp-listen"),
                    StatusEndPoint = EndPoints.Parse(parse.GetValue(status)!, "--status"),
                    InstallReceivedRoutes = !parse.GetValue(noKernelRoutes),
                    StateDirectory = parse.GetValue(stateDir) is { Length: > 0 } dir ? dir : null,
                    Layer2 = !parse.GetValue(noLayer2),
                    Layer2LeaseDuration = Durations.Parse(parse.GetValue(l2LeaseDuration)!, "--l2-lease-duration"),
                    Layer2RenewInterval = Durations.Parse(parse.GetValue(l2RenewInterval)!, "--l2-renew-interval"),
                };
                if (options.Layer2RenewInterval <= TimeSpan.Zero || options.Layer2LeaseDuration < 3 * options.Layer2RenewInterval)
                {
                    throw new FormatException($"--l2-lease-duration ({options.Layer2LeaseDuration.TotalSeconds} s) must be at least three --l2-renew-interval ({options.Layer2RenewInterval.TotalSeconds} s)");
                }
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("bgpkit speaker: " + e.Message).ConfigureAwait(false);
                return 2;
            }
            return await run(parse, options, level, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunHostAsync(ParseResult parse, SpeakerHostOptions options, Microsoft.Extensions.Logging.LogLevel level, CancellationToken cancellationToken)
    {
        using var loggers = ConsoleLogging.Create(level);
        // OTLP beside /metrics, only when OTEL_* asks for it; disposing flushes the last export.
        using var otlp = OtlpMetrics.Start("bgpkit-speaker", Environment.GetEnvironmentVariables());
        await using var host = new SpeakerHost(options with { LoggerFactory = loggers });
        // SIGTERM and SIGINT stop gracefully: Cease to every peer, BFD AdminDown.
        return await UntilSignal.RunAsync(parse, "speaker", host.RunAsync, cancellationToken).ConfigureAwait(false);
    }
}
