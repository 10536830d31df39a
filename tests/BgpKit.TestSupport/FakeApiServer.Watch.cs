using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace BgpKit.TestSupport;

/// <summary>LIST and WATCH: paging, bookmarks, 410 Gone, and how watches end.</summary>
public sealed partial class FakeApiServer
{
    /// <summary>Ends every open watch cleanly, as the server does when a watch's timeout expires.</summary>
    public void CloseWatches()
    {
        lock (_gate)
        {
            foreach (var watch in _watches)
            {
                watch.Lines.Writer.TryComplete();
            }
            _watches.Clear();
        }
    }

    /// <summary>Drops every open watch's connection mid-stream (a network failure).</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var watch in _watches)
            {
                watch.Dropped = true;
                watch.Lines.Writer.TryComplete();
            }
            _watches.Clear();
        }
    }

    /// <summary>Sends a BOOKMARK at the current version on every watch that allowed bookmarks.</summary>
    public void Bookmark()
    {
        lock (_gate)
        {
            foreach (var watch in _watches.Where(w => w.Bookmarks))
            {
                var (apiVersion, plural) = Split(watch.Collection);
                var bookmark = new JsonObject
                {
                    ["type"] = "BOOKMARK",
                    ["object"] = new JsonObject
                    {
                        ["apiVersion"] = apiVersion,
                        ["kind"] = plural,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) },
                    },
                };
                watch.Lines.Writer.TryWrite(bookmark.ToJsonString());
            }
        }
    }

    /// <summary>Open watches of a resource (by plural name).</summary>
    public int OpenWatches(string plural)
    {
        lock (_gate)
        {
            return _watches.Count(w => w.Collection.EndsWith("|" + plural, StringComparison.Ordinal));
        }
    }

    private void Record(Change change)
    {
        _log.Add(change);
        if (_holdDelivery)
        {
            return;
        }
        foreach (var watch in _watches.ToArray())
        {
            if (watch.Matches(change))
            {
                Deliver(watch, change);
            }
        }
    }

    private void Deliver(OpenWatch watch, Change change)
    {
        watch.Lines.Writer.TryWrite($"{{\"type\":\"{change.Type}\",\"object\":{change.Json}}}");
        watch.Delivered++;
        if (CloseWatchAfterEvents is { } limit && watch.Delivered >= limit)
        {
            watch.Lines.Writer.TryComplete();
            watch.Closed = true;
            _watches.Remove(watch);
        }
    }

    private async Task ListAsync(HttpListenerResponse response, string collection, string? ns, string? limit, string? next, Selector selector)
    {
        string body;
        lock (_gate)
        {
            var (apiVersion, plural) = Split(collection);
            var resource = ResourceOf(apiVersion, plural);
            var builtIn = !apiVersion.Contains('/', StringComparison.Ordinal) || resource is { Custom: false };
            var all = Objects(collection).Values.Where(o => (ns is null || Namespace(o) == ns) && selector.Matches(o)).ToArray();
            var offset = 0;
            if (next is not null)
            {
                // A continue token reads the list as it was at its version; this server keeps no
                // old states, so any change since (or ExpireContinueTokens) makes it too old.
                var parts = next.Split(':');
                if (ExpireContinueTokens || parts[0] != _version.ToString(CultureInfo.InvariantCulture))
                {
                    body = "";
                    goto Expired;
                }
                offset = int.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            var size = limit is null ? all.Length : int.Parse(limit, CultureInfo.InvariantCulture);
            var items = new JsonArray();
            foreach (var obj in all.Skip(offset).Take(size))
            {
                var item = (JsonObject)obj.DeepClone();
                if (builtIn)
                {
                    // Typed lists of built-in kinds leave apiVersion and kind out of their items.
                    item.Remove("apiVersion");
                    item.Remove("kind");
                }
                items.Add(item);
            }
            var metadata = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) };
            if (offset + size < all.Length)
            {
                metadata["continue"] = $"{_version}:{offset + size}";
            }
            body = new JsonObject
            {
                ["kind"] = (resource?.Kind ?? all.FirstOrDefault()?["kind"]?.GetValue<string>()) is { } kind ? kind + "List" : "List",
                ["apiVersion"] = apiVersion,
                ["metadata"] = metadata,
                ["items"] = items,
            }.ToJsonString();
        }
    Expired:
        if (body.Length == 0)
        {
            await WriteStatusAsync(response, 410, "Expired", "The provided continue parameter is too old to display a consistent list result.");
            return;
        }
        response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private async Task WatchAsync(HttpListenerResponse response, string collection, string? ns, string? from, bool bookmarks, Selector selector)
    {
        // No version, or "0": the current state as synthetic ADDED events, then what follows.
        var current = from is null or "" or "0";
        var since = current ? 0 : long.Parse(from!, CultureInfo.InvariantCulture);
        OpenWatch? watch = null;
        lock (_gate)
        {
            if (current)
            {
                since = _version;
                var opened = new OpenWatch(collection, ns, bookmarks, since, selector);
                watch = opened;
                foreach (var obj in Objects(collection).Values.Where(o => (ns is null || Namespace(o) == ns) && selector.Matches(o)).ToArray())
                {
                    if (!opened.Closed)
                    {
                        var version = long.Parse(obj["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                        Deliver(opened, new Change(version, collection, Namespace(obj), "ADDED", obj.ToJsonString()));
                    }
                }
                if (!watch.Closed)
                {
                    _watches.Add(watch);
                }
            }
            else if (since >= _compactedTo)
            {
                var opened = new OpenWatch(collection, ns, bookmarks, since, selector);
                watch = opened;
                foreach (var change in _log.Where(c => c.Version > since && opened.Matches(c)).ToArray())
                {
                    if (!opened.Closed)
                    {
                        Deliver(opened, change);
                    }
                }
                if (!watch.Closed)
                {
                    _watches.Add(watch);
                }
            }
        }
        if (watch is null && GoneAsHttpStatus)
        {
            await WriteStatusAsync(response, 410, "Expired", $"too old resource version: {since} ({_compactedTo})");
            return;
        }
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.SendChunked = true;
        var output = response.OutputStream;
        if (watch is null)
        {
            await WriteLineAsync(output, GoneEvent(since));
            response.Close();
            return;
        }
        try
        {
            await output.FlushAsync();
            await foreach (var line in watch.Lines.Reader.ReadAllAsync())
            {
                await WriteLineAsync(output, line);
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away. HttpListener says so only at the next write; the API server then forgets the
            // watch, and so does this one (it used to keep it, counted by OpenWatches and fed forever).
            lock (_gate)
            {
                _watches.Remove(watch);
            }
            watch.Lines.Writer.TryComplete();
            return;
        }
        if (watch.Dropped)
        {
            // Cut off mid-event, as a reset connection leaves it.
            await output.WriteAsync("{\"type\":\"MODIFIED\",\"obj"u8.ToArray());
            await output.FlushAsync();
            response.Abort();
        }
        else
        {
            response.Close();
        }
    }

    private string GoneEvent(long since) => new JsonObject
    {
        ["type"] = "ERROR",
        ["object"] = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["status"] = "Failure",
            ["message"] = $"too old resource version: {since} ({_compactedTo})",
            ["reason"] = "Expired",
            ["code"] = 410,
        },
    }.ToJsonString();

    private static async Task WriteLineAsync(Stream output, string line)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        await output.FlushAsync();
    }

    private sealed record Change(long Version, string Collection, string? Namespace, string Type, string Json);

    private sealed class OpenWatch(string collection, string? ns, bool bookmarks, long from, Selector selector)
    {
        public string Collection { get; } = collection;
        public bool Bookmarks { get; } = bookmarks;
        public long From { get; } = from;
        public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();
        public int Delivered { get; set; }
        public bool Dropped { get; set; }
        public bool Closed { get; set; }

        public bool Matches(Change change) =>
            change.Collection == Collection && (ns is null || change.Namespace == ns) && (selector.IsEmpty || selector.Matches((JsonObject)JsonNode.Parse(change.Json)!));
    }
}
