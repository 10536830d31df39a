using System.CommandLine;
using BgpKit.MetalLb.Kubernetes;

namespace BgpKit.Cli.Speaker;

/// <summary>
/// The flags that say where the API server is and how to authenticate, shared by
/// <c>bgpkit speaker</c> and <c>bgpkit controller</c>: <c>--api-server URL</c>,
/// <c>--kubeconfig [PATH] [--context NAME]</c>, <c>--in-cluster</c>, the overrides
/// <c>--token-file</c>, <c>--ca-file</c>, <c>--insecure-skip-tls-verify</c>, and <c>--namespace</c>.
/// </summary>
internal sealed class KubernetesFlags
{
    private readonly bool _withConfig;

    public KubernetesFlags(bool withConfig) => _withConfig = withConfig;

    public Option<string?> ApiServer { get; } = new("--api-server") { Description = "the Kubernetes API server's URL (list and watch)", HelpName = "URL" };

    public Option<bool> InCluster { get; } = new("--in-cluster") { Description = "the API server of the pod this runs in (service-account token and CA)" };

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig")
    {
        Description = "a kubeconfig's API server; without PATH, as kubectl: $KUBECONFIG, then ~/.kube/config "
            + "(users with token, tokenFile, client certificate, exec plugin or oidc)",
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "PATH",
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "the kubeconfig context to use (default: its current-context); implies --kubeconfig",
        HelpName = "NAME",
    };

    public Option<string?> TokenFile { get; } = new("--token-file") { Description = "bearer token file (replaces the kubeconfig user's token, exec plugin or oidc)" };

    public Option<string?> CaFile { get; } = new("--ca-file") { Description = "CA bundle (PEM) that signed the API server's certificate (replaces the kubeconfig's)" };

    public Option<bool> Insecure { get; } = new("--insecure-skip-tls-verify") { Description = "accept any API server certificate (testing only)" };

    public Option<string> Namespace { get; } = new("--namespace")
    {
        Description = "MetalLB's namespace on the API server (a kubeconfig context's namespace is not used)",
        DefaultValueFactory = _ => "metallb-system",
        HelpName = "NS",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { ApiServer, Kubeconfig, Context, InCluster, TokenFile, CaFile, Insecure, Namespace })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The API server the flags name, or null when none does (the speaker then reads <c>--config</c>).</summary>
    /// <exception cref="FormatException">Not exactly one source, or a malformed URL.</exception>
    public KubernetesApiOptions? Read(ParseResult parse)
    {
        var url = parse.GetValue(ApiServer);
        Uri? server = null;
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out server) || server.Scheme is not ("https" or "http")))
        {
            throw new FormatException($"--api-server: '{url}' is not an http(s) URL");
        }
        var pod = parse.GetValue(InCluster);
        var useKubeconfig = parse.GetResult(Kubeconfig) is not null || parse.GetValue(Context) is not null;
        var config = _withConfig && (parse.GetValue<string[]>("--config")?.Length ?? 0) > 0;
        var sources = (server is null ? 0 : 1) + (pod ? 1 : 0) + (useKubeconfig ? 1 : 0) + (config ? 1 : 0);
        if (sources != 1)
        {
            throw new FormatException(_withConfig
                ? "give exactly one of --config PATH..., --api-server URL, --kubeconfig [PATH] or --in-cluster"
                : "give exactly one of --api-server URL, --kubeconfig [PATH] or --in-cluster");
        }
        if (server is null && !pod && !useKubeconfig)
        {
            return null;
        }
        var options = pod ? KubernetesApiOptions.InCluster()
            : useKubeconfig ? KubernetesApiOptions.FromKubeconfig(parse.GetValue(Kubeconfig), parse.GetValue(Context))
            : new KubernetesApiOptions { Server = server! };
        options = options with
        {
            // Flags win over the kubeconfig, as kubectl's --token and --certificate-authority do.
            TokenFile = parse.GetValue(TokenFile) ?? options.TokenFile,
            CaFile = parse.GetValue(CaFile) ?? options.CaFile,
            InsecureSkipTlsVerify = parse.GetValue(Insecure) || options.InsecureSkipTlsVerify,
            Namespace = parse.GetValue(Namespace)!,
        };
        // Reads --ca-file now, so that a bad one stops the command with one line instead of failing every request.
        _ = options.ToClientConfiguration();
        return options;
    }
}
