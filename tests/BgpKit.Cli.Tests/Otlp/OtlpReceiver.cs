using System.Net;
using System.Text;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Otlp;

/// <summary>
/// A tiny OTLP/HTTP metrics receiver on loopback (<c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>): it answers
/// every POST to <c>/v1/metrics</c> with 200 and keeps the bodies. It does not decode protobuf; metric and
/// attribute names are UTF-8 strings in an <c>ExportMetricsServiceRequest</c>, so finding one in a body
/// shows that an export named it.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string ContentType, byte[] Body)> _exports = [];
    private readonly Task _loop;

    public OtlpReceiver()
    {
        Port = FreePort.Tcp(IPAddress.Loopback);
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the SDK appends <c>/v1/metrics</c>).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public int Exports
    {
        get
        {
            lock (_exports)
            {
                return _exports.Count;
            }
        }
    }

    /// <summary>True when some export was protobuf and carried <paramref name="text"/>.</summary>
    public bool Received(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        lock (_exports)
        {
            return _exports.Any(e => e.ContentType.StartsWith("application/x-protobuf", StringComparison.Ordinal) && e.Body.AsSpan().IndexOf(bytes) >= 0);
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body).ConfigureAwait(false);
            if (context.Request.HttpMethod == "POST" && context.Request.Url?.AbsolutePath == "/v1/metrics")
            {
                lock (_exports)
                {
                    _exports.Add((context.Request.ContentType ?? string.Empty, body.ToArray()));
                }
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        // Close() alone: after Stop() has removed the prefixes, Close() removes them again, and the managed
        // HttpListener then binds the port anew to find its endpoint, failing with "Address already in use"
        // when another test's socket got the port meanwhile (seen in CI).
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
