using System.Text;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

public sealed class KubeconfigTests : IDisposable
{
    private const string Token = "kubeconfig-token-0b7e5f9c";

    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-kubeconfig-").FullName;
    private readonly TestPki _pki = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public void Dispose()
    {
        _pki.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private KubernetesApiOptions Load(string? path, string? context = null) =>
        Kubeconfig.Load(path, context, name => _environment.GetValueOrDefault(name));

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private const string TwoContexts = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://203.0.113.10:6443
            certificate-authority: pki/ca.crt
        - name: prod-cluster
          cluster:
            server: https://198.51.100.20:6443
            insecure-skip-tls-verify: true
            tls-server-name: kubernetes.default.svc
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: kube-system
        - name: prod
          context:
            cluster: prod-cluster
            user: prod-user
        users:
        - name: dev-user
          user:
            tokenFile: ../secrets/token
        - name: prod-user
          user:
            token: kubeconfig-token-0b7e5f9c
        """;

    private string WriteTwoContexts()
    {
        Write("kube/pki/ca.crt", _pki.CaPem);
        Write("secrets/token", Token);
        return Write("kube/config", TwoContexts);
    }

    [Fact]
    public void The_current_context_gives_the_server_and_paths_relative_to_the_kubeconfig()
    {
        var config = WriteTwoContexts();

        var options = Load(config);

        Assert.Equal(new Uri("https://203.0.113.10:6443"), options.Server);
        Assert.Equal(Path.Combine(_dir, "kube", "pki", "ca.crt"), options.CaFile);
        Assert.Equal(Path.Combine(_dir, "secrets", "token"), options.TokenFile);
        Assert.Null(options.Token);
        Assert.Null(options.ClientCertificate);
        Assert.False(options.InsecureSkipTlsVerify);
        // The context's namespace is where kubectl works, not where MetalLB keeps its resources.
        Assert.Equal("metallb-system", options.Namespace);
        Assert.Equal($"https://203.0.113.10:6443 (kubeconfig {config}, context dev; namespace metallb-system)", options.Describe());
    }

    [Fact]
    public void A_named_context_wins_over_the_current_context()
    {
        var options = Load(WriteTwoContexts(), "prod");

        Assert.Equal(new Uri("https://198.51.100.20:6443"), options.Server);
        Assert.Equal(Token, options.Token);
        Assert.Null(options.TokenFile);
        Assert.True(options.InsecureSkipTlsVerify);
        Assert.Equal("kubernetes.default.svc", options.TlsServerName);
    }

    [Theory]
    [InlineData("staging", null, "context \"staging\" is not in contexts (contexts: dev, prod)")]
    [InlineData("dev", "cluster: dev-cluster", "context \"dev\" (line 17), field cluster: cluster \"gone\" is not in clusters (clusters: dev-cluster, prod-cluster)")]
    [InlineData("dev", "user: dev-user", "context \"dev\" (line 18), field user: user \"gone\" is not in users (users: dev-user, prod-user)")]
    [InlineData("prod", "server: https://198.51.100.20:6443", "cluster \"prod-cluster\" (line 9), field server: expected a non-empty string, the field is missing")]
    [InlineData("prod", "server: https://198.51.100.20:6443", "cluster \"prod-cluster\" (line 11), field server: expected an http(s) URL, got \"ftp://x\"", "server: ftp://x")]
    [InlineData("dev", "certificate-authority: pki/ca.crt", "cluster \"dev-cluster\" (line 8), field certificate-authority: the file {dir}/kube/pki/missing.crt does not exist", "certificate-authority: pki/missing.crt")]
    public void A_missing_or_malformed_entry_names_the_file_the_entry_and_the_field(string context, string? replace, string expected, string? with = null)
    {
        var text = TwoContexts;
        if (replace is not null)
        {
            var replacement = with ?? replace.Split(':')[0] + (replace.StartsWith("server", StringComparison.Ordinal) ? "-moved: x" : ": gone");
            text = text.Replace(replace, replacement, StringComparison.Ordinal);
        }
        Write("kube/pki/ca.crt", _pki.CaPem);
        var config = Write("kube/config", text);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config, context));

        Assert.Equal($"kubeconfig {config}" + (expected.StartsWith("context \"staging\"", StringComparison.Ordinal) ? ": " : ", ")
            + expected.Replace("{dir}", _dir, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void No_context_at_all_is_a_clear_error()
    {
        var config = Write("config", TwoContexts.Replace("current-context: dev", "", StringComparison.Ordinal));

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.Equal($"kubeconfig {config}: no context was named and current-context is not set (contexts: dev, prod)", e.Message);
    }

    [Fact]
    public void Data_forms_carry_the_ca_and_a_client_certificate_with_its_key()
    {
        var client = _pki.IssueClient("CN=bgpkit-speaker, O=metallb");
        var config = Write("config", $$"""
            current-context: c
            clusters:
            - name: k
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: {{Base64(_pki.CaPem)}}
                certificate-authority: ignored-when-data-is-given.crt
            contexts:
            - name: c
              context: {cluster: k, user: u}
            users:
            - name: u
              user:
                client-certificate-data: {{Base64(client.ExportCertificatePem())}}
                client-key-data: {{Base64(TestPki.KeyPem(client))}}
            """);

        var options = Load(config);

        Assert.Equal(_pki.CaPem.Trim(), options.CaPem?.Trim());
        Assert.Null(options.CaFile);
        Assert.NotNull(options.ClientCertificate);
        Assert.True(options.ClientCertificate.HasPrivateKey);
        Assert.Equal(client.Thumbprint, options.ClientCertificate.Thumbprint);
    }

    [Fact]
    public void File_forms_of_the_client_certificate_are_relative_to_the_kubeconfig()
    {
        var client = _pki.IssueClient("CN=bgpkit-speaker");
        Write("kube/certs/client.crt", client.ExportCertificatePem());
        Write("kube/certs/client.key", TestPki.KeyPem(client));
        var config = Write("kube/config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {client-certificate: certs/client.crt, client-key: certs/client.key}}]
            """);

        var options = Load(config);

        Assert.Equal(client.Thumbprint, options.ClientCertificate?.Thumbprint);
        Assert.True(options.ClientCertificate!.HasPrivateKey);
    }

    [Fact]
    public void An_exec_user_is_refused_with_the_file_the_user_and_the_field()
    {
        var config = Write("config", """
            current-context: eks
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: eks, context: {cluster: k, user: aws}}]
            users:
            - name: aws
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws
                  args: [eks, get-token, --cluster-name, prod]
            """);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.Equal($"kubeconfig {config}, user \"aws\" (line 8), field exec: exec credential plugins (aws) are not supported; "
            + "use token, tokenFile or client-certificate/client-key, or run kubectl proxy and --api-server", e.Message);
    }

    [Fact]
    public void An_auth_provider_user_is_refused()
    {
        var config = Write("config", """
            current-context: gke
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: gke, context: {cluster: k, user: g}}]
            users: [{name: g, user: {auth-provider: {name: gcp, config: {access-token: secret-access-token}}}}]
            """);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.StartsWith($"kubeconfig {config}, user \"g\" (line 4), field auth-provider: auth-provider plugins are not supported", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-access-token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubeconfig_files_merge_as_kubectl_merges_them_and_missing_ones_are_skipped()
    {
        Write("b/ca.crt", _pki.CaPem);
        Write("b/token", Token);
        var first = Write("a/config", """
            current-context: from-b
            clusters: [{name: shared, cluster: {server: "https://192.0.2.1:6443"}}]
            users: [{name: u, user: {token: first-file-wins}}]
            """);
        var second = Write("b/config", """
            current-context: ignored
            clusters:
            - {name: shared, cluster: {server: "https://192.0.2.2:6443"}}
            - {name: own, cluster: {server: "https://192.0.2.3:6443", certificate-authority: ca.crt}}
            contexts:
            - {name: from-b, context: {cluster: shared, user: u}}
            - {name: own, context: {cluster: own, user: v}}
            users:
            - {name: u, user: {token: second}}
            - {name: v, user: {tokenFile: token}}
            """);
        _environment["KUBECONFIG"] = string.Join(Path.PathSeparator, first, Path.Combine(_dir, "missing"), second);

        var merged = Load(null);
        var own = Load(null, "own");

        Assert.Equal(new Uri("https://192.0.2.1:6443"), merged.Server);
        Assert.Equal("first-file-wins", merged.Token);
        Assert.Equal($"https://192.0.2.1:6443 (kubeconfig {second}, context from-b; namespace metallb-system)", merged.Describe());
        // Paths are relative to the file that holds the entry, not to the first file.
        Assert.Equal(Path.Combine(_dir, "b", "ca.crt"), own.CaFile);
        Assert.Equal(Path.Combine(_dir, "b", "token"), own.TokenFile);
    }

    [Fact]
    public void Without_a_path_or_KUBECONFIG_the_home_kube_config_is_read()
    {
        Write("home/.kube/config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:8001"}}]
            contexts: [{name: c, context: {cluster: k}}]
            """);
        _environment["HOME"] = Path.Combine(_dir, "home");

        Assert.Equal(new Uri("http://127.0.0.1:8001"), Load(null).Server);

        _environment["HOME"] = Path.Combine(_dir, "nobody");
        var e = Assert.Throws<InvalidOperationException>(() => Load(null));
        Assert.Equal($"kubeconfig: no file was given, KUBECONFIG is not set and {Path.Combine(_dir, "nobody", ".kube", "config")} does not exist", e.Message);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_the_line()
    {
        var config = Write("config", "current-context: c\nclusters:\n  - name: k\n     cluster: x\n    bad: indentation\n");
        var unclosed = Write("unclosed", "current-context: c\nclusters:\n  - name: k\n    cluster: {server: [unclosed\nusers: []\n");

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));
        var u = Assert.Throws<InvalidOperationException>(() => Load(unclosed));

        Assert.StartsWith($"kubeconfig {config}: not valid YAML at line 4, column ", e.Message, StringComparison.Ordinal);
        Assert.Equal($"kubeconfig {unclosed}: not valid YAML: an unterminated [ ] or {{ }} collection or quoted string", u.Message);
    }

    [Fact]
    public void A_section_of_the_wrong_shape_names_the_file_and_the_field()
    {
        var config = Write("config", "current-context: c\nclusters:\n  k: {server: x}\n");

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.Equal($"kubeconfig {config}: line 3: field clusters: expected a list of {{name, cluster}}", e.Message);
    }

    [Fact]
    public void A_bad_or_unmatched_client_key_is_refused_without_showing_it()
    {
        var client = _pki.IssueClient("CN=a");
        var other = _pki.IssueClient("CN=b");
        string Config(string keyData) => Write("config", $$$"""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {client-certificate-data: {{{Base64(client.ExportCertificatePem())}}}, client-key-data: {{{keyData}}}}}]
            """);

        var notBase64 = Assert.Throws<InvalidOperationException>(() => Load(Config("not*base64*secret")));
        var mismatched = Assert.Throws<InvalidOperationException>(() => Load(Config(Base64(TestPki.KeyPem(other)))));

        Assert.EndsWith("user \"u\" (line 4), field client-key-data: expected base64 (its value is not shown)", notBase64.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", notBase64.Message, StringComparison.Ordinal);
        Assert.EndsWith("field client-key-data: expected a PEM private key (PKCS#8, PKCS#1 or EC) that matches client-certificate-data (its value is not shown)",
            mismatched.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", mismatched.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_without_its_key_is_refused()
    {
        var client = _pki.IssueClient("CN=a");
        Write("client.crt", client.ExportCertificatePem());
        var config = Write("config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {client-certificate: client.crt}}]
            """);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.Equal($"kubeconfig {config}, user \"u\" (line 4), field client-key: client-certificate is given without client-key or client-key-data: both are needed", e.Message);
    }

    [Fact]
    public void Secrets_never_reach_ToString()
    {
        var client = _pki.IssueClient("CN=bgpkit-speaker");
        var keyPem = TestPki.KeyPem(client);
        var config = Write("config", $$$"""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {token: {{{Token}}}, client-certificate-data: {{{Base64(client.ExportCertificatePem())}}}, client-key-data: {{{Base64(keyPem)}}}}}]
            """);
        var options = Load(config);
        var keyBody = keyPem.Split('\n')[1];

        var printed = new[]
        {
            options.ToString(),
            new SpeakerHostOptions { Node = "n", KubernetesApi = options }.ToString(),
            options.Describe(),
        };

        Assert.Equal(Token, options.Token);
        foreach (var text in printed)
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(keyBody, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Base64(keyPem)[..40], text, StringComparison.Ordinal);
        }
        Assert.Contains("Token = (hidden)", printed[0], StringComparison.Ordinal);
        Assert.Contains("ClientCertificate = CN=bgpkit-speaker (private key hidden)", printed[0], StringComparison.Ordinal);
    }
}
