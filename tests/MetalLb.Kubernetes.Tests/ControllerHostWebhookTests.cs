using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;

namespace BgpKit.MetalLb.Kubernetes.Tests;

/// <summary>
/// The controller's webhook as the API server calls it: HTTPS to the certificate the controller
/// made and stored, AdmissionReview v1 in, a verdict out, against the configuration it watches.
/// </summary>
public sealed class ControllerHostWebhookTests : IAsyncLifetime
{
    private readonly FakeApiServer _server = new();
    private readonly int _port = FreePort.Tcp();
    private ControllerHost _host = null!;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _server.Resources.Add(new FakeApiResource("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, false));
        _server.Resources.Add(new FakeApiResource("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true));
        _server.Put("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bgpkit-webhook-cert","namespace":"metallb-system"}}""");
        _server.Put("""{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"bgpkit-webhook-configuration"},"webhooks":[]}""");
        _server.Put("""{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"bgppeers.metallb.io"},"spec":{"group":"metallb.io"}}""");
        _server.Put(ApiObjects.Pool("198.51.100.0/28"));
        _host = new ControllerHost(new ControllerHostOptions
        {
            KubernetesApi = new KubernetesApiOptions { Server = _server.Url },
            Identity = "controller-a",
            MetricsEndPoint = null,
            Webhook = new WebhookOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, _port) },
        });
        _running = _host.RunAsync(_stop.Token);
        await Poll.UntilAsync(() => _server.Get("v1", "secrets", "metallb-system", "bgpkit-webhook-cert")?["data"] is not null, "the webhook certificate", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        await _host.DisposeAsync();
        _server.Dispose();
    }

    private HttpClient Client()
    {
        var ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(
            _server.Get("v1", "secrets", "metallb-system", "bgpkit-webhook-cert")!["data"]!["ca.crt"]!.GetValue<string>())));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            // The API server connects to SERVICE.NAMESPACE.svc and checks that name; the test connects to 127.0.0.1.
            if (certificate is null || !new X509Certificate2(certificate).MatchesHostname("bgpkit-webhook-service.metallb-system.svc"))
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{_port}") };
    }

    private const string ReviewTemplate = """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"r1","operation":"CREATE","namespace":"metallb-system","name":"second",
         "object":{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"second","namespace":"metallb-system"},
                   "spec":{"addresses":["CIDR"],"autoAssign":true,"avoidBuggyIPs":false}}}}
        """;

    private static StringContent Review(string cidr) => new(ReviewTemplate.Replace("CIDR", cidr, StringComparison.Ordinal), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Reviews_over_tls_are_accepted_refused_with_the_plans_message_or_answered_400()
    {
        using var client = Client();
        await Poll.UntilAsync(() => _host.Status().ConfigValid == true, "the configuration read", TimeSpan.FromSeconds(60));

        using var accepted = await client.PostAsync("/validate-metallb-io-v1beta1-ipaddresspool", Review("203.0.113.0/24"));
        var yes = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["response"]!;
        Assert.True(yes["allowed"]!.GetValue<bool>(), yes.ToJsonString());

        using var refused = await client.PostAsync("/validate-metallb-io-v1beta1-ipaddresspool", Review("198.51.100.8/29"));
        var no = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["response"]!;
        Assert.False(no["allowed"]!.GetValue<bool>());
        Assert.Contains("overlap", no["status"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);

        using var malformed = await client.PostAsync("/validate-metallb-io-v1beta1-ipaddresspool", new StringContent("{\"not\":\"a review\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        using var again = await client.PostAsync("/validate-metallb-io-v1beta1-ipaddresspool", Review("203.0.113.0/24"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
