using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// The API server's certificate check when a CA is configured. KubernetesClient 21.0.8 checks only
/// the chain in that case: its <c>CertificateValidationCallBack</c> ignores
/// <see cref="SslPolicyErrors.RemoteCertificateNameMismatch"/> whenever the chain needed the custom
/// CA, so any certificate of the cluster's CA (a kubelet's, say) would pass for the API server.
/// This check requires both: the chain ends at one of the configured roots, and the certificate
/// names the host (the URL's, or tls-server-name, which the client sends as the Host header and
/// SocketsHttpHandler then checks against). It keeps why it last refused, because the handshake's
/// own exception only says that the callback refused.
/// </summary>
internal sealed class ServerCertificateCheck(X509Certificate2Collection roots, string rootsSource)
{
    private volatile string? _lastRejection;

    /// <summary>Why the last certificate was refused, in words; null if none was.</summary>
    public string? LastRejection => _lastRejection;

    /// <summary>Makes <paramref name="handler"/> use this check (after KubernetesClient has set up its handler).</summary>
    public void Install(SocketsHttpHandler handler) =>
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Accept(certificate, errors);

    public bool Accept(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return Refuse("the server sent no certificate");
        }
        using var leaf = new X509Certificate2(certificate);
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return Refuse($"the server's certificate ({leaf.Subject}) does not name the host it was reached as (the server URL's host, or tls-server-name)");
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
        return Refuse($"the server's certificate ({leaf.Subject}, issued by {leaf.Issuer}) does not chain to {rootsSource} ({status})");
    }

    private bool Refuse(string reason)
    {
        _lastRejection = reason;
        return false;
    }
}
