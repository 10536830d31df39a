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
        var command = new Command("speaker", "Run MetalLB's BGP speaker for one node on BgpKit") { config };
        api.AddTo(command);
        foreach (var option in new Option[] { node, bgpListen, status, noKernelRoutes, stateDir, logLevel })
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
                };
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
