using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Checks the API server's certificate: against the configured CA (or the system's roots), and
/// against the expected name (the URL's host, or a kubeconfig's tls-server-name). Keeps why it
/// last refused one, because the handshake's own exception only says that the callback refused.
/// </summary>
internal sealed class ServerCertificateCheck(X509Certificate2Collection? roots, string? rootsSource, string? serverName)
{
    private volatile string? _lastRejection;

    /// <summary>Why the last certificate was refused, in words; null if none was.</summary>
    public string? LastRejection => _lastRejection;

    public bool Accept(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return Refuse("the server sent no certificate");
        }
        using var leaf = new X509Certificate2(certificate);
        if (serverName is not null)
        {
            // The handshake checked the URL's host; the certificate must name tls-server-name instead.
            if (!leaf.MatchesHostname(serverName))
            {
                return Refuse($"the server's certificate ({leaf.Subject}) does not name {serverName} (tls-server-name)");
            }
        }
        else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return Refuse($"the server's certificate ({leaf.Subject}) does not name the host of the server URL");
        }
        if (roots is null)
        {
            return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0
                || Refuse($"the server's certificate ({leaf.Subject}, issued by {leaf.Issuer}) is not trusted by the system's roots; give the cluster's CA");
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(leaf))
        {
            return true;
        }
        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct(StringComparer.Ordinal));
        return Refuse($"the server's certificate ({leaf.Subject}, issued by {leaf.Issuer}) does not chain to the CA in {rootsSource} ({status})");
    }

    private bool Refuse(string reason)
    {
        _lastRejection = reason;
        return false;
    }
}
