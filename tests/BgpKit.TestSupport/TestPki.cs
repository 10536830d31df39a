using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BgpKit.TestSupport;

/// <summary>
/// A throwaway certificate authority for TLS tests: a self-signed CA that issues server and client
/// certificates (ECDSA P-256, valid from yesterday to next week), and their PEM forms for kubeconfig files.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly List<X509Certificate2> _issued = [];
    private long _serial = 1;

    public TestPki(string subject = "CN=bgpkit-test-ca")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    /// <summary>The CA's certificate, with its private key.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The CA's certificate as PEM (what a kubeconfig's certificate-authority holds).</summary>
    public string CaPem => Ca.ExportCertificatePem();

    /// <summary>A server certificate for the given IP addresses and DNS names.</summary>
    public X509Certificate2 IssueServer(string subject, params string[] names)
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }
        return Issue(subject, new Oid("1.3.6.1.5.5.7.3.1"), san.Build());
    }

    /// <summary>A client certificate (as the API server reads it: CN is the user, O the groups).</summary>
    public X509Certificate2 IssueClient(string subject) => Issue(subject, new Oid("1.3.6.1.5.5.7.3.2"), null);

    /// <summary>The private key of a certificate issued here, as PKCS#8 PEM.</summary>
    public static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

    /// <summary>Whether <paramref name="certificate"/> was issued by this CA.</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        foreach (var certificate in _issued)
        {
            certificate.Dispose();
        }
        Ca.Dispose();
    }

    private X509Certificate2 Issue(string subject, Oid usage, X509Extension? san)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }
        var serial = SerialNumber(Interlocked.Increment(ref _serial));
        using var bare = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), serial);
        var certificate = bare.CopyWithPrivateKey(key);
        _issued.Add(certificate);
        return certificate;
    }

    private static byte[] SerialNumber(long value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}
