using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// The little of the Kubernetes API the speaker needs, over <see cref="HttpClient"/>: LIST a
/// collection (its items and <c>metadata.resourceVersion</c>) and WATCH it from a resourceVersion
/// (newline-delimited JSON events, with bookmarks). The bearer token is read from its file for
/// each request, put only in the Authorization header, and never in a message or a log. A client
/// certificate is presented in the TLS handshake. Transport failures (no connection, a rejected
/// server certificate) become <see cref="KubernetesApiException"/>s that say what failed.
/// </summary>
internal sealed class KubernetesApiClient : IDisposable
{
    private const int MaxStatusMessage = 300;

    private readonly HttpClient _http;
    private readonly string? _tokenFile;
    private readonly string? _token;
    private readonly string _authority;
    private readonly ServerCertificateCheck? _check;

    public KubernetesApiClient(KubernetesApiOptions options)
        : this(options, CreateHandler(options, out var check), check)
    {
    }

    // For testing.
    internal KubernetesApiClient(KubernetesApiOptions options, HttpMessageHandler handler, ServerCertificateCheck? check = null)
    {
        _tokenFile = options.TokenFile;
        _token = options.Token;
        _authority = options.Server.GetLeftPart(UriPartial.Authority).Replace(options.Server.UserInfo + "@", "", StringComparison.Ordinal);
        _check = check;
        // Watches stay open for minutes: the server's timeoutSeconds and the caller's token bound them, not HttpClient.
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = options.Server, Timeout = Timeout.InfiniteTimeSpan };
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

    /// <summary>
    /// Sets a Service's <c>status.loadBalancer.ingress</c> (a JSON merge patch of its status
    /// subresource), as MetalLB's controller does once it has allocated the addresses.
    /// </summary>
    /// <exception cref="KubernetesApiException">The server refused the patch.</exception>
    public async Task PatchServiceIngressAsync(string ns, string name, IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var path = $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/services/{Uri.EscapeDataString(name)}/status";
        var ingress = new JsonArray(addresses.Select(a => (JsonNode)new JsonObject { ["ip"] = a }).ToArray());
        var patch = new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = ingress } } };
        using var request = await RequestAsync(path, cancellationToken).ConfigureAwait(false);
        request.Method = HttpMethod.Patch;
        request.Content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, path, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesApiException(0, $"{request.Method.Method} {path}: " + TransportFailure(e));
        }
    }

    /// <summary>What went wrong below HTTP, in words: HttpClient's own message for a TLS failure only says "see inner exception".</summary>
    private string TransportFailure(HttpRequestException e)
    {
        if (FindInner<AuthenticationException>(e) is { } tls)
        {
            var reason = _check?.LastRejection ?? tls.Message;
            return $"TLS handshake with {_authority} failed: {reason}";
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

    private async Task<HttpRequestMessage> RequestAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_tokenFile is null && _token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }
        else if (_tokenFile is not null)
        {
            string token;
            try
            {
                // Re-read every time: projected service-account tokens are rotated in place.
                token = (await File.ReadAllTextAsync(_tokenFile, cancellationToken).ConfigureAwait(false)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                request.Dispose();
                throw new KubernetesApiException(0, $"cannot read the token file {_tokenFile}: {e.GetType().Name}");
            }
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return request;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        // The body of an error is a metav1.Status; its message says why (never our token: we only send it in a header).
        string? message = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            message = (JsonNode.Parse(body) as JsonObject)?["message"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or HttpRequestException or IOException)
        {
        }
        if (message is { Length: > MaxStatusMessage })
        {
            message = message[..MaxStatusMessage] + "...";
        }
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => " (the server did not accept the credentials: no or wrong token or client certificate)",
            HttpStatusCode.Forbidden => " (the credentials were accepted but may not read this: check the RBAC rules)",
            _ => "",
        };
        throw new KubernetesApiException((int)response.StatusCode,
            $"{response.RequestMessage?.Method.Method ?? "GET"} {path}: {(int)response.StatusCode} {response.ReasonPhrase}" + (message is null ? "" : ": " + message) + hint);
    }

    private static SocketsHttpHandler CreateHandler(KubernetesApiOptions options, out ServerCertificateCheck? check)
    {
        var handler = new SocketsHttpHandler
        {
            // Eleven watches stay open at once; the connection pool must not queue them behind each other.
            MaxConnectionsPerServer = 64,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (options.ClientCertificate is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }
        check = null;
        if (options.InsecureSkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            return handler;
        }
        X509Certificate2Collection? roots = null;
        string? rootsSource = null;
        if (options.CaPem is { } pem)
        {
            roots = [];
            roots.ImportFromPem(pem);
            rootsSource = "certificate-authority-data";
        }
        else if (options.CaFile is { } caFile)
        {
            roots = [];
            roots.ImportFromPemFile(caFile);
            rootsSource = caFile;
        }
        var serverCheck = new ServerCertificateCheck(roots, rootsSource, options.TlsServerName);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => serverCheck.Accept(certificate, errors);
        check = serverCheck;
        return handler;
    }

    /// <summary>Accepts a server certificate that names the host and chains to one of <paramref name="roots"/>.</summary>
    internal static bool TrustedBy(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors) =>
        new ServerCertificateCheck(roots, "the CA", null).Accept(certificate, errors);
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
