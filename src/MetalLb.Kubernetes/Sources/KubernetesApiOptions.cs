using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using BgpKit.MetalLb.Kubernetes.Sources;
using k8s.Authentication;

namespace BgpKit.MetalLb.Kubernetes;

/// <summary>
/// How to reach the Kubernetes API server, as a thin description over KubernetesClient's
/// <see cref="KubernetesClientConfiguration"/>: the server, where the credentials come from (a
/// kubeconfig context with any of the client's user kinds: token, client certificate, <c>exec</c>
/// plugin, OIDC; an in-cluster service account; or a bearer token file), the overrides the command
/// line gives, and MetalLB's namespace. Secrets (tokens, private keys, plugin output) never appear in
/// <see cref="ToString"/>, <see cref="Describe"/>, logs or messages.
/// </summary>
public sealed partial record KubernetesApiOptions
{
    /// <summary>Where a pod finds its service-account token, CA bundle and namespace.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The API server, e.g. <c>https://10.96.0.1:443</c> or <c>http://127.0.0.1:8001</c> (kubectl proxy); it wins over the kubeconfig's.</summary>
    public required Uri Server { get; init; }

    /// <summary>
    /// A file holding the bearer token (KubernetesClient re-reads it every minute: service-account
    /// tokens are rotated in place); it replaces any token or plugin of the kubeconfig user.
    /// </summary>
    public string? TokenFile { get; init; }

    /// <summary>A PEM bundle of the CA that signed the server's certificate; it replaces the kubeconfig's. Null: the kubeconfig's, or the system's roots.</summary>
    public string? CaFile { get; init; }

    /// <summary>Accept any server certificate (testing only: it lets anyone impersonate the API server).</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The namespace of MetalLB's custom resources and Secrets (default <c>metallb-system</c>).</summary>
    public string Namespace { get; init; } = "metallb-system";

    /// <summary>Where these options came from (kubeconfig file and context, or in-cluster), for <c>show config</c>; null when built by hand.</summary>
    internal string? Origin { get; init; }

    /// <summary>
    /// The client configuration a kubeconfig context gave (its user's credentials, CA, tls-server-name),
    /// before the overrides above; null when built by hand or in-cluster. Shared, never mutated.
    /// </summary>
    internal KubernetesClientConfiguration? Kubeconfig { get; init; }

    /// <summary>What the server's certificate is checked against, in words, for TLS errors.</summary>
    internal string TrustDescription => InsecureSkipTlsVerify ? "nothing (insecure-skip-tls-verify)"
        : CaFile is not null ? "the CA in " + CaFile
        : Kubeconfig?.SslCaCerts is not null ? "the CA of " + Origin
        : "the system's roots";

    /// <summary>
    /// The server and credentials of a pod: <c>KUBERNETES_SERVICE_HOST</c>/<c>KUBERNETES_SERVICE_PORT</c>
    /// and the service account's <c>token</c> (re-read, as it rotates) and <c>ca.crt</c>, as
    /// KubernetesClient's <c>InClusterConfig</c> reads them.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not running in a pod (the variables or the token are missing).</exception>
    public static KubernetesApiOptions InCluster() => InCluster(Environment.GetEnvironmentVariable, ServiceAccountDirectory);

    // The library's InClusterConfig() reads the fixed directory; this takes it as a parameter so
    // that tests can point it elsewhere, and says in words what is missing. The result is the same
    // configuration: Host, a TokenFileAuth over the token, the CA from ca.crt.
    internal static KubernetesApiOptions InCluster(Func<string, string?> environment, string serviceAccountDirectory)
    {
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new InvalidOperationException("not in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
        }
        var token = Path.Combine(serviceAccountDirectory, "token");
        if (!File.Exists(token))
        {
            throw new InvalidOperationException($"not in a Kubernetes pod: {token} does not exist (is automountServiceAccountToken off?)");
        }
        // An IPv6 service host needs brackets in a URL.
        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        return new KubernetesApiOptions
        {
            Server = new Uri("https://" + authority),
            TokenFile = token,
            CaFile = Path.Combine(serviceAccountDirectory, "ca.crt"),
            Origin = "in-cluster service account " + serviceAccountDirectory,
        };
    }

    /// <summary>
    /// KubernetesClient's configuration for these options: the kubeconfig context's (credentials,
    /// CA, tls-server-name), with <see cref="Server"/>, <see cref="TokenFile"/>, <see cref="CaFile"/>
    /// and <see cref="InsecureSkipTlsVerify"/> laid over it as kubectl lays its flags over a
    /// kubeconfig. A new object on every call: the caller may change it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The CA file cannot be read or holds no certificate.</exception>
    public KubernetesClientConfiguration ToClientConfiguration()
    {
        var from = Kubeconfig;
        var config = new KubernetesClientConfiguration
        {
            Host = Server.ToString(),
            SslCaCerts = from?.SslCaCerts,
            SkipTlsVerify = InsecureSkipTlsVerify || from?.SkipTlsVerify == true,
            TlsServerName = from?.TlsServerName,
            AccessToken = from?.AccessToken,
            TokenProvider = from?.TokenProvider,
            Username = from?.Username,
            Password = from?.Password,
            ClientCertificateData = from?.ClientCertificateData,
            ClientCertificateKeyData = from?.ClientCertificateKeyData,
            ClientCertificateFilePath = from?.ClientCertificateFilePath,
            ClientKeyFilePath = from?.ClientKeyFilePath,
            ClientCertificateKeyStoreFlags = from?.ClientCertificateKeyStoreFlags,
            Namespace = Namespace,
            UserAgent = "bgpkit",
        };
        if (TokenFile is not null)
        {
            // As kubectl's --token: the bearer token replaces the user's token, plugin or password; a client certificate stays.
            config.TokenProvider = new TokenFileAuth(TokenFile);
            config.AccessToken = null;
            config.Username = null;
            config.Password = null;
        }
        if (CaFile is not null)
        {
            config.SslCaCerts = ReadCaFile(CaFile);
        }
        return config;
    }

    /// <summary>
    /// A KubernetesClient for these options: typed calls (<c>CoreV1</c>, <c>CoordinationV1</c>,
    /// <c>CustomObjects</c>), its <c>HttpClient</c> and <c>Credentials</c> for raw requests. The caller disposes it.
    /// </summary>
    internal k8s.Kubernetes CreateClient() => CreateClient(out _);

    /// <summary>
    /// The same, with the check of the server's certificate when a CA is configured (null without
    /// one): it replaces the library's, which does not check the certificate's name (see <see cref="ServerCertificateCheck"/>).
    /// </summary>
    internal k8s.Kubernetes CreateClient(out ServerCertificateCheck? check)
    {
        var config = ToClientConfiguration();
        ServerCertificateCheck? ours = null;
        if (!config.SkipTlsVerify && config.SslCaCerts is { Count: > 0 } roots)
        {
            // Without SslCaCerts the library leaves the handler's validation callback alone: ours, set up here, stays.
            ours = new ServerCertificateCheck(roots, TrustDescription);
            config.SslCaCerts = null;
        }
        config.FirstMessageHandlerSetup = handler =>
        {
            // The library's handler waits for a TCP connection as long as the OS does; an API server
            // address that drops packets would then hold a LIST for minutes before the retry.
            handler.ConnectTimeout = ConnectTimeout;
            ours?.Install(handler);
        };
        check = ours;
        return new k8s.Kubernetes(config);
    }

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private static X509Certificate2Collection ReadCaFile(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"CA file {path}: cannot read it: {e.GetType().Name}", e);
        }
        return roots.Count > 0 ? roots : throw new InvalidOperationException($"CA file {path}: expected PEM CA certificates, found none");
    }

    /// <summary>The server URL without any user information, for logs and <c>show config</c>.</summary>
    internal string Describe()
    {
        var builder = new UriBuilder(Server) { UserName = "", Password = "", Query = "", Fragment = "" };
        return builder.Uri.GetLeftPart(UriPartial.Authority) + " (" + (Origin is null ? "" : Origin + "; ") + "namespace " + Namespace + ")";
    }

    /// <summary>How the client authenticates, in words and without any secret.</summary>
    internal string DescribeCredentials()
    {
        var config = Kubeconfig;
        var parts = new List<string>();
        if (TokenFile is not null)
        {
            parts.Add("token file " + TokenFile);
        }
        else if (config?.TokenProvider is ExecTokenProvider)
        {
            parts.Add("exec plugin");
        }
        else if (config?.TokenProvider is OidcTokenProvider)
        {
            parts.Add("OIDC");
        }
        else if (config?.TokenProvider is not null || config?.AccessToken is not null)
        {
            parts.Add("token (hidden)");
        }
        else if (config?.Username is not null)
        {
            parts.Add("basic auth as " + config.Username + " (password hidden)");
        }
        if (config?.ClientCertificateData is not null || config?.ClientCertificateFilePath is not null)
        {
            parts.Add("client certificate (private key hidden)");
        }
        return parts.Count == 0 ? "none" : string.Join(" and ", parts);
    }

    // A record prints every property: write this one by hand so that no token or key can appear
    // (the kubeconfig's client configuration holds them).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Server = ").Append(new UriBuilder(Server) { UserName = "", Password = "" }.Uri);
        builder.Append(", Namespace = ").Append(Namespace);
        if (Origin is not null)
        {
            builder.Append(", Origin = ").Append(Origin);
        }
        builder.Append(", Credentials = ").Append(DescribeCredentials());
        if (CaFile is not null)
        {
            builder.Append(", CaFile = ").Append(CaFile);
        }
        builder.Append(", InsecureSkipTlsVerify = ").Append(InsecureSkipTlsVerify ? "true" : "false");
        return true;
    }
}
