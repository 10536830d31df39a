using System.Buffers;
using System.Net;
using System.Net.Sockets;
using BgpKit.Bgp.Wire;

namespace BgpKit.Benchmarks.Race;

/// <summary>
/// The race's sender: a minimal BGP speaker built on Bgp.Wire (AS 65001 on 127.0.0.1) that connects to the receiver,
/// exchanges OPEN and KEEPALIVE, and then writes a pre-encoded UPDATE stream as fast as the socket takes it. It reads
/// and discards whatever the receiver sends, and keeps the session alive with a KEEPALIVE every 20 s.
/// </summary>
/// <remarks>
/// Writes are serialized (<see cref="_write"/>): a socket send may take only part of a buffer, and a KEEPALIVE sent
/// by the other task in between lands inside an UPDATE. That is what BIRD 2.0.12 reported as "Malformed attribute
/// list" (or, depending on where the 19 octets fell, "Connection not synchronized") about 20 s into the 2M distinct
/// stream: only a receiver slower than the 20 s KEEPALIVE interval ever saw it.
/// </remarks>
internal sealed class RaceSender : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _write = new(1, 1);
    private Task _drain = Task.CompletedTask;
    private Task _keepalive = Task.CompletedTask;

    private RaceSender(Socket socket) => _socket = socket;

    /// <summary>Connects to <paramref name="remote"/> from 127.0.0.1 and waits until the session is Established (the peer's KEEPALIVE).</summary>
    public static async Task<RaceSender> ConnectAsync(IPEndPoint remote, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            try
            {
                await socket.ConnectAsync(remote, deadline.Token).ConfigureAwait(false);
                var sender = new RaceSender(socket);
                if (await sender.HandshakeAsync(deadline.Token).ConfigureAwait(false))
                {
                    sender._drain = sender.DrainAsync();
                    sender._keepalive = sender.KeepaliveAsync();
                    return sender;
                }
                await sender.DisposeAsync().ConfigureAwait(false);
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
            // The daemon is still starting, or refused this connection (collision with its own attempt): try again.
            await Task.Delay(200, deadline.Token).ConfigureAwait(false);
        }
    }

    private async Task<bool> HandshakeAsync(CancellationToken cancel)
    {
        var open = new OpenMessage(65001, 180, 0x7F000001, [new MultiprotocolCapability(AfiSafi.IPv4Unicast), new FourOctetAsCapability(65001)]);
        await _socket.SendAsync(open.ToArray(BgpDecodeContext.Default), SocketFlags.None, cancel).ConfigureAwait(false);
        var buffer = new byte[8192];
        var filled = 0;
        var sawOpen = false;
        while (true)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancel).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            filled += n;
            while (filled >= 19)
            {
                var length = buffer[16] << 8 | buffer[17];
                if (filled < length)
                {
                    break;
                }
                var type = (BgpMessageType)buffer[18];
                if (type == BgpMessageType.Notification)
                {
                    return false;
                }
                if (type == BgpMessageType.Open)
                {
                    sawOpen = true;
                    await _socket.SendAsync(KeepaliveMessage.Instance.ToArray(BgpDecodeContext.Default), SocketFlags.None, cancel).ConfigureAwait(false);
                }
                else if (type == BgpMessageType.Keepalive && sawOpen)
                {
                    return true;
                }
                Buffer.BlockCopy(buffer, length, buffer, 0, filled - length);
                filled -= length;
            }
        }
    }

    /// <summary>Writes the whole stream.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> stream)
    {
        const int Chunk = 256 * 1024;
        // The whole stream under the write lock: chunk boundaries fall inside messages, so nothing may go between them.
        // The receiver's hold timer restarts on every UPDATE (RFC 4271 section 8), so no KEEPALIVE is needed meanwhile.
        await _write.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            for (var offset = 0; offset < stream.Length; offset += Chunk)
            {
                var part = stream.Slice(offset, Math.Min(Chunk, stream.Length - offset));
                while (part.Length > 0)
                {
                    var sent = await _socket.SendAsync(part, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    part = part[sent..];
                }
            }
        }
        finally
        {
            _write.Release();
        }
    }

    private async Task DrainAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(65536);
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task KeepaliveAsync()
    {
        var keepalive = KeepaliveMessage.Instance.ToArray(BgpDecodeContext.Default);
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(20), _stop.Token).ConfigureAwait(false);
                await _write.WaitAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    var sent = 0;
                    while (sent < keepalive.Length)
                    {
                        sent += await _socket.SendAsync(keepalive.AsMemory(sent), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _write.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Task.WhenAll(_drain, _keepalive).ConfigureAwait(false);
        _stop.Dispose();
        _write.Dispose();
    }
}
