using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BgpKit.TestSupport;
using static BgpKit.Deploy.Tests.Rbac.DeployedRbac;

namespace BgpKit.Deploy.Tests.Rbac;

/// <summary>
/// The fake API server enforcing the rendered RBAC over HTTP: each role presents its own service
/// account token, and a request outside its rules gets the real server's 403.
/// </summary>
public sealed class FakeApiServerRbacTests : IDisposable
{
    private const string ControllerToken = "controller-token", SpeakerToken = "speaker-token";

    private readonly FakeApiServer _server = new();
    private readonly HttpClient _http = new();

    public FakeApiServerRbacTests()
    {
        _server.RequestAuthorizer = Authorizer.Allows;
        _server.TokenUsers[ControllerToken] = Controller;
        _server.TokenUsers[SpeakerToken] = Speaker;
        _server.Put("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}""");
        _server.Put("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bgpkit-webhook-cert","namespace":"metallb-system"}}""");
        _server.Put("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"other","namespace":"metallb-system"},"data":{"password":"c2VjcmV0"}}""");
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    private async Task<(HttpStatusCode Code, string Body)> SendAsync(string token, HttpMethod method, string path, string? body = null, string contentType = "application/merge-patch+json")
    {
        using var request = new HttpRequestMessage(method, new Uri(_server.Url, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private const string Ingress = """{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.1"}]}}}""";

    [Fact]
    public async Task The_controller_writes_a_services_status_and_the_speaker_is_forbidden_to()
    {
        var speaker = await SendAsync(SpeakerToken, HttpMethod.Patch, "api/v1/namespaces/default/services/web/status", Ingress);
        Assert.Equal(HttpStatusCode.Forbidden, speaker.Code);
        Assert.Equal("services \"web\" is forbidden: User \"system:serviceaccount:metallb-system:bgpkit-speaker\" cannot patch resource \"services/status\" in API group \"\" in the namespace \"default\"",
            System.Text.Json.Nodes.JsonNode.Parse(speaker.Body)!["message"]!.GetValue<string>());
        Assert.Empty(_server.Ingress("default", "web"));

        var controller = await SendAsync(ControllerToken, HttpMethod.Patch, "api/v1/namespaces/default/services/web/status", Ingress);
        Assert.Equal(HttpStatusCode.OK, controller.Code);
        Assert.Equal(["198.51.100.1"], _server.Ingress("default", "web"));
    }

    [Fact]
    public async Task Secrets_are_readable_by_the_speaker_in_the_namespace_and_by_the_controller_only_by_the_certificates_name()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(SpeakerToken, HttpMethod.Get, "api/v1/namespaces/metallb-system/secrets")).Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(SpeakerToken, HttpMethod.Get, "api/v1/secrets")).Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(SpeakerToken, HttpMethod.Get, "api/v1/namespaces/kube-system/secrets")).Code);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(ControllerToken, HttpMethod.Get, "api/v1/namespaces/metallb-system/secrets/bgpkit-webhook-cert")).Code);
        var update = """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bgpkit-webhook-cert","namespace":"metallb-system"},"data":{"tls.crt":"Y2VydA=="}}""";
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(ControllerToken, HttpMethod.Put, "api/v1/namespaces/metallb-system/secrets/bgpkit-webhook-cert", update, "application/json")).Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(ControllerToken, HttpMethod.Get, "api/v1/namespaces/metallb-system/secrets/other")).Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(ControllerToken, HttpMethod.Get, "api/v1/namespaces/metallb-system/secrets")).Code);
    }

    [Fact]
    public async Task A_request_without_a_known_token_is_anonymous_and_forbidden()
    {
        var anonymous = await SendAsync("not-a-token", HttpMethod.Get, "api/v1/services");
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.Code);
        Assert.Contains("system:anonymous", anonymous.Body, StringComparison.Ordinal);
    }
}
