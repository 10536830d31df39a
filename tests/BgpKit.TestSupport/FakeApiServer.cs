using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// A Kubernetes API server on loopback (HttpListener) that behaves like the real one where
/// MetalLB's controller and speaker depend on it, checked against kubectl and KubernetesClient:
/// <list type="bullet">
/// <item>Generic REST on any <c>/api/v1/...</c> or <c>/apis/GROUP/VERSION/...</c> path: GET, LIST,
/// WATCH, POST, PUT, PATCH (merge, strategic for built-in kinds, JSON patch), DELETE, with the
/// real server's metav1.Status errors (NotFound, AlreadyExists, Conflict, Forbidden, ...).</item>
/// <item>One resourceVersion counter across all objects; generation bumps on spec changes only;
/// the status subresource per <see cref="FakeApiResource"/>; CRD defaults per <see cref="Defaults"/>;
/// ownerReference garbage collection and finalizers on delete.</item>
/// <item>LIST with paging and selectors; WATCH as chunked newline-delimited events after a
/// version, with BOOKMARKs when asked; a version older than the compaction point gets 410 Gone
/// (an ERROR event in a 200 stream, as a real server answers a watch, or an HTTP 410 status);
/// watches end when told (cleanly, like the server's timeout, or by dropping the connection),
/// and optionally after a number of events.</item>
/// <item>Legacy discovery and a minimal OpenAPI v3, which kubectl reads before it writes.</item>
/// <item>Requests without <see cref="RequiredToken"/> get 401; <see cref="Authorizer"/> decides the rest.</item>
/// </list>
/// <see cref="Put"/>, <see cref="Delete"/> and <see cref="Gap"/> change the store directly, as if
/// written to etcd: no defaults, no status rules, so tests can seed exactly what they need.
/// </summary>
public sealed partial class FakeApiServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _collections = new(StringComparer.Ordinal);
    private readonly List<Change> _log = [];
    private readonly List<OpenWatch> _watches = [];
    private readonly Task _serving;
    private long _version = 1000;
    private long _compactedTo;
    private readonly TimeProvider _time;
    private bool _holdDelivery;

    /// <summary>Starts serving on a free loopback port; <paramref name="time"/> stamps creationTimestamp and deletionTimestamp.</summary>
    /// <param name="time">Stamps creation and deletion timestamps.</param>
    /// <param name="anyHost">
    /// Answer whatever the Host header says, as kube-apiserver does: KubernetesClient sends a
    /// kubeconfig's tls-server-name as the Host header, which HttpListener would otherwise answer with 404.
    /// </param>
    public FakeApiServer(TimeProvider? time = null, bool anyHost = false)
    {
        _time = time ?? TimeProvider.System;
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Tcp();
            Url = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(anyHost ? $"http://*:{port}/" : Url.ToString());
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The server's base address, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The bearer token every request must carry (null: no authentication).</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Answer a too-old watch with HTTP 410 instead of an ERROR event.</summary>
    public bool GoneAsHttpStatus { get; set; }

    /// <summary>End each watch after this many events (the real server ends them on a timer).</summary>
    public int? CloseWatchAfterEvents { get; set; }

    /// <summary>Answer requests whose path ends with this plural name with 503 (an overloaded or restarting server).</summary>
    public string? Unavailable { get; set; }

    /// <summary>Answer requests whose path ends with this plural name with 404, as a server without that CRD does.</summary>
    public string? NotInstalled { get; set; }

    /// <summary>Answer every LIST continuation with 410 Gone (the token's version was compacted).</summary>
    public bool ExpireContinueTokens { get; set; }

    /// <summary>Every request as <c>GET path?query</c>, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The newest resourceVersion handed out (one counter across all objects, as etcd's revision).</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    /// <summary>Creates or replaces an object given as JSON (apiVersion, kind, metadata.name, ...), stored as given.</summary>
    public long Put(string json)
    {
        var obj = (JsonObject)JsonNode.Parse(json)!;
        lock (_gate)
        {
            var collection = CollectionOf(obj);
            var key = KeyOf(obj);
            var objects = Objects(collection);
            var type = objects.TryGetValue(key, out var existing) ? "MODIFIED" : "ADDED";
            var version = ++_version;
            ((JsonObject)obj["metadata"]!)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            // An update keeps the object's identity, as on a real server: only a new object gets a new uid.
            ((JsonObject)obj["metadata"]!)["uid"] ??= existing?["metadata"]?["uid"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
            objects[key] = obj;
            Record(new Change(version, collection, Namespace(obj), type, obj.ToJsonString()));
            return version;
        }
    }

    /// <summary>Deletes an object; the DELETED event carries its last state at a new version.</summary>
    public long Delete(string apiVersion, string kind, string? ns, string name)
    {
        lock (_gate)
        {
            var collection = apiVersion + "|" + (ResourceOfKind(apiVersion, kind)?.Plural ?? Plural(kind));
            var key = ns is null ? name : ns + "/" + name;
            var obj = Objects(collection)[key];
            Objects(collection).Remove(key);
            var version = ++_version;
            ((JsonObject)obj["metadata"]!)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            Record(new Change(version, collection, ns, "DELETED", obj.ToJsonString()));
            return version;
        }
    }

    /// <summary>
    /// Runs <paramref name="changes"/> without telling any watch, then compacts the history, so a
    /// client learns of them only by LISTing again: by default every watch is ended first and the
    /// client's resume gets 410 Gone; with <paramref name="expireOpenWatches"/> the open watches
    /// stay open and then receive an ERROR event with code 410 (the watch cache fell behind).
    /// </summary>
    public void Gap(Action changes, bool expireOpenWatches = false)
    {
        lock (_gate)
        {
            if (!expireOpenWatches)
            {
                CloseWatches();
            }
            _holdDelivery = true;
            try
            {
                changes();
            }
            finally
            {
                _holdDelivery = false;
            }
            _compactedTo = _version;
            foreach (var watch in _watches)
            {
                watch.Lines.Writer.TryWrite(GoneEvent(watch.From));
                watch.Lines.Writer.TryComplete();
            }
            _watches.Clear();
        }
    }

    /// <summary>Forgets the history up to now: watches from older versions get 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _compactedTo = _version;
        }
    }

    /// <summary>The requests for a resource's collection (by plural name), LISTs and WATCHes.</summary>
    public IReadOnlyList<string> RequestsFor(string plural) =>
        Requests.Where(r => r.Split('?')[0].EndsWith("/" + plural, StringComparison.Ordinal)).ToArray();

    public void Dispose()
    {
        DropWatches();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }

    /// <summary>The addresses in a Service's status.loadBalancer.ingress.</summary>
    public string[] Ingress(string ns, string name)
    {
        lock (_gate)
        {
            var obj = Objects("v1|services")[ns + "/" + name];
            return (obj["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).Select(e => e!["ip"]!.GetValue<string>()).ToArray();
        }
    }

    /// <summary>The stored object (a copy), or null: what a GET would answer, without going over HTTP.</summary>
    public JsonObject? Get(string apiVersion, string plural, string? ns, string name)
    {
        lock (_gate)
        {
            return Objects(apiVersion + "|" + plural).TryGetValue(ns is null ? name : ns + "/" + name, out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            Requests.Enqueue(request.HttpMethod + " " + request.Url!.PathAndQuery);
            var bearer = request.Headers["Authorization"] is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
            if (RequiredToken is { } token && bearer != token)
            {
                await WriteStatusAsync(response, 401, "Unauthorized", "Unauthorized");
                return;
            }
            if (Unavailable is { } plural && request.Url.AbsolutePath.EndsWith("/" + plural, StringComparison.Ordinal))
            {
                await WriteStatusAsync(response, 503, "ServiceUnavailable", "the server is currently unable to handle the request");
                return;
            }
            if (NotInstalled is { } missing && request.Url.AbsolutePath.EndsWith("/" + missing, StringComparison.Ordinal))
            {
                await WriteStatusAsync(response, 404, "NotFound", "the server could not find the requested resource");
                return;
            }
            if (Discovery(request.Url.AbsolutePath) is { } document)
            {
                await WriteJsonAsync(response, 200, document);
                return;
            }
            if (!TryParse(request.Url.AbsolutePath, out var path))
            {
                await WriteStatusAsync(response, 404, "NotFound", "the server could not find the requested resource");
                return;
            }
            var watch = request.QueryString["watch"] is "true" or "1";
            var verb = (request.HttpMethod, path.Name, watch) switch
            {
                ("GET", null, true) => "watch",
                ("GET", null, false) => "list",
                ("GET", _, _) => "get",
                ("POST", _, _) => "create",
                ("PUT", _, _) => "update",
                ("PATCH", _, _) => "patch",
                ("DELETE", null, _) => "deletecollection",
                ("DELETE", _, _) => "delete",
                _ => "",
            };
            var user = bearer is not null && TokenUsers.TryGetValue(bearer, out var named) ? named : "system:anonymous";
            if (Authorizer is { } authorize && !authorize((verb, path.Group, path.Plural, path.Subresource, path.Namespace, user))
                || RequestAuthorizer is { } decide && !decide(new AuthorizationRequest(verb, path.Group, path.Plural, path.Subresource, path.Namespace, path.Name, user)))
            {
                await WriteAsync(response, Forbidden(path, verb, user));
                return;
            }
            var selector = Selector.Parse(request.QueryString["fieldSelector"], request.QueryString["labelSelector"]);
            switch (verb)
            {
                case "watch":
                    await WatchAsync(response, path.Collection, path.Namespace, request.QueryString["resourceVersion"], request.QueryString["allowWatchBookmarks"] == "true", selector);
                    break;
                case "list":
                    await ListAsync(response, path.Collection, path.Namespace, request.QueryString["limit"], request.QueryString["continue"], selector);
                    break;
                case "get":
                    await WriteAsync(response, Read(path));
                    break;
                case "create" when path.Name is null:
                    await WriteAsync(response, Create(path, await ReadBodyAsync(request)));
                    break;
                case "update":
                    await WriteAsync(response, Replace(path, await ReadBodyAsync(request)));
                    break;
                case "patch":
                    await WriteAsync(response, Patch(path, request.ContentType, await ReadBodyAsync(request)));
                    break;
                case "delete":
                    var options = request.HasEntityBody ? await ReadBodyAsync(request) : null;
                    await WriteAsync(response, Remove(path, options as JsonObject));
                    break;
                default:
                    await WriteStatusAsync(response, 405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or InvalidCastException or NullReferenceException)
        {
            // A request the fake cannot handle: say so, as the real server answers 500, rather than hang the client.
            try
            {
                await WriteStatusAsync(response, 500, "InternalError", "fake API server: " + e.Message);
            }
            catch (Exception again) when (again is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The response had already started or the client went away.
            }
        }
        finally
        {
            RecordAudit(arrived, request, response);
        }
    }

    private static async Task<JsonNode?> ReadBodyAsync(HttpListenerRequest request)
    {
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static Task WriteAsync(HttpListenerResponse response, Reply reply) => WriteJsonAsync(response, reply.Code, reply.Body);

    private static async Task WriteJsonAsync(HttpListenerResponse response, int code, JsonNode body)
    {
        response.StatusCode = code;
        response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static Task WriteStatusAsync(HttpListenerResponse response, int code, string reason, string message) =>
        WriteAsync(response, Failure(code, reason, message));

    /// <summary>A metav1.Status failure, with details naming the object as the real server does.</summary>
    private static Reply Failure(int code, string reason, string message, ResourcePath? path = null, string? name = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (path is not null)
        {
            var details = new JsonObject();
            if ((name ?? path.Name) is { } named)
            {
                details["name"] = named;
            }
            if (path.Group.Length > 0)
            {
                details["group"] = path.Group;
            }
            details["kind"] = path.Plural;
            status["details"] = details;
        }
        status["code"] = code;
        return new Reply(code, status);
    }

    private SortedDictionary<string, JsonObject> Objects(string collection)
    {
        if (!_collections.TryGetValue(collection, out var objects))
        {
            _collections[collection] = objects = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }
        return objects;
    }

    private string CollectionOf(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var kind = obj["kind"]!.GetValue<string>();
        return apiVersion + "|" + (ResourceOfKind(apiVersion, kind)?.Plural ?? Plural(kind));
    }

    private static string Plural(string kind)
    {
        var lower = kind.ToLowerInvariant();
        return lower.EndsWith('y') ? lower[..^1] + "ies" : lower.EndsWith('s') ? lower + "es" : lower + "s";
    }

    private static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    private static string KeyOf(JsonObject obj) => Namespace(obj) is { } ns ? ns + "/" + obj["metadata"]!["name"]!.GetValue<string>() : obj["metadata"]!["name"]!.GetValue<string>();

    private static (string ApiVersion, string Plural) Split(string collection)
    {
        var bar = collection.IndexOf('|', StringComparison.Ordinal);
        return (collection[..bar], collection[(bar + 1)..]);
    }

    /// <summary>An HTTP status code and the JSON body that goes with it.</summary>
    private readonly record struct Reply(int Code, JsonNode Body);
}
