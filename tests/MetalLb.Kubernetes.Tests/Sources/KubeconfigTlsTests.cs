using System.Net;
using System.Text;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.TestSupport;
using k8s;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

/// <summary>
/// The speaker against the fake API server over HTTPS, as a real cluster serves it: a server
/// certificate from the cluster's CA, client certificates of that CA as credentials, anything else
/// refused. Every wait is bounded; nothing depends on how fast the machine is.
/// </summary>
public sealed class KubeconfigTlsTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-kubeconfig-tls-").FullName;
    private readonly TestPki _cluster = new("CN=kubernetes-ca");
    private readonly FakeApiServer _server = new(anyHost: true);
    private readonly TlsFront _front;

    public KubeconfigTlsTests()
    {
        ApiObjects.Seed(_server);
        // The speaker announces the addresses the controller wrote.
        _server.Put(ApiObjects.Service("web", ingress: "198.51.100.1"));
        var server = _cluster.IssueServer("CN=kube-apiserver", "127.0.0.1", "kubernetes.default.svc");
        _front = new TlsFront(new IPEndPoint(IPAddress.Loopback, _server.Url.Port), server, _cluster);
    }

    public void Dispose()
    {
        _front.Dispose();
        _server.Dispose();
        _cluster.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A kubeconfig with one context: the cluster's fields and the user's, as YAML lines.</summary>
    private string Kubeconfig(string server, string clusterFields, string userFields)
    {
        var path = Path.Combine(_dir, "kube", "config");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test-cluster
              cluster:
                server: {server}
            {clusterFields}
            contexts:
            - name: test
              context:
                cluster: test-cluster
                user: test-user
                namespace: default
            users:
            - name: test-user
              user:
            {userFields}
            """);
        return path;
    }

    private static string Indented(params string[] lines) => string.Join("\n", lines.Select(l => "    " + l));

    /// <summary>A client certificate and key as files next to the kubeconfig, named relatively.</summary>
    private string ClientCertificateFiles(TestPki issuer, string subject)
    {
        var client = issuer.IssueClient(subject);
        Directory.CreateDirectory(Path.Combine(_dir, "kube", "certs"));
        File.WriteAllText(Path.Combine(_dir, "kube", "certs", "speaker.crt"), client.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "kube", "certs", "speaker.key"), TestPki.KeyPem(client));
        return Indented("client-certificate: certs/speaker.crt", "client-key: certs/speaker.key");
    }

    [Fact]
    public async Task The_speaker_lists_and_watches_over_https_with_a_client_certificate_from_a_kubeconfig()
    {
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), _cluster.CaPem);
        var config = Kubeconfig(_front.Url.ToString(), Indented("certificate-authority: ../ca.crt"),
            ClientCertificateFiles(_cluster, "CN=bgpkit-speaker, O=metallb"));
        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = "node-1",
            KubernetesApi = KubernetesApiOptions.FromKubeconfig(config),
            BgpListen = null,
            StatusEndPoint = null,
        });
        using var stop = new CancellationTokenSource(Bound + Bound);
        var running = host.RunAsync(stop.Token);
        try
        {
            await Poll.UntilAsync(() => host.Status.Config().InForce?.Announcements.Count == 1, "the first plan, listed over https", Bound);
            await Poll.UntilAsync(() => _server.OpenWatches("services") == 1, "a watch of services over https", Bound);

            // A change reaches the speaker through the watch, not a new list.
            var lists = _server.RequestsFor("services").Count(r => !r.Contains("watch=true", StringComparison.Ordinal));
            _server.Put(ApiObjects.Service("api", ingress: "198.51.100.2"));
            await Poll.UntilAsync(() => host.Status.Config().InForce?.Announcements.Count == 2, "the watched service's route", Bound);

            var inForce = host.Status.Config().InForce!;
            Assert.Equal(lists, _server.RequestsFor("services").Count(r => !r.Contains("watch=true", StringComparison.Ordinal)));
            Assert.StartsWith(_front.Url.GetLeftPart(UriPartial.Authority) + " (kubeconfig " + config + ", context test; namespace metallb-system)",
                inForce.Source, StringComparison.Ordinal);
            Assert.Contains("CN=bgpkit-speaker, O=metallb", _front.ClientSubjects);
            Assert.Equal(0, _front.Refused);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task Certificate_authority_data_and_client_certificate_data_work_as_the_files_do()
    {
        var client = _cluster.IssueClient("CN=data-user");
        var config = Kubeconfig(_front.Url.ToString(), Indented("certificate-authority-data: " + Base64(_cluster.CaPem)),
            Indented("client-certificate-data: " + Base64(client.ExportCertificatePem()), "client-key-data: " + Base64(TestPki.KeyPem(client))));
        using var api = new KubernetesApiClient(KubernetesApiOptions.FromKubeconfig(config));

        var list = await api.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound);

        Assert.Single(list.Items);
        Assert.Contains("CN=data-user", _front.ClientSubjects);
    }

    [Fact]
    public async Task A_kubeconfig_with_the_wrong_ca_fails_with_a_tls_error_that_says_why()
    {
        using var stranger = new TestPki("CN=some-other-ca");
        var config = Kubeconfig(_front.Url.ToString(), Indented("certificate-authority-data: " + Base64(stranger.CaPem)),
            ClientCertificateFiles(_cluster, "CN=bgpkit-speaker"));
        using var api = new KubernetesApiClient(KubernetesApiOptions.FromKubeconfig(config));

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => api.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound));

        Assert.StartsWith($"GET /api/v1/services: TLS handshake with {_front.Url.GetLeftPart(UriPartial.Authority)} failed: "
            + $"the server's certificate (CN=kube-apiserver, issued by CN=kubernetes-ca) does not chain to the CA of kubeconfig {config}, context test (",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_server_name_is_the_name_the_certificate_must_carry()
    {
        // A server whose certificate names only the in-cluster service name, reached at 127.0.0.1.
        using var inClusterName = new TlsFront(new IPEndPoint(IPAddress.Loopback, _server.Url.Port),
            _cluster.IssueServer("CN=kube-apiserver-internal", "kubernetes.default.svc"), _cluster);
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), _cluster.CaPem);
        var user = ClientCertificateFiles(_cluster, "CN=bgpkit-speaker");
        var url = inClusterName.Url.ToString();

        var named = Kubeconfig(url, Indented("certificate-authority: ../ca.crt", "tls-server-name: kubernetes.default.svc"), user);
        var namedOptions = KubernetesApiOptions.FromKubeconfig(named);
        using (var right = new KubernetesApiClient(namedOptions))
        {
            await right.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound);
        }

        var unnamed = Kubeconfig(url, Indented("certificate-authority: ../ca.crt"), user);
        using var refused = new KubernetesApiClient(KubernetesApiOptions.FromKubeconfig(unnamed));
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => refused.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound));
        // KubernetesClient's own check would let this through (it skips the name when a CA is given); ours does not.
        Assert.EndsWith("failed: the server's certificate (CN=kube-apiserver-internal) does not name the host it was reached as (the server URL's host, or tls-server-name)",
            e.Message, StringComparison.Ordinal);

        // The client the controller's typed calls go through has the same check.
        using (var typed = KubernetesApiOptions.FromKubeconfig(unnamed).CreateClient())
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => typed.CoreV1.ListServiceForAllNamespacesAsync().WaitAsync(Bound));
        }
        using (var typed = namedOptions.CreateClient())
        {
            Assert.Single((await typed.CoreV1.ListServiceForAllNamespacesAsync().WaitAsync(Bound)).Items);
        }

        var wrong = Kubeconfig(url, Indented("certificate-authority: ../ca.crt", "tls-server-name: other.example"), user);
        using var wrongName = new KubernetesApiClient(KubernetesApiOptions.FromKubeconfig(wrong));
        e = await Assert.ThrowsAsync<KubernetesApiException>(() => wrongName.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound));
        Assert.EndsWith("failed: the server's certificate (CN=kube-apiserver-internal) does not name the host it was reached as (the server URL's host, or tls-server-name)",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kubeconfig_without_a_client_certificate_is_refused_with_401_and_says_so()
    {
        var config = Kubeconfig(_front.Url.ToString(), Indented("certificate-authority-data: " + Base64(_cluster.CaPem)), Indented("{}"));
        using var api = new KubernetesApiClient(KubernetesApiOptions.FromKubeconfig(config));

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => api.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(401, e.StatusCode);
        Assert.Equal("GET /api/v1/services: 401 Unauthorized: Unauthorized (the server did not accept the credentials: no or wrong token or client certificate)", e.Message);
        Assert.Equal(1, _front.Refused);
    }

    [Fact]
    public async Task A_client_certificate_of_another_ca_is_refused()
    {
        using var stranger = new TestPki("CN=some-other-ca");
        var config = Kubeconfig(_front.Url.ToString(), Indented("certificate-authority-data: " + Base64(_cluster.CaPem)),
            ClientCertificateFiles(stranger, "CN=intruder"));
        using var api = new KubernetesApiClient(KubernetesApiOptions.FromKubeconfig(config));

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => api.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(401, e.StatusCode);
        Assert.Empty(_front.ClientSubjects);
    }

    [Fact]
    public async Task A_token_kubeconfig_sends_the_token_and_a_wrong_one_is_refused_clearly()
    {
        const string Token = "kubeconfig-bearer-7f3a";
        _server.RequiredToken = Token;
        var plain = _server.Url.ToString();
        var log = new CapturingLogger();
        var good = KubernetesApiOptions.FromKubeconfig(Kubeconfig(plain, "", Indented("token: " + Token)));
        using (var api = new KubernetesApiClient(good))
        {
            // The fake answers 401 unless the Authorization header carries exactly this token.
            var list = await api.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound);
            Assert.Single(list.Items);
        }

        var source = new KubernetesApiSource(KubernetesApiOptions.FromKubeconfig(Kubeconfig(plain, "", Indented("token: wrong-" + Token))),
            new ManualTimeProvider(), log);
        await RefusedAsync(source, log);

        Assert.Contains(log.Lines, l => l.Contains("the server did not accept the credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Contains(Token, StringComparison.Ordinal));
    }

    /// <summary>Watches with <paramref name="source"/> until the server's 401 is logged, then stops.</summary>
    private static async Task RefusedAsync(KubernetesApiSource source, CapturingLogger log)
    {
        using var stop = new CancellationTokenSource(Bound);
        var watching = Task.Run(async () =>
        {
            await foreach (var _ in source.WatchAsync(stop.Token))
            {
            }
        });
        await Poll.UntilAsync(() => log.Lines.Any(l => l.Contains("401 Unauthorized", StringComparison.Ordinal)), "the refusal in the log", Bound);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
    }

    /// <summary>An exec credential plugin: a shell script next to the kubeconfig that prints an ExecCredential with <paramref name="token"/>.</summary>
    private string ExecPlugin(string token)
    {
        var script = Path.Combine(_dir, "kube", "get-token.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(script)!);
        File.WriteAllText(script, $$$"""
            #!/bin/sh
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{token}}}"}}'
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return Indented("exec:", "  apiVersion: client.authentication.k8s.io/v1", "  command: ./get-token.sh", "  args: [--cluster, test]");
    }

    [Fact]
    public async Task An_exec_plugin_authenticates_over_tls_and_its_token_never_reaches_a_log()
    {
        const string Token = "exec-plugin-token-5d1c";
        _server.RequiredToken = Token;
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), _cluster.CaPem);
        // The front asks every client for a certificate of the cluster's CA; the fake behind it wants the bearer token the plugin prints.
        var user = ClientCertificateFiles(_cluster, "CN=exec-user") + "\n" + ExecPlugin(Token);
        var options = KubernetesApiOptions.FromKubeconfig(Kubeconfig(_front.Url.ToString(), Indented("certificate-authority: ../ca.crt"), user));
        using (var api = new KubernetesApiClient(options))
        {
            var list = await api.ListAsync("/api/v1/services", CancellationToken.None).WaitAsync(Bound);
            Assert.Single(list.Items);
        }
        Assert.Contains("CN=exec-user", _front.ClientSubjects);

        // The same plugin printing a token the server does not know: refused, said so, and the token is in no log line.
        var log = new CapturingLogger();
        var wrong = KubernetesApiOptions.FromKubeconfig(Kubeconfig(_front.Url.ToString(), Indented("certificate-authority: ../ca.crt"),
            ClientCertificateFiles(_cluster, "CN=exec-user") + "\n" + ExecPlugin("wrong-" + Token)));
        var source = new KubernetesApiSource(wrong, new ManualTimeProvider(), log);
        await RefusedAsync(source, log);

        Assert.Contains(log.Lines, l => l.Contains("the server did not accept the credentials", StringComparison.Ordinal));
        foreach (var text in log.Lines.Append(wrong.ToString()).Append(source.Description).Append(options.ToString()))
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        }
    }
}
