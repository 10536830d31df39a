using System.CommandLine;
using System.Runtime.InteropServices;
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
        var apiServer = new Option<string?>("--api-server") { Description = "read MetalLB's resources from this Kubernetes API server instead (list and watch)" };
        var inCluster = new Option<bool>("--in-cluster") { Description = "read them from the API server of the pod this runs in (service-account token and CA)" };
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "read them from a kubeconfig's API server; without PATH, as kubectl: $KUBECONFIG, then ~/.kube/config "
                + "(users with token, tokenFile, client certificate, exec plugin or oidc)",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "PATH",
        };
        var kubeContext = new Option<string?>("--context")
        {
            Description = "the kubeconfig context to use (default: its current-context); implies --kubeconfig",
            HelpName = "NAME",
        };
        var tokenFile = new Option<string?>("--token-file") { Description = "bearer token file (replaces the kubeconfig user's token, exec plugin or oidc)" };
        var caFile = new Option<string?>("--ca-file") { Description = "CA bundle (PEM) that signed the API server's certificate (replaces the kubeconfig's)" };
        var insecure = new Option<bool>("--insecure-skip-tls-verify") { Description = "accept any API server certificate (testing only)" };
        var writeStatus = new Option<bool>("--write-service-status")
        {
            Description = "also write each Service's addresses to its status, as MetalLB's controller does (one instance only)",
        };
        var metallbNamespace = new Option<string>("--namespace")
        {
            Description = "namespace of MetalLB's resources on the API server (a kubeconfig context's namespace is not used)",
            DefaultValueFactory = _ => "metallb-system",
        };
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
        var logLevel = new Option<string>("--log-level")
        {
            Description = "all, debug, info, warn, error or none",
            DefaultValueFactory = _ => "info",
        };
        var command = new Command("speaker", "Run MetalLB's BGP speaker for one node on BgpKit") 
        {
            config, apiServer, inCluster, kubeconfig, kubeContext, tokenFile, caFile, insecure, metallbNamespace, writeStatus, node, bgpListen, status, logLevel,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            SpeakerHostOptions options;
            Microsoft.Extensions.Logging.LogLevel level;
            try
            {
                level = ConsoleLogging.Parse(parse.GetValue(logLevel)!);
                var useKubeconfig = parse.GetResult(kubeconfig) is not null || parse.GetValue(kubeContext) is not null;
                if (parse.GetValue(writeStatus) && parse.GetValue(apiServer) is null && !parse.GetValue(inCluster) && !useKubeconfig)
                {
                    throw new FormatException("--write-service-status needs --api-server, --kubeconfig or --in-cluster");
                }
                options = new SpeakerHostOptions
                {
                    Node = parse.GetValue(node)!,
                    ConfigPaths = parse.GetValue(config) ?? [],
                    KubernetesApi = KubernetesApi(parse, apiServer, inCluster, useKubeconfig ? (parse.GetValue(kubeconfig), parse.GetValue(kubeContext)) : null,
                        tokenFile, caFile, insecure, metallbNamespace),
                    WriteServiceStatus = parse.GetValue(writeStatus),
                    BgpListen = EndPoints.Parse(parse.GetValue(bgpListen)!, "--bgp-listen"),
                    StatusEndPoint = EndPoints.Parse(parse.GetValue(status)!, "--status"),
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
        await using var host = new SpeakerHost(options with { LoggerFactory = loggers });
        // SIGTERM (Kubernetes, systemd) and SIGINT (Ctrl+C) stop gracefully: Cease to every peer, BFD AdminDown.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
        try
        {
            await host.RunAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.HttpListenerException or System.Net.Sockets.SocketException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("bgpkit speaker: cannot listen: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        return 0;
    }

    private static KubernetesApiOptions? KubernetesApi(ParseResult parse, Option<string?> apiServer, Option<bool> inCluster,
        (string? Path, string? Context)? kubeconfig, Option<string?> tokenFile, Option<string?> caFile, Option<bool> insecure, Option<string> metallbNamespace)
    {
        var url = parse.GetValue(apiServer);
        Uri? server = null;
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out server) || server.Scheme is not ("https" or "http")))
        {
            throw new FormatException($"--api-server: '{url}' is not an http(s) URL");
        }
        var pod = parse.GetValue(inCluster);
        var sources = (server is null ? 0 : 1) + (pod ? 1 : 0) + (kubeconfig is null ? 0 : 1) + ((parse.GetValue<string[]>("--config")?.Length ?? 0) > 0 ? 1 : 0);
        if (sources != 1)
        {
            throw new FormatException("give exactly one of --config PATH..., --api-server URL, --kubeconfig [PATH] or --in-cluster");
        }
        if (server is null && !pod && kubeconfig is null)
        {
            return null;
        }
        var options = pod ? KubernetesApiOptions.InCluster()
            : kubeconfig is { } k ? KubernetesApiOptions.FromKubeconfig(k.Path, k.Context)
            : new KubernetesApiOptions { Server = server! };
        options = options with
        {
            // Flags win over the kubeconfig, as kubectl's --token and --certificate-authority do.
            TokenFile = parse.GetValue(tokenFile) ?? options.TokenFile,
            CaFile = parse.GetValue(caFile) ?? options.CaFile,
            InsecureSkipTlsVerify = parse.GetValue(insecure) || options.InsecureSkipTlsVerify,
            Namespace = parse.GetValue(metallbNamespace)!,
        };
        // Reads --ca-file now, so that a bad one stops the command with one line instead of failing every request.
        _ = options.ToClientConfiguration();
        return options;
    }
}
