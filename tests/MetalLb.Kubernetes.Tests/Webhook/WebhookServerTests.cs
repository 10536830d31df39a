using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using BgpKit.MetalLb.Kubernetes.Webhook;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Webhook;

/// <summary>The HTTPS endpoint as the API server uses it: TLS to a certificate of our own CA, POSTs of reviews, keep-alive; and what a hostile client gets.</summary>
public sealed class WebhookServerTests : IAsyncLifetime
{
    private readonly CertificateBundle _bundle = CertificateBundle.Create(["localhost"], DateTimeOffset.UtcNow);
    private WebhookServer _server = null!;
    private X509Certificate2 _serving = null!;
    private X509Certificate2 _ca = null!;

    public Task InitializeAsync()
    {
        _serving = _bundle.ServingCertificate();
        _ca = X509Certificate2.CreateFromPem(_bundle.CaPem);
        _server = new WebhookServer(new IPEndPoint(IPAddress.Loopback, 0), () => _serving,
            (path, body) => path == "/echo" ? (200, $"{{\"length\":{body.Length}}}") : (404, "{}"), NullLogger.Instance);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _serving.Dispose();
        _ca.Dispose();
    }

    private HttpClient Client() => new(new SocketsHttpHandler
    {
        SslOptions =
        {
            // Trust only our CA, as the API server does with the caBundle.
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0 || certificate is null)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(_ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            },
        },
    });

    private Uri Url(string path) => new($"https://localhost:{_server.EndPoint.Port}{path}");

    [Fact]
    public async Task Posts_over_tls_to_our_ca_are_answered_on_one_kept_alive_connection()
    {
        using var client = Client();
        for (var i = 1; i <= 3; i++)
        {
            using var response = await client.PostAsync(Url("/echo"), new StringContent(new string('x', i * 1000)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"{{\"length\":{i * 1000}}}", await response.Content.ReadAsStringAsync());
        }
        using var missing = await client.PostAsync(Url("/nope"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var get = await client.GetAsync(Url("/echo"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", 400)]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411)]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413)]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("POST /echo HTTP/1.1\r\nno colon here\r\n\r\n", 400)]
    public async Task A_malformed_request_gets_a_4xx_and_the_server_keeps_serving(string request, int expected)
    {
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _server.EndPoint.Port);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("localhost");
            await tls.WriteAsync(Encoding.ASCII.GetBytes(request));
            var buffer = new byte[512];
            var read = await tls.ReadAsync(buffer);
            Assert.StartsWith($"HTTP/1.1 {expected} ", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        }
        using var client = Client();
        using var response = await client.PostAsync(Url("/echo"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_client_that_is_not_tls_is_dropped_and_the_server_keeps_serving()
    {
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _server.EndPoint.Port);
            await tcp.GetStream().WriteAsync("POST /echo HTTP/1.1\r\n\r\n"u8.ToArray());
            var read = await tcp.GetStream().ReadAsync(new byte[64]);
            Assert.True(read >= 0);
        }
        using var client = Client();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Url("/echo"), new StringContent("{}"))).StatusCode);
    }
}
