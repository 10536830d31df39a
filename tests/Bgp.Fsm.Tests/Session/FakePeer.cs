using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Session;

/// <summary>A scripted BGP peer on a loopback socket: the test decides every message it sends.</summary>
internal sealed class FakePeer : IAsyncDisposable
{
    private readonly TcpListener? _listener;
    private Socket? _socket;
    private readonly byte[] _buffer = new byte[70000];
    private int _filled;

    public FakePeer(IPAddress? address = null)
    {
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start();
    }

    private FakePeer(Socket connected)
    {
        _socket = connected;
    }

    /// <summary>Opens the TCP connection itself, from <paramref name="local"/> to a listening daemon (e.g. FRR bgpd).</summary>
    public static async Task<FakePeer> ConnectAsync(IPAddress local, IPEndPoint remote)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await socket.ConnectAsync(remote, cts.Token);
            return new FakePeer(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public int Port => ((IPEndPoint)_listener!.LocalEndpoint).Port;

    public async Task AcceptAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        _socket = await _listener!.AcceptSocketAsync(cts.Token);
    }

    public void Send(BgpMessage message) => _socket!.Send(message.ToArray());

    /// <summary>Sends octets as they are (whole messages built by the test, e.g. with ADD-PATH or a malformation).</summary>
    public void Send(ReadOnlySpan<byte> messages) => _socket!.Send(messages);

    /// <summary>Whether a connection waits to be accepted (the session under test connected again).</summary>
    public bool HasPendingConnection => _listener!.Pending();

    public void SendOpen(uint asn, ushort hold, string routerId, params Capability[] extra)
    {
        var caps = new List<Capability> { new MultiprotocolCapability(AfiSafi.IPv4Unicast), new FourOctetAsCapability(asn), RouteRefreshCapability.Instance };
        caps.AddRange(extra);
        var id = BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(routerId).GetAddressBytes());
        Send(new OpenMessage(asn, hold, id, caps));
    }

    public void SendKeepalive() => _socket!.Send(KeepaliveMessage.Bytes);

    /// <summary>Reads the next whole message (real-time bounded), or null when the connection closed.</summary>
    public async Task<Received?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_filled >= BgpMessageHeader.Size)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(16));
                if (_filled >= length)
                {
                    var type = (BgpMessageType)_buffer[18];
                    var body = _buffer.AsSpan(BgpMessageHeader.Size, length - BgpMessageHeader.Size).ToArray();
                    var message = new Received(type, type == BgpMessageType.Update ? null : BgpMessage.Decode(_buffer.AsSpan(0, length), BgpDecodeContext.FourOctetAsDefault), body);
                    Buffer.BlockCopy(_buffer, length, _buffer, 0, _filled - length);
                    _filled -= length;
                    return message;
                }
            }
            var n = await _socket!.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                return null;
            }
            _filled += n;
        }
    }

    /// <summary>Reads until a message of type <typeparamref name="T"/> arrives (skipping others).</summary>
    public async Task<T> ReadUntilAsync<T>(TimeSpan? timeout = null) where T : BgpMessage
    {
        while (true)
        {
            var m = await ReadAsync(timeout) ?? throw new InvalidOperationException($"connection closed before a {typeof(T).Name}");
            if (m.Message is T t)
            {
                return t;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _listener?.Stop();
        await Task.CompletedTask;
    }
}

/// <summary>One message from the session under test; UPDATEs keep their body bytes.</summary>
internal readonly record struct Received(BgpMessageType Type, BgpMessage? Message, byte[] Body);
