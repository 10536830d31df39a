using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
namespace BgpKit.TestSupport;

/// <summary>
/// A Kubernetes API server on loopback that behaves like the real one where the speaker depends
/// on it: one monotonically increasing resourceVersion across all objects; LIST answers the items
/// with <c>metadata.resourceVersion</c> (built-in kinds' items without apiVersion and kind, as
/// typed lists are); WATCH streams chunked newline-delimited events after the given version and
/// then live ones, with BOOKMARKs when asked; a version older than the compaction point gets 410
/// Gone (an ERROR event in a 200 stream, as a real server answers a watch, or an HTTP 410 status);
/// watches end when told (cleanly, like the server's timeout, or by dropping the connection), and
/// optionally after a number of events. Requests without the expected bearer token get 401.
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
    private bool _holdDelivery;

    public FakeApiServer()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Tcp();
            Url = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(Url.ToString());
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

    public Uri Url { get; }

    /// <summary>The bearer token every request must carry (null: no authentication).</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Answer a too-old watch with HTTP 410 instead of an ERROR event.</summary>
    public bool GoneAsHttpStatus { get; set; }

    /// <summary>End each watch after this many events (the real server ends them on a timer).</summary>
    public int? CloseWatchAfterEvents { get; set; }

    /// <summary>Answer requests whose path ends with this plural name with 503 (an overloaded or restarting server).</summary>
    public string? Unavailable { get; set; }

    /// <summary>Answer every LIST continuation with 410 Gone (the token's version was compacted).</summary>
    public bool ExpireContinueTokens { get; set; }

    /// <summary>Every request as <c>GET path?query</c>, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

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

    /// <summary>Creates or replaces an object given as JSON (apiVersion, kind, metadata.name, ...).</summary>
    public long Put(string json)
    {
        var obj = (JsonObject)JsonNode.Parse(json)!;
        lock (_gate)
        {
            var collection = CollectionOf(obj);
            var key = KeyOf(obj);
            var objects = Objects(collection);
            var type = objects.ContainsKey(key) ? "MODIFIED" : "ADDED";
            var version = ++_version;
            ((JsonObject)obj["metadata"]!)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            ((JsonObject)obj["metadata"]!)["uid"] ??= Guid.NewGuid().ToString();
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
            var collection = apiVersion + "|" + Plural(kind);
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
        try
        {
            Requests.Enqueue(request.HttpMethod + " " + request.Url!.PathAndQuery);
            if (RequiredToken is { } token && request.Headers["Authorization"] != "Bearer " + token)
            {
                await WriteStatusAsync(response, 401, "Unauthorized", "Unauthorized");
                return;
            }
            if (Unavailable is { } plural && request.Url.AbsolutePath.EndsWith("/" + plural, StringComparison.Ordinal))
            {
                await WriteStatusAsync(response, 503, "ServiceUnavailable", "the server is currently unable to handle the request");
                return;
            }
            if (request.HttpMethod == "PATCH")
            {
                await PatchStatusAsync(request, response);
                return;
            }
            if (!TryParse(request.Url.AbsolutePath, out var collection, out var ns))
            {
                await WriteStatusAsync(response, 404, "NotFound", "the server could not find the requested resource");
                return;
            }
            if (request.QueryString["watch"] is "true" or "1")
            {
                await WatchAsync(response, collection, ns, request.QueryString["resourceVersion"], request.QueryString["allowWatchBookmarks"] == "true");
            }
            else
            {
                await ListAsync(response, collection, ns, request.QueryString["limit"], request.QueryString["continue"]);
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away.
        }
    }

    /// <summary>A JSON merge patch of a Service's status subresource: /api/v1/namespaces/NS/services/NAME/status.</summary>
    private async Task PatchStatusAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        var segments = request.Url!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is not ["api", "v1", "namespaces", var ns, "services", var name, "status"]
            || request.ContentType != "application/merge-patch+json; charset=utf-8" && request.ContentType != "application/merge-patch+json")
        {
            await WriteStatusAsync(response, 415, "UnsupportedMediaType", "only merge patches of services/status");
            return;
        }
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var patch = (JsonObject)JsonNode.Parse(await reader.ReadToEndAsync())!;
        string body;
        lock (_gate)
        {
            if (!Objects("v1|services").TryGetValue(ns + "/" + name, out var obj))
            {
                body = "";
            }
            else
            {
                var status = obj["status"] as JsonObject ?? new JsonObject();
                foreach (var (key, value) in (JsonObject)patch["status"]!)
                {
                    status[key] = value?.DeepClone();
                }
                obj["status"] = status;
                var version = ++_version;
                ((JsonObject)obj["metadata"]!)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
                Record(new Change(version, "v1|services", ns, "MODIFIED", obj.ToJsonString()));
                body = obj.ToJsonString();
            }
        }
        if (body.Length == 0)
        {
            await WriteStatusAsync(response, 404, "NotFound", $"services \"{name}\" not found");
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
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

    private static async Task WriteStatusAsync(HttpListenerResponse response, int code, string reason, string message)
    {
        response.StatusCode = code;
        response.ContentType = "application/json";
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        }.ToJsonString());
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    private SortedDictionary<string, JsonObject> Objects(string collection)
    {
        if (!_collections.TryGetValue(collection, out var objects))
        {
            _collections[collection] = objects = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }
        return objects;
    }

    /// <summary>/api/v1/services, /api/v1/namespaces/NS/services, /apis/GROUP/VERSION[/namespaces/NS]/PLURAL.</summary>
    private static bool TryParse(string path, out string collection, out string? ns)
    {
        collection = "";
        ns = null;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string apiVersion;
        string[] rest;
        if (segments is ["api", var version, .. var r])
        {
            apiVersion = version;
            rest = r;
        }
        else if (segments is ["apis", var group, var v, .. var r2])
        {
            apiVersion = group + "/" + v;
            rest = r2;
        }
        else
        {
            return false;
        }
        if (rest is ["namespaces", var n, var plural])
        {
            ns = n;
            collection = apiVersion + "|" + plural;
            return true;
        }
        if (rest is [var clusterPlural])
        {
            collection = apiVersion + "|" + clusterPlural;
            return true;
        }
        return false;
    }

    private static string CollectionOf(JsonObject obj) => obj["apiVersion"]!.GetValue<string>() + "|" + Plural(obj["kind"]!.GetValue<string>());

    private static string Plural(string kind)
    {
        var lower = kind.ToLowerInvariant();
        return lower.EndsWith('y') ? lower[..^1] + "ies" : lower + "s";
    }

    private static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    private static string KeyOf(JsonObject obj) => Namespace(obj) is { } ns ? ns + "/" + obj["metadata"]!["name"]!.GetValue<string>() : obj["metadata"]!["name"]!.GetValue<string>();

    private static (string ApiVersion, string Plural) Split(string collection)
    {
        var bar = collection.IndexOf('|', StringComparison.Ordinal);
        return (collection[..bar], collection[(bar + 1)..]);
    }
}
