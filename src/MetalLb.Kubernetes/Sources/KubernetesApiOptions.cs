namespace BgpKit.MetalLb.Kubernetes;

/// <summary>
/// How to reach the Kubernetes API server: its URL, where the bearer token and the CA bundle are,
/// and MetalLB's namespace. Only file paths are kept, never the token itself: the token file is
/// re-read for every request (service-account tokens are rotated) and never logged.
/// </summary>
public sealed record KubernetesApiOptions
{
    /// <summary>Where a pod finds its service-account token, CA bundle and namespace.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The API server, e.g. <c>https://10.96.0.1:443</c> or <c>http://127.0.0.1:8001</c> (kubectl proxy).</summary>
    public required Uri Server { get; init; }

    /// <summary>A file holding the bearer token; null to send no Authorization header.</summary>
    public string? TokenFile { get; init; }

    /// <summary>A PEM bundle of the CA that signed the server's certificate; null to use the system's roots.</summary>
    public string? CaFile { get; init; }

    /// <summary>Accept any server certificate (testing only: it lets anyone impersonate the API server).</summary>
    public bool InsecureSkipTlsVerify { get; init; }

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
        return builder.Uri.GetLeftPart(UriPartial.Authority) + " (namespace " + Namespace + ")";
    }
}
