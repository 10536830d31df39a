using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Webhook;

/// <summary>
/// The HTTPS endpoint the API server calls for admission and conversion: TLS 1.2/1.3 with the
/// current serving certificate (picked per handshake, so a rotated one is used at once), HTTP/1.1
/// POSTs with a Content-Length body of at most <see cref="MaxBody"/> octets, keep-alive. Anything
/// else (a malformed request line, a body too large, chunked encoding) gets a 4xx and the
/// connection is closed; nothing a client sends can stop the server.
/// </summary>
/// <remarks>
/// Written on <see cref="SslStream"/> rather than Kestrel so that embedding BgpKit.MetalLb.Kubernetes
/// does not pull the ASP.NET Core shared framework into every application (and the image) for one
/// endpoint that answers a few JSON POSTs; <see cref="HttpListener"/> has no TLS on Linux.
/// </remarks>
internal sealed partial class WebhookServer : IAsyncDisposable
{
    /// <summary>The largest request body accepted (the API server caps objects at 3 MiB; a review carries two).</summary>
    public const int MaxBody = 8 * 1024 * 1024;

    private const int MaxHeader = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly Func<X509Certificate2?> _certificate;
    private readonly Func<string, ReadOnlyMemory<byte>, (int Status, string Body)> _handle;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public WebhookServer(IPEndPoint endPoint, Func<X509Certificate2?> certificate, Func<string, ReadOnlyMemory<byte>, (int Status, string Body)> handle, ILogger logger)
    {
        _listener = new TcpListener(endPoint);
        _certificate = certificate;
        _handle = handle;
        _logger = logger;
    }

    /// <summary>Where it listens (the bound port when 0 was asked for).</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>How long a client may take to send a request (and the TLS handshake).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
        LogListening(_logger, EndPoint.ToString());
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                LogFailed(_logger, e.Message);
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(ReadTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateSelectionCallback = (_, _) => _certificate() ?? throw new AuthenticationException("no serving certificate yet"),
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, handshake.Token).ConfigureAwait(false);
            }
            var reader = new RequestReader(tls);
            while (!_stop.IsCancellationRequested)
            {
                using var read = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                read.CancelAfter(ReadTimeout);
                var request = await reader.ReadAsync(read.Token).ConfigureAwait(false);
                if (request is null)
                {
                    return; // The client closed the connection between requests.
                }
                if (request.Error is { } error)
                {
                    await WriteAsync(tls, error.Status, $"{{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"{error.Message}\"}}", close: true).ConfigureAwait(false);
                    return;
                }
                var (status, body) = request.Method == "POST"
                    ? _handle(request.Path, request.Body)
                    : (405, "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"only POST\"}");
                await WriteAsync(tls, status, body, request.Close).ConfigureAwait(false);
                if (request.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            LogConnection(_logger, e.GetType().Name, e.Message);
        }
    }

    private static async Task WriteAsync(Stream stream, int status, string body, bool close)
    {
        var content = Encoding.UTF8.GetBytes(body);
        var reason = status switch
        {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            411 => "Length Required",
            413 => "Content Too Large",
            431 => "Request Header Fields Too Large",
            _ => "Error",
        };
        var head = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {content.Length}\r\n{(close ? "Connection: close\r\n" : "")}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).ConfigureAwait(false);
        await stream.WriteAsync(content).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    /// <summary>One HTTP/1.1 request, or the 4xx it deserves.</summary>
    internal sealed record Request(string Method, string Path, ReadOnlyMemory<byte> Body, bool Close, (int Status, string Message)? Error = null);

    /// <summary>Reads HTTP/1.1 requests from a stream, one after another, within fixed limits.</summary>
    internal sealed class RequestReader(Stream stream)
    {
        private byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        /// <summary>The next request; null at a clean end of stream before one begins.</summary>
        public async Task<Request?> ReadAsync(CancellationToken cancellationToken)
        {
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (_end - _start >= MaxHeader)
                {
                    return Fail(431, "request header too large");
                }
                if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return _end == _start ? null : Fail(400, "the connection ended inside a request header");
                }
            }
            var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd).Split("\r\n");
            _start += headerEnd + 4;
            var line = head[0].Split(' ');
            if (line.Length != 3 || !line[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || line[1].Length == 0 || line[1][0] != '/')
            {
                return Fail(400, "malformed request line");
            }
            long? length = null;
            var close = line[2] == "HTTP/1.0";
            foreach (var header in head.AsSpan(1))
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    return Fail(400, "malformed header");
                }
                var name = header[..colon].Trim();
                var value = header[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || length is not null && length != n)
                    {
                        return Fail(400, "malformed Content-Length");
                    }
                    length = n;
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    return Fail(411, "chunked bodies are not accepted; send Content-Length");
                }
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
                }
            }
            if (length > MaxBody)
            {
                return Fail(413, "request body too large");
            }
            var size = (int)(length ?? 0);
            while (_end - _start < size)
            {
                if (!await FillAsync(cancellationToken, size).ConfigureAwait(false))
                {
                    return Fail(400, "the connection ended inside a request body");
                }
            }
            var body = _buffer.AsMemory(_start, size).ToArray();
            _start += size;
            var path = line[1];
            var query = path.IndexOf('?', StringComparison.Ordinal);
            return new Request(line[0], query < 0 ? path : path[..query], body, close);
        }

        private static Request Fail(int status, string message) => new("", "", default, true, (status, message));

        private async Task<bool> FillAsync(CancellationToken cancellationToken, int want = 0)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length || want > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, want));
            }
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            _end += read;
            return read > 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook listening on https://{EndPoint}/")]
    private static partial void LogListening(ILogger logger, string endPoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook accept failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook connection ended: {Type}: {Reason}")]
    private static partial void LogConnection(ILogger logger, string type, string reason);
}
