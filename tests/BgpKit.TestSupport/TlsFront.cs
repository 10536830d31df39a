using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace BgpKit.TestSupport;

/// <summary>
/// An HTTPS front for an HTTP test server (such as one built on HttpListener, which cannot do TLS
/// here): it terminates TLS on loopback with <paramref name="serverCertificate"/>, asks every client
/// for a certificate, and passes the bytes of clients whose certificate <paramref name="clientCa"/>
/// issued through to <paramref name="backend"/>. Like kube-apiserver without anonymous access, it
/// answers any other client's request with 401 and a metav1.Status body.
/// </summary>
public sealed class TlsFront : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _serverCertificate;
    private readonly TestPki _clientCa;
    private readonly IPEndPoint _backend;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<IDisposable> _connections = [];
    private readonly Task _accepting;
    private int _refused;
    private int _failedHandshakes;

    public TlsFront(IPEndPoint backend, X509Certificate2 serverCertificate, TestPki clientCa)
    {
        _backend = backend;
        _serverCertificate = serverCertificate;
        _clientCa = clientCa;
        _listener.Start();
        Url = new Uri($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Where clients connect.</summary>
    public Uri Url { get; }

    /// <summary>The subjects of the client certificates let through, in order.</summary>
    public ConcurrentQueue<string> ClientSubjects { get; } = new();

    /// <summary>Requests answered with 401 because the client presented no certificate of the CA.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Connections whose TLS handshake failed (for example, the client did not trust us).</summary>
    public int FailedHandshakes => Volatile.Read(ref _failedHandshakes);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            _connections.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        _connections.Add(tls);
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            handshake.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _serverCertificate,
                    ClientCertificateRequired = true,
                    // Asked for, not required: the decision is made below, in HTTP, as kube-apiserver makes it.
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }, handshake.Token);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or ObjectDisposedException)
            {
                Interlocked.Increment(ref _failedHandshakes);
                return;
            }
            using var presented = tls.RemoteCertificate is { } remote ? new X509Certificate2(remote) : null;
            if (presented is null || !_clientCa.Issued(presented))
            {
                Interlocked.Increment(ref _refused);
                await RefuseAsync(tls);
                return;
            }
            ClientSubjects.Enqueue(presented.Subject);
            using var backend = new TcpClient();
            _connections.Add(backend);
            await backend.ConnectAsync(_backend, _stop.Token);
            var plain = backend.GetStream();
            var up = tls.CopyToAsync(plain, _stop.Token);
            var down = plain.CopyToAsync(tls, _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            await tls.DisposeAsync();
            client.Dispose();
        }
    }

    private async Task RefuseAsync(SslStream tls)
    {
        // Read the request head first, so that closing does not reset the connection under the answer.
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await tls.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        var body = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";
        var answer = $"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await tls.WriteAsync(Encoding.UTF8.GetBytes(answer), _stop.Token);
        await tls.FlushAsync(_stop.Token);
    }
}
