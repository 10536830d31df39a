using System.CommandLine;
using System.Text;
using BgpKit.Cli;
using BgpKit.MetalLb.Kubernetes;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>What <c>bgpkit speaker --kubeconfig</c> turns a kubeconfig and the other flags into, without starting a host.</summary>
public sealed class SpeakerKubeconfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-cli-kubeconfig-").FullName;
    private readonly TestPki _pki = new();
    private readonly string _config;

    public SpeakerKubeconfigTests()
    {
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), _pki.CaPem);
        var client = _pki.IssueClient("CN=bgpkit-speaker");
        _config = Path.Combine(_dir, "config");
        File.WriteAllText(_config, $$$"""
            current-context: lab
            clusters:
            - {name: lab, cluster: {server: "https://192.0.2.10:6443", certificate-authority: ca.crt}}
            - {name: edge, cluster: {server: "https://192.0.2.20:6443", insecure-skip-tls-verify: true,
                                     certificate-authority-data: {{{Convert.ToBase64String(Encoding.UTF8.GetBytes(_pki.CaPem))}}}}}
            contexts:
            - {name: lab, context: {cluster: lab, user: cert, namespace: kube-system}}
            - {name: edge, context: {cluster: edge, user: token}}
            - {name: eks, context: {cluster: lab, user: aws}}
            users:
            - name: cert
              user:
                client-certificate-data: {{{Convert.ToBase64String(Encoding.UTF8.GetBytes(client.ExportCertificatePem()))}}}
                client-key-data: {{{Convert.ToBase64String(Encoding.UTF8.GetBytes(TestPki.KeyPem(client)))}}}
            - {name: token, user: {token: cli-test-token}}
            - name: aws
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bgpkit-test-no-such-plugin, args: [eks, get-token],
                       installHint: "install the AWS CLI"}
            """);
    }

    public void Dispose()
    {
        _pki.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(int Code, SpeakerHostOptions? Options, string Error)> Run(params string[] args)
    {
        SpeakerHostOptions? seen = null;
        var root = new RootCommand();
        root.Subcommands.Add(SpeakerCommand.Create((_, options, _, _) =>
        {
            seen = options;
            return Task.FromResult(0);
        }));
        var error = new StringWriter();
        var code = await root.Parse(["speaker", "--node", "n1", "--status", "none", .. args])
            .InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = error });
        return (code, seen, error.ToString());
    }

    [Fact]
    public async Task Received_routes_go_into_the_kernel_unless_no_kernel_routes_is_given()
    {
        var (code, options, error) = await Run("--config", _dir);
        Assert.True(code == 0, error);
        Assert.True(options!.InstallReceivedRoutes);
        (code, options, error) = await Run("--config", _dir, "--no-kernel-routes");
        Assert.True(code == 0, error);
        Assert.False(options!.InstallReceivedRoutes);
    }

    [Fact]
    public async Task The_current_context_gives_server_ca_and_client_certificate_and_metallb_keeps_its_namespace()
    {
        var (code, options, error) = await Run("--kubeconfig", _config);

        Assert.True(code == 0, error);
        var api = options!.KubernetesApi!;
        Assert.Empty(options.ConfigPaths);
        Assert.Equal(new Uri("https://192.0.2.10:6443"), api.Server);
        var client = api.ToClientConfiguration();
        Assert.Equal(_pki.Ca.Thumbprint, Assert.Single(client.SslCaCerts).Thumbprint);
        Assert.NotNull(client.ClientCertificateData);
        Assert.NotNull(client.ClientCertificateKeyData);
        Assert.Equal("metallb-system", api.Namespace);
    }

    [Fact]
    public async Task Context_namespace_and_flags_override_the_kubeconfig_as_kubectl_flags_do()
    {
        var token = Path.Combine(_dir, "flag.token");
        File.WriteAllText(token, "from-flag");

        var (code, options, error) = await Run("--context", "edge", "--kubeconfig", _config, "--namespace", "lb",
            "--ca-file", Path.Combine(_dir, "ca.crt"), "--token-file", token);

        Assert.True(code == 0, error);
        var api = options!.KubernetesApi!;
        Assert.Equal(new Uri("https://192.0.2.20:6443"), api.Server);
        Assert.Equal("lb", api.Namespace);
        Assert.Equal(Path.Combine(_dir, "ca.crt"), api.CaFile);
        Assert.Equal(token, api.TokenFile);
        var client = api.ToClientConfiguration();
        // --token-file replaces the kubeconfig user's token (the library re-reads the file); --ca-file its CA.
        Assert.IsType<k8s.Authentication.TokenFileAuth>(client.TokenProvider);
        Assert.Null(client.AccessToken);
        Assert.Equal(_pki.Ca.Thumbprint, Assert.Single(client.SslCaCerts).Thumbprint);
        // The kubeconfig's insecure-skip-tls-verify stays: an absent flag does not turn it off.
        Assert.True(client.SkipTlsVerify);
    }

    [Fact]
    public async Task An_exec_user_whose_plugin_is_missing_stops_the_command_with_the_file_the_user_and_the_field()
    {
        // exec plugins work now (KubernetesClient runs them); a missing one is still one clear line.
        var (code, options, error) = await Run("--kubeconfig", _config, "--context", "eks");

        Assert.Equal(2, code);
        Assert.Null(options);
        Assert.Equal($"bgpkit speaker: kubeconfig {_config}, user \"aws\", field exec.command: the plugin \"bgpkit-test-no-such-plugin\" is not found in PATH (install the AWS CLI)",
            error.TrimEnd());
    }

    [Fact]
    public async Task A_ca_file_without_certificates_stops_the_command_in_one_line()
    {
        var notPem = Path.Combine(_dir, "not-a-ca.crt");
        File.WriteAllText(notPem, "hello");

        var (code, options, error) = await Run("--api-server", "https://192.0.2.10:6443", "--ca-file", notPem);

        Assert.Equal(2, code);
        Assert.Null(options);
        Assert.Equal($"bgpkit speaker: CA file {notPem}: expected PEM CA certificates, found none", error.TrimEnd());
    }
}
