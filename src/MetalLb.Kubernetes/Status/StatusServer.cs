using System.Net;
using System.Text;
using BgpKit.MetalLb.Kubernetes.Metrics;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Status;

/// <summary>
/// The speaker's status endpoint (127.0.0.1:7473 by default): JSON views for <c>bgpkit show</c> and
/// Prometheus text at <c>/metrics</c>. Read-only, GET only.
/// </summary>
/// <remarks>
/// Built on <see cref="HttpListener"/>, which is part of the base class library: a package that
/// needed Kestrel would force every embedding application onto the ASP.NET Core shared framework
/// for a loopback endpoint that serves a handful of small documents to operators and scrapers.
/// </remarks>
public sealed partial class StatusServer : IAsyncDisposable
{
    /// <summary>The default address, as the issue and FRR-K8s' metrics port convention suggest.</summary>
    public static readonly IPEndPoint DefaultEndPoint = new(IPAddress.Loopback, 7473);

    private readonly HttpListener _listener = new();
    private readonly ISpeakerStatus? _status;
    private readonly Func<ControllerView>? _controller;
    private readonly Func<bool>? _ready;
    private readonly PrometheusExporter? _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Prepares an endpoint on <paramref name="endPoint"/>; call <see cref="Start"/> to listen.</summary>
    public StatusServer(IPEndPoint endPoint, ISpeakerStatus status, PrometheusExporter? metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(status);
        _status = status;
        _metrics = metrics;
        (EndPoint, _logger) = Listen(endPoint, logger);
    }

    /// <summary>The controller's endpoint: <c>/metrics</c> and <c>/v1/controller</c>.</summary>
    internal StatusServer(IPEndPoint endPoint, PrometheusExporter metrics, Func<ControllerView> controller, Func<bool> ready, ILogger logger)
    {
        _metrics = metrics;
        _controller = controller;
        _ready = ready;
        (EndPoint, _logger) = Listen(endPoint, logger);
    }

    private (IPEndPoint EndPoint, ILogger Logger) Listen(IPEndPoint endPoint, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(logger);
        var host = endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString();
        if (endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            host = "+";
        }
        _listener.Prefixes.Add($"http://{host}:{endPoint.Port}/");
        return (endPoint, logger);
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Starts listening and serving in the background.</summary>
    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(ServeAsync);
        LogListening(_logger, EndPoint.ToString());
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException e)
            {
                LogRequestFailed(_logger, e.Message);
                continue;
            }
            try
            {
                await RespondAsync(context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away mid-response; nothing to do.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Anything else would end this loop and every later request with it, unseen.
                LogRequestFailed(_logger, e.GetType().Name);
            }
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        // Close(), not Dispose(): on Linux, HttpListenerResponse.Dispose aborts the connection without a
        // "Connection: close" header, so a client that reuses it (as HttpClient and Prometheus do) can send its
        // next request into a socket that is being torn down. Close() finishes the response and keeps the
        // connection for the next request; Abort() is for a response that failed half-way.
        try
        {
            if (request.HttpMethod is not ("GET" or "HEAD"))
            {
                await WriteAsync(response, 405, "text/plain; charset=utf-8", "only GET\n").ConfigureAwait(false);
            }
            else
            {
                var (status, contentType, body) = Route(request.Url?.AbsolutePath ?? "/", request.QueryString);
                await WriteAsync(response, status, contentType, body).ConfigureAwait(false);
            }
        }
        catch
        {
            response.Abort();
            throw;
        }
        response.Close();
    }

    /// <summary>Maps a path and query to a response; internal for tests.</summary>
    internal (int Status, string ContentType, string Body) Route(string path, System.Collections.Specialized.NameValueCollection query)
    {
        const string Json = "application/json; charset=utf-8";
        try
        {
            if (_status is null)
            {
                return path.TrimEnd('/') switch
                {
                    "/metrics" when _metrics is not null => (200, PrometheusText.ContentType, _metrics.Collect()),
                    "/v1/controller" when _controller is not null => (200, Json, Serialize(_controller())),
                    "/healthz" => (200, "text/plain; charset=utf-8", "ok\n"),
                    "/readyz" => _ready?.Invoke() != false ? (200, "text/plain; charset=utf-8", "ok\n") : (503, "text/plain; charset=utf-8", "not ready: the cluster has not been read yet\n"),
                    "" => (200, "text/plain; charset=utf-8", "bgpkit controller status\n/v1/controller\n/healthz\n/readyz\n/metrics\n"),
                    _ => (404, "text/plain; charset=utf-8", "not found\n"),
                };
            }
            return path.TrimEnd('/') switch
            {
                "/metrics" when _metrics is not null => (200, PrometheusText.ContentType, _metrics.Collect()),
                "/v1/bgp/summary" => (200, Json, Serialize(_status.BgpSummary())),
                "/v1/bgp/neighbors" => (200, Json, Serialize(_status.BgpNeighbors(Empty(query["name"])))),
                "/v1/bgp/routes" => (200, Json, Serialize(_status.BgpRoutes(Empty(query["peer"]), query["received"] is "true" or "1"))),
                "/v1/bfd/peers" => (200, Json, Serialize(_status.BfdPeers())),
                "/v1/config" => (200, Json, Serialize(_status.Config())),
                "/v1/l2" => (200, Json, Serialize(_status.Layer2())),
                "/healthz" => (200, "text/plain; charset=utf-8", "ok\n"),
                // Ready once a first configuration was read (valid or not): the pod is then doing its job or saying why not.
                "/readyz" => _status.Config().LastChange is not null
                    ? (200, "text/plain; charset=utf-8", "ok\n")
                    : (503, "text/plain; charset=utf-8", "not ready: no configuration read yet\n"),
                "" => (200, "text/plain; charset=utf-8",
                    "bgpkit speaker status\n/v1/bgp/summary\n/v1/bgp/neighbors?name=\n/v1/bgp/routes?peer=&received=true\n/v1/bfd/peers\n/v1/config\n/v1/l2\n/healthz\n/readyz\n/metrics\n"),
                _ => (404, "text/plain; charset=utf-8", "not found\n"),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Warning, not debug: a 500 here is a defect (a view the source-generated JSON context lacks, say),
            // and operators see only the status code.
            // The exception's type and the path only: a message could quote configuration.
            LogRequestError(_logger, path, e.GetType().Name);
            return (500, "text/plain; charset=utf-8", "internal error\n");
        }
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Serialize<T>(T value) => StatusJson.Serialize(value);

    private static async Task WriteAsync(HttpListenerResponse response, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // Close() alone, never Stop() then Close(): the managed HttpListener removes its prefixes in both, and
        // the second time binds the port anew to look its endpoint up, which throws "Address already in use"
        // when something else took the port in between.
        _listener.Close();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Status endpoint listening on http://{EndPoint}/")]
    private static partial void LogListening(ILogger logger, string endPoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status request failed: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status request {Path} answered 500: {Error}")]
    private static partial void LogRequestError(ILogger logger, string path, string error);
}
