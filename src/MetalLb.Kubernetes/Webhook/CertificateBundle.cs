using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BgpKit.MetalLb.Kubernetes.Webhook;

/// <summary>
/// The webhook's certificates as the Secret holds them (PEM: <c>ca.crt</c>, <c>tls.crt</c>,
/// <c>tls.key</c>): a CA the API server trusts through the <c>caBundle</c> fields, and a serving
/// certificate it signed for the webhook Service's DNS names. Made here, without cert-manager.
/// </summary>
internal sealed record CertificateBundle(string CaPem, string CertificatePem, string KeyPem)
{
    /// <summary>Renew this long before the serving certificate expires.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>The DNS names the API server uses for a Service: <c>NAME.NS.svc</c> (and the cluster-local forms).</summary>
    public static IReadOnlyList<string> DnsNames(string service, string @namespace) =>
        [$"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local", $"{service}.{@namespace}", service];

    /// <summary>A new CA (10 years) and serving certificate (1 year) for <paramref name="dnsNames"/>, valid from <paramref name="now"/>.</summary>
    public static CertificateBundle Create(IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=bgpkit-webhook-ca, O=bgpkit", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);
        return new CertificateBundle(ca.ExportCertificatePem(), certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// Whether the bundle still serves <paramref name="dnsNames"/> at <paramref name="now"/>: both parse,
    /// the CA signed the certificate, it names every DNS name and is not within <see cref="RenewBefore"/> of expiring.
    /// </summary>
    public bool Serves(IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        try
        {
            using var ca = X509Certificate2.CreateFromPem(CaPem);
            using var certificate = X509Certificate2.CreateFromPem(CertificatePem, KeyPem);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            return chain.Build(certificate)
                && certificate.NotAfter.ToUniversalTime() - now.UtcDateTime > RenewBefore
                && dnsNames.All(name => certificate.MatchesHostname(name, allowWildcards: false));
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The serving certificate with its key, for the TLS handshake.</summary>
    public X509Certificate2 ServingCertificate() => X509Certificate2.CreateFromPem(CertificatePem, KeyPem);

    // The key never appears in a log, an exception or a view.
    public override string ToString() => $"CertificateBundle {{ CA and serving certificate, private key hidden }}";
}
