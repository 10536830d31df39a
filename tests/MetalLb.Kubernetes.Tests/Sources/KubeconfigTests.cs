using System.Text;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.TestSupport;
using k8s;
using k8s.Authentication;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

/// <summary>
/// Kubeconfig files read through KubernetesClient: which files, how they merge, which context, and
/// the one-line errors that name the file, the entry and the field. What the options then give the
/// client is read back from <see cref="KubernetesApiOptions.ToClientConfiguration"/>.
/// </summary>
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
        KubeconfigContext.Load(path, context, name => _environment.GetValueOrDefault(name));

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
        var client = options.ToClientConfiguration();

        Assert.Equal(new Uri("https://203.0.113.10:6443"), options.Server);
        Assert.Equal("https://203.0.113.10:6443/", client.Host);
        Assert.Equal(_pki.Ca.Thumbprint, Assert.Single(client.SslCaCerts).Thumbprint);
        // tokenFile is client-go's field, not in KubernetesClient's model: read beside it, re-read by the library's TokenFileAuth.
        Assert.Equal(Path.Combine(_dir, "secrets", "token"), options.TokenFile);
        Assert.IsType<TokenFileAuth>(client.TokenProvider);
        Assert.Null(client.AccessToken);
        Assert.Null(client.ClientCertificateData);
        Assert.False(client.SkipTlsVerify);
        // The context's namespace is where kubectl works, not where MetalLB keeps its resources.
        Assert.Equal("metallb-system", options.Namespace);
        Assert.Equal($"https://203.0.113.10:6443 (kubeconfig {config}, context dev; namespace metallb-system)", options.Describe());
    }

    [Fact]
    public void A_named_context_wins_over_the_current_context()
    {
        var options = Load(WriteTwoContexts(), "prod");
        var client = options.ToClientConfiguration();

        Assert.Equal(new Uri("https://198.51.100.20:6443"), options.Server);
        Assert.Equal(Token, client.AccessToken);
        Assert.Null(options.TokenFile);
        Assert.True(client.SkipTlsVerify);
        Assert.Equal("kubernetes.default.svc", client.TlsServerName);
    }

    [Theory]
    [InlineData("staging", null, ": context \"staging\" is not in contexts (contexts: dev, prod)")]
    [InlineData("dev", "cluster: dev-cluster", ", context \"dev\", field cluster: cluster \"gone\" is not in clusters (clusters: dev-cluster, prod-cluster)")]
    [InlineData("dev", "user: dev-user", ", context \"dev\", field user: user \"gone\" is not in users (users: dev-user, prod-user)")]
    [InlineData("prod", "server: https://198.51.100.20:6443", ", cluster \"prod-cluster\", field server: expected an http(s) URL, the field is missing")]
    [InlineData("prod", "server: https://198.51.100.20:6443", ", cluster \"prod-cluster\", field server: expected an http(s) URL, got \"ftp://x\"", "server: ftp://x")]
    [InlineData("dev", "certificate-authority: pki/ca.crt", ", cluster \"dev-cluster\", field certificate-authority: the file {dir}/kube/pki/missing.crt does not exist", "certificate-authority: pki/missing.crt")]
    [InlineData("dev", "certificate-authority: pki/ca.crt", ", cluster \"dev-cluster\", field certificate-authority: expected a file holding PEM CA certificates, found no certificate", "certificate-authority: ../secrets/token")]
    [InlineData("dev", "tokenFile: ../secrets/token", ", user \"dev-user\", field tokenFile: the file {dir}/secrets/missing does not exist", "tokenFile: ../secrets/missing")]
    public void A_missing_or_malformed_entry_names_the_file_the_entry_and_the_field(string context, string? replace, string expected, string? with = null)
    {
        var text = TwoContexts;
        if (replace is not null)
        {
            var replacement = with ?? replace.Split(':')[0] + (replace.StartsWith("server", StringComparison.Ordinal) ? "-moved: x" : ": gone");
            text = text.Replace(replace, replacement, StringComparison.Ordinal);
        }
        Write("kube/pki/ca.crt", _pki.CaPem);
        Write("secrets/token", Token);
        var config = Write("kube/config", text);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config, context));

        Assert.Equal($"kubeconfig {config}" + expected.Replace("{dir}", _dir, StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain(Token, e.Message, StringComparison.Ordinal);
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

        var configuration = Load(config).ToClientConfiguration();

        Assert.Equal(_pki.Ca.Thumbprint, Assert.Single(configuration.SslCaCerts).Thumbprint);
        Assert.Equal(Base64(client.ExportCertificatePem()), configuration.ClientCertificateData);
        Assert.Equal(Base64(TestPki.KeyPem(client)), configuration.ClientCertificateKeyData);
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

        var configuration = Load(config).ToClientConfiguration();

        Assert.Equal(Path.Combine(_dir, "kube", "certs", "client.crt"), configuration.ClientCertificateFilePath);
        Assert.Equal(Path.Combine(_dir, "kube", "certs", "client.key"), configuration.ClientKeyFilePath);
    }

    [Fact]
    public void A_user_without_credentials_sends_none_as_kubectl_does()
    {
        var config = Write("config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:8001"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {}}]
            """);

        var configuration = Load(config).ToClientConfiguration();

        Assert.Null(configuration.AccessToken);
        Assert.Null(configuration.TokenProvider);
        Assert.Null(configuration.ClientCertificateData);
    }

    /// <summary>An exec plugin: a shell script that prints <paramref name="output"/> and exits with <paramref name="exitCode"/>.</summary>
    private string ExecKubeconfig(string output, int exitCode = 0, string apiVersion = "client.authentication.k8s.io/v1beta1")
    {
        var script = Write("bin/credential-plugin", $"#!/bin/sh\ncat <<'JSON'\n{output}\nJSON\nexit {exitCode}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return Write("kube/config", $$$"""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: c, context: {cluster: k, user: plugin}}]
            users:
            - name: plugin
              user:
                exec:
                  apiVersion: {{{apiVersion}}}
                  command: ../bin/credential-plugin
                  args: [get-token]
            """);
    }

    private static string Credential(string token, string apiVersion = "client.authentication.k8s.io/v1beta1") =>
        $$$"""{"apiVersion":"{{{apiVersion}}}","kind":"ExecCredential","status":{"token":"{{{token}}}"}}""";

    [Fact]
    public void An_exec_plugin_gives_the_token_it_prints()
    {
        var config = ExecKubeconfig(Credential(Token));

        var options = Load(config);
        var configuration = options.ToClientConfiguration();

        Assert.IsType<ExecTokenProvider>(configuration.TokenProvider);
        Assert.Equal(Token, configuration.AccessToken);
        Assert.Contains("Credentials = exec plugin", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_exec_plugin_that_fails_or_prints_no_credential_is_refused_without_its_output()
    {
        var plugin = Path.Combine(_dir, "bin", "credential-plugin");
        var where = $"kubeconfig {Path.Combine(_dir, "kube", "config")}, user \"plugin\", field exec: the plugin {plugin} ";

        var exited = Assert.Throws<InvalidOperationException>(() => Load(ExecKubeconfig("token " + Token, exitCode: 3)));
        var notJson = Assert.Throws<InvalidOperationException>(() => Load(ExecKubeconfig("token=" + Token)));
        var otherVersion = Assert.Throws<InvalidOperationException>(() => Load(ExecKubeconfig(Credential(Token, "client.authentication.k8s.io/v1"))));
        var noToken = Assert.Throws<InvalidOperationException>(() => Load(ExecKubeconfig("""{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{}}""")));

        Assert.Equal(where + "exited with code 3", exited.Message);
        Assert.Equal(where + "printed no ExecCredential (JSON, apiVersion client.authentication.k8s.io/v1beta1) that KubernetesClient could read (its output is not shown)", notJson.Message);
        Assert.Equal(where + "printed an ExecCredential of another apiVersion than client.authentication.k8s.io/v1beta1 (its output is not shown)", otherVersion.Message);
        Assert.Equal(where + "printed an ExecCredential without status.token or status.clientCertificateData (its output is not shown)", noToken.Message);
        foreach (var e in new[] { exited, notJson, otherVersion, noToken })
        {
            Assert.DoesNotContain(Token, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void An_exec_plugin_that_exits_non_zero_is_named_with_its_exit_code()
    {
        // No output at all: the library then fails to read it; the exit code says why.
        var config = ExecKubeconfig("", exitCode: 3);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.Equal($"kubeconfig {config}, user \"plugin\", field exec: the plugin {Path.Combine(_dir, "bin", "credential-plugin")} exited with code 3", e.Message);
    }

    [Theory]
    [InlineData("{command: bgpkit-no-such-plugin, apiVersion: client.authentication.k8s.io/v1beta1, installHint: 'install it from example.org'}",
        "field exec.command: the plugin \"bgpkit-no-such-plugin\" is not found in PATH (install it from example.org)")]
    [InlineData("{command: ./missing-plugin, apiVersion: client.authentication.k8s.io/v1beta1}", "field exec.command: the plugin {dir}/missing-plugin does not exist")]
    [InlineData("{command: aws}", "field exec.apiVersion: expected client.authentication.k8s.io/v1 or v1beta1, the field is missing")]
    [InlineData("{command: sh, apiVersion: client.authentication.k8s.io/v1, env: [{name: AWS_SECRET, valu: secret-env-value}]}", "field exec.env[0]: expected name and value")]
    public void A_malformed_exec_entry_names_the_field(string exec, string expected)
    {
        var config = Write("config", $"""
            current-context: eks
            clusters: [{"{"}name: k, cluster: {"{"}server: "https://127.0.0.1:6443"{"}"}{"}"}]
            contexts: [{"{"}name: eks, context: {"{"}cluster: k, user: aws{"}"}{"}"}]
            users: [{"{"}name: aws, user: {"{"}exec: {exec}{"}"}{"}"}]
            """);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.Equal($"kubeconfig {config}, user \"aws\", " + expected.Replace("{dir}", _dir, StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain("secret-env-value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_auth_provider_is_refused_with_the_plugin_to_use()
    {
        var config = Write("config", """
            current-context: gke
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: gke, context: {cluster: k, user: g}}]
            users: [{name: g, user: {auth-provider: {name: gcp, config: {access-token: secret-access-token}}}}]
            """);

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));

        Assert.Equal($"kubeconfig {config}, user \"g\", field auth-provider: the gcp auth-provider was removed from Kubernetes clients; use the gke-gcloud-auth-plugin exec plugin",
            e.Message);
        Assert.DoesNotContain("secret-access-token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oidc_user_gets_the_librarys_oidc_provider()
    {
        // A JWT whose payload says exp 2100-01-01, so no refresh is due.
        var idToken = "eyJhbGciOiJub25lIn0." + Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"exp":4102444800}""")).TrimEnd('=') + ".sig";
        var config = Write("config", $$$"""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: c, context: {cluster: k, user: o}}]
            users:
            - name: o
              user:
                auth-provider:
                  name: oidc
                  config: {client-id: speaker, idp-issuer-url: "https://idp.example", id-token: "{{{idToken}}}", refresh-token: refresh-secret}
            """);

        var options = Load(config);

        Assert.IsType<OidcTokenProvider>(options.ToClientConfiguration().TokenProvider);
        Assert.Contains("Credentials = OIDC", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("refresh-secret", options.ToString(), StringComparison.Ordinal);
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
        Assert.Equal("first-file-wins", merged.ToClientConfiguration().AccessToken);
        Assert.Equal($"https://192.0.2.1:6443 (kubeconfig {second}, context from-b; namespace metallb-system)", merged.Describe());
        // Paths are relative to the file that holds the entry, not to the first file.
        Assert.Equal(_pki.Ca.Thumbprint, Assert.Single(own.ToClientConfiguration().SslCaCerts).Thumbprint);
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

        var missing = Assert.Throws<InvalidOperationException>(() => Load(Path.Combine(_dir, "nothing-here")));
        Assert.Equal($"kubeconfig {Path.Combine(_dir, "nothing-here")}: the file does not exist", missing.Message);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_the_line()
    {
        var config = Write("config", "current-context: c\nclusters:\n  - name: k\n     cluster: x\n    bad: indentation\n");
        var unclosed = Write("unclosed", "current-context: c\nclusters:\n  - name: k\n    cluster: {server: [unclosed\nusers: []\n");
        var shape = Write("shape", "current-context: c\nclusters:\n  k: {server: x}\n");

        var e = Assert.Throws<InvalidOperationException>(() => Load(config));
        var u = Assert.Throws<InvalidOperationException>(() => Load(unclosed));
        var s = Assert.Throws<InvalidOperationException>(() => Load(shape));

        Assert.Equal($"kubeconfig {config}: not valid YAML at line 4, column 13: While scanning a plain scalar value, found invalid mapping.", e.Message);
        Assert.Equal($"kubeconfig {unclosed}: not valid YAML: an unterminated [ ] or {{ }} collection or quoted string", u.Message);
        // A section of the wrong shape: YamlDotNet's words, through KubernetesClient's model.
        Assert.Equal($"kubeconfig {shape}: not valid YAML at line 3, column 3: Expected 'SequenceStart', got 'MappingStart' (at Line: 3, Col: 3, Idx: 31).", s.Message);
        Assert.All([e, u, s], x => Assert.DoesNotContain('\n', x.Message));
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

        Assert.EndsWith("user \"u\", field client-key-data: expected base64 (its value is not shown)", notBase64.Message, StringComparison.Ordinal);
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

        Assert.Equal($"kubeconfig {config}, user \"u\", field client-key: client-certificate is given without client-key or client-key-data: both are needed", e.Message);
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

        Assert.Equal(Token, options.ToClientConfiguration().AccessToken);
        foreach (var text in printed)
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(keyBody, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Base64(keyPem)[..40], text, StringComparison.Ordinal);
        }
        Assert.Contains("Credentials = token (hidden) and client certificate (private key hidden)", printed[0], StringComparison.Ordinal);
    }
}
