using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// One TCP listener shared by every peer on a local endpoint. Accepted connections go to the
/// peer registered for the remote address (RFC 4271 event TcpConnectionConfirmed); a connection
/// from an address no peer owns is closed at once (Tcp_CR_Invalid). A link-local address no peer owns goes to the
/// interface peer (BGP unnumbered) of its scope, keyed <c>::%ifindex</c>. Per-peer MD5 keys are
/// installed on the listening socket (RFC 2385).
/// </summary>
internal sealed class BgpListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<IPAddress, Action<Socket>> _peers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public BgpListener(IPEndPoint endpoint, string? bindDevice = null)
    {
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                _socket.DualMode = true;
            }
            if (bindDevice is { Length: > 0 })
            {
                TcpSocketOptions.BindToDevice(_socket, bindDevice);
            }
            TcpSocketOptions.SaveSyn(_socket);
            _socket.Bind(endpoint);
            _socket.Listen(64);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Routes connections from <paramref name="peer"/> to <paramref name="accept"/> and installs its MD5 key.</summary>
    public void Register(IPAddress peer, string? password, Action<Socket> accept)
    {
        peer = Normalize(peer);
        if (!_peers.TryAdd(peer, accept))
        {
            throw new InvalidOperationException($"peer {peer} is already registered on {LocalEndPoint}");
        }
        if (!string.IsNullOrEmpty(password))
        {
            TcpSocketOptions.SetMd5Key(_socket, peer, password);
        }
    }

    public void Unregister(IPAddress peer, bool hadPassword)
    {
        peer = Normalize(peer);
        if (_peers.TryRemove(peer, out _) && hadPassword)
        {
            TcpSocketOptions.SetMd5Key(_socket, peer, null);
        }
    }

    private static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            var remote = Normalize(((IPEndPoint)client.RemoteEndPoint!).Address);
            if (_peers.TryGetValue(remote, out var accept)
                || remote.IsIPv6LinkLocal && _peers.TryGetValue(new IPAddress(IPAddress.IPv6Any.GetAddressBytes(), remote.ScopeId), out accept))
            {
                accept(client);
            }
            else
            {
                client.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
