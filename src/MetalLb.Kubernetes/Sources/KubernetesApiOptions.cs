using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace BgpKit.MetalLb.Kubernetes;

/// <summary>
/// How to reach the Kubernetes API server: its URL, the credentials (a bearer token file or token,
/// a client certificate), how to check the server's certificate, and MetalLB's namespace. A token
/// file is re-read for every request (service-account tokens are rotated). Secrets (the token, the
/// client certificate's private key) never appear in <see cref="ToString"/>, logs or messages.
/// </summary>
public sealed partial record KubernetesApiOptions
{
    /// <summary>Where a pod finds its service-account token, CA bundle and namespace.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The API server, e.g. <c>https://10.96.0.1:443</c> or <c>http://127.0.0.1:8001</c> (kubectl proxy).</summary>
    public required Uri Server { get; init; }

    /// <summary>A file holding the bearer token, re-read for every request; it wins over <see cref="Token"/>, as in client-go.</summary>
    public string? TokenFile { get; init; }

    /// <summary>The bearer token itself (a kubeconfig's <c>token</c>); null to send none. Never printed.</summary>
    public string? Token { get; init; }

    /// <summary>A PEM bundle of the CA that signed the server's certificate; null to use the system's roots.</summary>
    public string? CaFile { get; init; }

    /// <summary>The same as <see cref="CaFile"/> given as PEM text (a kubeconfig's <c>certificate-authority-data</c>); it wins over the file.</summary>
    public string? CaPem { get; init; }

    /// <summary>The client certificate, with its private key, presented to the server in the TLS handshake; null for none.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// The name the server's certificate must carry, when it differs from the host in <see cref="Server"/>
    /// (a kubeconfig's <c>tls-server-name</c>). Only the certificate check uses it; the TLS SNI stays the URL's host.
    /// </summary>
    public string? TlsServerName { get; init; }

    /// <summary>Accept any server certificate (testing only: it lets anyone impersonate the API server).</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>Where these options came from (kubeconfig file and context), for <c>show config</c>; null when built by hand.</summary>
    internal string? Origin { get; init; }

    /// <summary>The namespace of MetalLB's custom resources and Secrets (default <c>metallb-system</c>).</summary>
    public string Namespace { get; init; } = "metallb-system";

    /// <summary>
    /// The server and credentials of a pod: <c>KUBERNETES_SERVICE_HOST</c>/<c>KUBERNETES_SERVICE_PORT</c>
    /// and the service account's <c>token</c> and <c>ca.crt</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not running in a pod (the variables or the token are missing).</exception>
    public static KubernetesApiOptions InCluster() => InCluster(Environment.GetEnvironmentVariable, ServiceAccountDirectory);

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
        };
    }

    /// <summary>The server URL without any user information, for logs and <c>show config</c>.</summary>
    internal string Describe()
    {
        var builder = new UriBuilder(Server) { UserName = "", Password = "", Query = "", Fragment = "" };
        return builder.Uri.GetLeftPart(UriPartial.Authority) + " (" + (Origin is null ? "" : Origin + "; ") + "namespace " + Namespace + ")";
    }

    // A record prints every property: write this one by hand so that the token and the client key never appear.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Server = ").Append(new UriBuilder(Server) { UserName = "", Password = "" }.Uri);
        builder.Append(", Namespace = ").Append(Namespace);
        if (Origin is not null)
        {
            builder.Append(", Origin = ").Append(Origin);
        }
        if (TokenFile is not null)
        {
            builder.Append(", TokenFile = ").Append(TokenFile);
        }
        if (Token is not null)
        {
            builder.Append(", Token = (hidden)");
        }
        if (CaFile is not null)
        {
            builder.Append(", CaFile = ").Append(CaFile);
        }
        if (CaPem is not null)
        {
            builder.Append(", CaPem = (").Append(CaPem.Length).Append(" characters)");
        }
        if (ClientCertificate is not null)
        {
            builder.Append(", ClientCertificate = ").Append(ClientCertificate.Subject).Append(" (private key hidden)");
        }
        if (TlsServerName is not null)
        {
            builder.Append(", TlsServerName = ").Append(TlsServerName);
        }
        builder.Append(", InsecureSkipTlsVerify = ").Append(InsecureSkipTlsVerify ? "true" : "false");
        return true;
    }
}
