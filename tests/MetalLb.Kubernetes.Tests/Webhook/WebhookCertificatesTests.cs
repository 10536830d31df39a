using System.Text;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Webhook;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Webhook;

/// <summary>Certificates without cert-manager, against the fake API server through the real client.</summary>
public sealed class WebhookCertificatesTests : IDisposable
{
    private readonly FakeApiServer _server = new();
    private readonly k8s.Kubernetes _client;
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    public WebhookCertificatesTests()
    {
        _server.Resources.Add(new FakeApiResource("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, false));
        _server.Resources.Add(new FakeApiResource("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true));
        _server.Put("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bgpkit-webhook-cert","namespace":"metallb-system"}}""");
        _server.Put("""
            {"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"bgpkit-webhook-configuration"},
             "webhooks":[
               {"name":"ipaddresspoolvalidationwebhook.metallb.io","admissionReviewVersions":["v1"],"sideEffects":"None","failurePolicy":"Fail",
                "clientConfig":{"service":{"name":"bgpkit-webhook-service","namespace":"metallb-system","path":"/validate-metallb-io-v1beta1-ipaddresspool"}}},
               {"name":"bgppeervalidationwebhook.metallb.io","admissionReviewVersions":["v1"],"sideEffects":"None","failurePolicy":"Fail",
                "clientConfig":{"service":{"name":"bgpkit-webhook-service","namespace":"metallb-system","path":"/validate-metallb-io-v1beta2-bgppeer"}}}]}
            """);
        _server.Put("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"bgppeers.metallb.io"},
             "spec":{"group":"metallb.io","names":{"kind":"BGPPeer","plural":"bgppeers"},"scope":"Namespaced",
                     "conversion":{"strategy":"Webhook","webhook":{"conversionReviewVersions":["v1"],
                       "clientConfig":{"service":{"name":"bgpkit-webhook-service","namespace":"metallb-system","path":"/convert"}}}},
                     "versions":[{"name":"v1beta2","served":true,"storage":true}]}}
            """);
        _client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = _server.Url.ToString() });
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private WebhookCertificates Keeper() => new(_client, new WebhookOptions { EndPoint = new System.Net.IPEndPoint(0, 0) }, "metallb-system", _time, NullLogger.Instance);

    private string Secret(string key) => Encoding.ASCII.GetString(Convert.FromBase64String(_server.Get("v1", "secrets", "metallb-system", "bgpkit-webhook-cert")!["data"]![key]!.GetValue<string>()));

    [Fact]
    public async Task The_empty_secret_is_filled_and_every_ca_bundle_set_to_its_ca()
    {
        var keeper = Keeper();
        Assert.True(await keeper.EnsureAsync(default));
        var ca = Secret("ca.crt");
        var bundle = new CertificateBundle(ca, Secret("tls.crt"), Secret("tls.key"));
        Assert.True(bundle.Serves(CertificateBundle.DnsNames("bgpkit-webhook-service", "metallb-system"), _time.GetUtcNow()));
        Assert.Contains("bgpkit-webhook-service.metallb-system.svc", keeper.Current!.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false), StringComparison.Ordinal);

        var webhooks = (JsonArray)_server.Get("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", null, "bgpkit-webhook-configuration")!["webhooks"]!;
        Assert.All(webhooks, w => Assert.Equal(ca, Encoding.ASCII.GetString(Convert.FromBase64String(w!["clientConfig"]!["caBundle"]!.GetValue<string>()))));
        var crd = _server.Get("apiextensions.k8s.io/v1", "customresourcedefinitions", null, "bgppeers.metallb.io")!;
        Assert.Equal(ca, Encoding.ASCII.GetString(Convert.FromBase64String(crd["spec"]!["conversion"]!["webhook"]!["clientConfig"]!["caBundle"]!.GetValue<string>())));
        Assert.DoesNotContain("PRIVATE KEY", bundle.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_replica_uses_the_stored_certificates_and_writes_nothing()
    {
        Assert.True(await Keeper().EnsureAsync(default));
        var writes = _server.Requests.Count(r => r.StartsWith("PUT", StringComparison.Ordinal));
        var other = Keeper();
        Assert.True(await other.EnsureAsync(default));
        Assert.Equal(writes, _server.Requests.Count(r => r.StartsWith("PUT", StringComparison.Ordinal)));
        Assert.Equal(Secret("tls.crt").Trim(), other.Current!.ExportCertificatePem().Trim());
    }

    [Fact]
    public async Task Certificates_are_renewed_a_month_before_they_expire()
    {
        var keeper = Keeper();
        await keeper.EnsureAsync(default);
        var first = Secret("tls.crt");
        _time.Advance(TimeSpan.FromDays(365 - 31));
        await keeper.EnsureAsync(default);
        Assert.Equal(first, Secret("tls.crt"));
        _time.Advance(TimeSpan.FromDays(2));
        await keeper.EnsureAsync(default);
        Assert.NotEqual(first, Secret("tls.crt"));
        Assert.Equal(Secret("tls.crt").Trim(), keeper.Current!.ExportCertificatePem().Trim());
    }

    [Fact]
    public async Task With_cert_manager_the_issued_secret_is_only_read_and_no_ca_bundle_is_touched()
    {
        var keeper = new WebhookCertificates(_client, new WebhookOptions { EndPoint = new System.Net.IPEndPoint(0, 0), ManageCertificates = false },
            "metallb-system", _time, NullLogger.Instance);
        Assert.False(await keeper.EnsureAsync(default)); // not issued yet
        var issued = CertificateBundle.Create(CertificateBundle.DnsNames("bgpkit-webhook-service", "metallb-system"), _time.GetUtcNow());
        var crt = Convert.ToBase64String(Encoding.ASCII.GetBytes(issued.CertificatePem));
        var key = Convert.ToBase64String(Encoding.ASCII.GetBytes(issued.KeyPem));
        _server.Put("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bgpkit-webhook-cert","namespace":"metallb-system"},"data":{"tls.crt":"CRT","tls.key":"KEY"}}"""
            .Replace("CRT", crt, StringComparison.Ordinal).Replace("KEY", key, StringComparison.Ordinal));
        var before = _server.Requests.Count(r => !r.StartsWith("GET", StringComparison.Ordinal));
        Assert.True(await keeper.EnsureAsync(default));
        Assert.Equal(issued.CertificatePem.Trim(), keeper.Current!.ExportCertificatePem().Trim());
        Assert.Equal(before, _server.Requests.Count(r => !r.StartsWith("GET", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_missing_secret_is_reported_and_retried_not_created()
    {
        _server.Delete("v1", "Secret", "metallb-system", "bgpkit-webhook-cert");
        var keeper = Keeper();
        Assert.False(await keeper.EnsureAsync(default));
        Assert.Null(keeper.Current);
        Assert.DoesNotContain(_server.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }
}
