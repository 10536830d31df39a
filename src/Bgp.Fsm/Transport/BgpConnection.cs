using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>What the read side of a connection reports to its session.</summary>
internal enum ConnectionSignal
{
    Message,
    HeaderError,
    OpenError,
    Closed,
}

/// <summary>
/// One TCP connection of a session: a read loop that frames messages (Bgp.Wire's framing) and
/// hands them to the session, and a write loop fed by a queue whose bytes are counted, so that a
/// peer that stops reading stops our UPDATE production instead of growing memory (STYLE.md 8).
/// </summary>
internal sealed class BgpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Channel<byte[]> _sendQueue = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly int _sendQueueLimit;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private long _queuedBytes;
    private long _lastSendProgress;
    private volatile BgpDecodeContext _context = BgpDecodeContext.Default;

    public BgpConnection(Socket socket, long id, bool outgoing, int sendQueueLimit, TimeProvider time)
    {
        _socket = socket;
        Id = id;
        Outgoing = outgoing;
        _sendQueueLimit = sendQueueLimit;
        _time = time;
        _lastSendProgress = time.GetTimestamp();
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
    }

    public long Id { get; }

    /// <summary>True when we initiated this connection (collision detection, section 6.8).</summary>
    public bool Outgoing { get; }

    public IPEndPoint LocalEndPoint { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Set once OPENs are exchanged: 4-octet AS, extended message, ADD-PATH.</summary>
    public BgpDecodeContext Context
    {
        get => _context;
        set => _context = value;
    }

    /// <summary>The OPEN received on this connection (collision detection keeps both connections' OPENs apart).</summary>
    public OpenMessage? ReceivedOpen { get; set; }

    /// <summary>The OPEN we sent on this connection.</summary>
    public OpenMessage? SentOpen { get; set; }

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>True while there is room for more UPDATEs under the send queue bound.</summary>
    public bool HasRoom => QueuedBytes < _sendQueueLimit;

    /// <summary>Timestamp (TimeProvider) of the last completed socket send, for the RFC 9687 send hold timer.</summary>
    public long LastSendProgress => Interlocked.Read(ref _lastSendProgress);

    private Action? _drained;

    /// <summary>Calls <paramref name="callback"/> once (from the write loop) when the queue falls to half its bound.</summary>
    public void WhenDrained(Action callback)
    {
        Volatile.Write(ref _drained, callback);
        if (QueuedBytes <= _sendQueueLimit / 2)
        {
            Interlocked.Exchange(ref _drained, null)?.Invoke();
        }
    }

    public void Start(Func<BgpConnection, ConnectionSignal, BgpMessageType, object?, CancellationToken, ValueTask> deliver)
    {
        _readLoop = ReadLoopAsync(deliver);
        _writeLoop = WriteLoopAsync();
    }

    /// <summary>Queues an encoded message. Control messages always go; the caller checks <see cref="HasRoom"/> before UPDATEs.</summary>
    public void Send(byte[] message)
    {
        Interlocked.Add(ref _queuedBytes, message.Length);
        if (!_sendQueue.Writer.TryWrite(message))
        {
            Interlocked.Add(ref _queuedBytes, -message.Length);
        }
    }

    public void Send(BgpMessage message) => Send(message.ToArray(_context));

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var message in _sendQueue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var sent = 0;
                while (sent < message.Length)
                {
                    sent += await _socket.SendAsync(message.AsMemory(sent), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    Interlocked.Exchange(ref _lastSendProgress, _time.GetTimestamp());
                }
                if (Interlocked.Add(ref _queuedBytes, -message.Length) <= _sendQueueLimit / 2 && Volatile.Read(ref _drained) is not null)
                {
                    Interlocked.Exchange(ref _drained, null)?.Invoke();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The read side reports the failure (or the session closed us).
        }
    }

    private async Task ReadLoopAsync(Func<BgpConnection, ConnectionSignal, BgpMessageType, object?, CancellationToken, ValueTask> deliver)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BgpMessageHeader.ExtendedMaxLength * 2);
        var filled = 0;
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    await deliver(this, ConnectionSignal.Closed, default, null, _stop.Token).ConfigureAwait(false);
                    return;
                }
                filled += n;
                var consumed = 0;
                // UPDATEs that follow one another in the buffer go to the session as one batch (their octets, headers
                // included, back to back): one hand-off per read instead of one per UPDATE, which is most of what a
                // peer sending one prefix per UPDATE costs otherwise.
                var run = 0;
                while (true)
                {
                    var sequence = new ReadOnlySequence<byte>(buffer, consumed, filled - consumed);
                    BgpMessageHeader header;
                    ReadOnlySequence<byte> frame;
                    try
                    {
                        if (!BgpMessageHeader.TryReadMessage(ref sequence, _context, out header, out frame))
                        {
                            break;
                        }
                    }
                    catch (BgpWireException e)
                    {
                        await DeliverUpdates(deliver, buffer, consumed - run, run).ConfigureAwait(false);
                        await deliver(this, ConnectionSignal.HeaderError, default, e.Error, _stop.Token).ConfigureAwait(false);
                        return;
                    }
                    consumed += header.Length;
                    if (header.Type == BgpMessageType.Update)
                    {
                        run += header.Length;
                        continue;
                    }
                    await DeliverUpdates(deliver, buffer, consumed - header.Length - run, run).ConfigureAwait(false);
                    run = 0;
                    BgpMessage message;
                    try
                    {
                        message = BgpMessage.Decode(frame.FirstSpan, _context);
                    }
                    catch (BgpWireException e)
                    {
                        var signal = e.Error.Code == BgpErrorCode.OpenMessageError ? ConnectionSignal.OpenError : ConnectionSignal.HeaderError;
                        await deliver(this, signal, header.Type, e.Error, _stop.Token).ConfigureAwait(false);
                        return;
                    }
                    await deliver(this, ConnectionSignal.Message, header.Type, message, _stop.Token).ConfigureAwait(false);
                }
                await DeliverUpdates(deliver, buffer, consumed - run, run).ConfigureAwait(false);
                if (consumed > 0)
                {
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
            await deliver(this, ConnectionSignal.Closed, default, null, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Hands <paramref name="length"/> octets of whole UPDATE messages (from <paramref name="start"/>) to the session
    /// in an <see cref="UpdateBatch"/> from the shared pool, which the session returns: it decodes them with the
    /// negotiated context.
    /// </summary>
    private ValueTask DeliverUpdates(Func<BgpConnection, ConnectionSignal, BgpMessageType, object?, CancellationToken, ValueTask> deliver, byte[] buffer, int start, int length)
    {
        if (length == 0)
        {
            return ValueTask.CompletedTask;
        }
        var batch = UpdateBatch.Rent(buffer.AsSpan(start, length));
        return deliver(this, ConnectionSignal.Message, BgpMessageType.Update, batch, _stop.Token);
    }

    /// <summary>
    /// Sends <paramref name="last"/> (a NOTIFICATION) if given, lets the queue drain, half-closes (FIN)
    /// and waits for the peer to close, all within <paramref name="drain"/>. Closing with unread data
    /// would send a RST, and the peer would lose the NOTIFICATION (FRR 8.4 logs "Connection reset by peer").
    /// </summary>
    public async Task CloseAsync(byte[]? last, TimeSpan drain)
    {
        if (last is not null)
        {
            Send(last);
        }
        _sendQueue.Writer.TryComplete();
        using (var timeout = new CancellationTokenSource())
        {
            using var timer = _time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timeout, drain, Timeout.InfiniteTimeSpan);
            try
            {
                await _writeLoop.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    _socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
                await _readLoop.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        _sendQueue.Writer.TryComplete();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
        try
        {
            await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
