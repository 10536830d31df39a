using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.Models;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// The little of the Kubernetes API the reflector needs, on KubernetesClient's connection (its
/// <c>HttpClient</c>, TLS setup and <c>Credentials</c>, so every credential kind of a kubeconfig
/// works): LIST a collection (its items and <c>metadata.resourceVersion</c>, in pages) and WATCH
/// it from a resourceVersion (newline-delimited JSON events, with bookmarks); and the typed status
/// patch of a Service. Failures become <see cref="KubernetesApiException"/>s whose one-line message
/// says what failed (the HTTP status with a hint for 401 and 403, a TLS failure in words); no
/// token or key ever reaches one.
/// </summary>
/// <remarks>
/// LIST and WATCH are raw requests through <c>HttpClient</c> + <c>Credentials.ProcessHttpRequestAsync</c>
/// rather than the generated calls: the reflector treats eleven kinds alike as JSON (the custom
/// resources have no generated models, and <c>CustomObjects</c> answers untyped objects anyway),
/// needs the raw ERROR event's metav1.Status code to see 410 Gone, and pages with <c>continue</c>;
/// the generated <c>Watcher&lt;T&gt;</c> would type each kind and hide those. Writes use the typed calls.
/// </remarks>
internal sealed class KubernetesApiClient : IDisposable
{
    private const int MaxStatusMessage = 300;

    private readonly k8s.Kubernetes _client;
    private readonly string? _tlsServerName;
    private readonly string _authority;
    private readonly string _trust;
    private readonly ServerCertificateCheck? _check;

    public KubernetesApiClient(KubernetesApiOptions options)
    {
        _client = options.CreateClient(out _check);
        _tlsServerName = options.Kubeconfig?.TlsServerName;
        _authority = options.Server.GetLeftPart(UriPartial.Authority).Replace(options.Server.UserInfo + "@", "", StringComparison.Ordinal);
        _trust = options.TrustDescription;
    }

    /// <summary>How many objects one LIST page asks for (<c>limit</c>); later pages follow <c>continue</c>.</summary>
    public int ListPageSize { get; init; } = 500;

    /// <summary>
    /// LISTs a collection: a consistent read of every object and the resourceVersion to watch
    /// from, in pages of <see cref="ListPageSize"/>. When a continue token has expired (410 Gone
    /// mid-way), it reads the whole list in one request instead, as client-go's pager does.
    /// </summary>
    /// <exception cref="KubernetesApiException">The server answered with an error status.</exception>
    public async Task<ResourceList> ListAsync(string path, CancellationToken cancellationToken)
    {
        var items = new List<JsonObject>();
        string? next = null;
        while (true)
        {
            var query = $"{path}?limit={ListPageSize}" + (next is null ? "" : "&continue=" + Uri.EscapeDataString(next));
            JsonObject page;
            try
            {
                page = await GetObjectAsync(query, path, cancellationToken).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsGone && next is not null)
            {
                var whole = await GetObjectAsync(path, path, cancellationToken).ConfigureAwait(false);
                return new ResourceList(Items(whole), Version(whole));
            }
            items.AddRange(Items(page));
            next = (page["metadata"] as JsonObject)?["continue"]?.GetValue<string>();
            if (string.IsNullOrEmpty(next))
            {
                // Every page is read at the first page's version; the last one says it too.
                return new ResourceList(items, Version(page));
            }
        }
    }

    private static IReadOnlyList<JsonObject> Items(JsonObject list) => (list["items"] as JsonArray ?? []).OfType<JsonObject>().ToArray();

    private static string Version(JsonObject list) => (list["metadata"] as JsonObject)?["resourceVersion"]?.GetValue<string>() ?? "";

    private async Task<JsonObject> GetObjectAsync(string pathAndQuery, string path, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(pathAndQuery, cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, path, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
                ?? throw new KubernetesApiException(0, $"LIST {path}: the answer is not a JSON object");
        }
    }

    /// <summary>
    /// WATCHes a collection from <paramref name="resourceVersion"/> until the server ends the stream
    /// (after about <paramref name="timeout"/>) or <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <exception cref="KubernetesApiException">The server refused the watch (410 Gone when the version is too old).</exception>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string path, string resourceVersion, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"{path}?watch=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&allowWatchBookmarks=true&timeoutSeconds={(int)timeout.TotalSeconds}";
        using var request = await RequestAsync(query, cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, path, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    yield return WatchEvent.Parse(line, path);
                }
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.HttpClient.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesApiException(0, $"{request.Method.Method} {path}: " + TransportFailure(e));
        }
    }

    /// <summary>What went wrong below HTTP, in words: HttpClient's own message for a TLS failure only says "see inner exception".</summary>
    private string TransportFailure(HttpRequestException e)
    {
        if (FindInner<AuthenticationException>(e) is not null)
        {
            if (_check?.LastRejection is { } reason)
            {
                return $"TLS handshake with {_authority} failed: {reason}";
            }
            return $"TLS handshake with {_authority} failed: the server's certificate was not accepted: it must chain to {_trust} "
                + $"and name {(_tlsServerName is null ? "the host of the server URL" : _tlsServerName + " (tls-server-name)")}";
        }
        var inner = e.InnerException is { } i ? ": " + i.Message : "";
        return $"cannot reach {_authority}: {e.Message}{inner}";
    }

    private static T? FindInner<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>A GET with the client's credentials (token, exec plugin, OIDC: whichever the configuration gave), as the library's own calls send.</summary>
    private async Task<HttpRequestMessage> RequestAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        // Relative to the base, as the library's own calls are: a server URL with a path (a proxy in front of the API server) keeps it.
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_client.BaseUri, pathAndQuery.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            if (_client.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KubeConfigException)
        {
            // A token file that went away, or an exec plugin that failed to renew its credential; never
            // the library's message, which for a plugin can quote its output.
            request.Dispose();
            var why = e is KubeConfigException
                ? "the exec credential plugin did not renew the credential (run it by hand to see why)"
                : $"cannot read the token file ({e.GetType().Name})";
            throw new KubernetesApiException(0, $"GET {pathAndQuery.Split('?')[0]}: {why}");
        }
        if (_tlsServerName is not null)
        {
            // As the library's own requests: the Host header carries tls-server-name, and SocketsHttpHandler checks the certificate against it.
            request.Headers.Host = _tlsServerName;
        }
        return request;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        string? body = null;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
        }
        throw Refused(response.RequestMessage?.Method.Method ?? "GET", path, response.StatusCode, response.ReasonPhrase, body);
    }

    internal static KubernetesApiException Refused(string method, string path, HttpStatusCode status, string? reason, string? body)
    {
        // The body of an error is a metav1.Status; its message says why (never our token: it only travels in a header).
        string? message = null;
        try
        {
            message = (JsonNode.Parse(body ?? "") as JsonObject)?["message"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }
        if (message is { Length: > MaxStatusMessage })
        {
            message = message[..MaxStatusMessage] + "...";
        }
        var hint = status switch
        {
            HttpStatusCode.Unauthorized => " (the server did not accept the credentials: no or wrong token or client certificate)",
            HttpStatusCode.Forbidden => " (the credentials were accepted but may not do this: check the RBAC rules)",
            _ => "",
        };
        return new KubernetesApiException((int)status,
            $"{method} {path}: {(int)status} {reason}" + (message is null ? "" : ": " + message) + hint);
    }
}

/// <summary>The answer to a LIST: the objects and the collection's resourceVersion.</summary>
internal sealed record ResourceList(IReadOnlyList<JsonObject> Items, string ResourceVersion);

/// <summary>One watch event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, and its object (a metav1.Status for ERROR).</summary>
internal sealed record WatchEvent(string Type, JsonObject Object)
{
    public static WatchEvent Parse(string line, string path)
    {
        JsonObject? node;
        try
        {
            node = JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new KubernetesApiException(0, $"WATCH {path}: an event is not valid JSON: {e.Message}");
        }
        var type = node?["type"]?.GetValue<string>();
        if (type is null || node!["object"] is not JsonObject obj)
        {
            throw new KubernetesApiException(0, $"WATCH {path}: an event without type or object");
        }
        return new WatchEvent(type, obj);
    }

    /// <summary>The object's <c>metadata.resourceVersion</c>, if any.</summary>
    public string? ResourceVersion => (Object["metadata"] as JsonObject)?["resourceVersion"]?.GetValue<string>();
}

/// <summary>
/// The API server answered with an error: an HTTP status, or an ERROR watch event's code
/// (<see cref="StatusCode"/> 0 for a transport-level problem such as an unreadable answer).
/// </summary>
internal sealed class KubernetesApiException : Exception
{
    public KubernetesApiException(int statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public int StatusCode { get; }

    /// <summary>410 Gone: the resourceVersion is older than the server keeps; LIST again.</summary>
    public bool IsGone => StatusCode == (int)HttpStatusCode.Gone;
}
