using System.Net;
using BenchmarkDotNet.Attributes;
using BgpKit.Bfd;
using BgpKit.Bfd.Transport;
using BgpKit.TestSupport;

namespace BgpKit.Benchmarks.Bfd;

/// <summary>
/// The receive side of one loop turn without the system call: a batch of 64 received datagrams (as recvmmsg
/// leaves them) dispatched to 64 of 5,000 Up sessions by Your Discriminator, each through the TTL check and the
/// state machine and re-armed in the timer wheel. Per packet: divide by 64. The sessions' own packets go
/// to a link that drops them. The copy of the datagrams into the batch (the kernel's part) is included.
/// </summary>
[MemoryDiagnoser]
public class BatchedReceiveBenchmarks
{
    private const int Sessions = 5000;
    private const int BatchSize = 64;
    private readonly ManualTimeProvider _time = new();
    private BfdEndpoint _endpoint = null!;
    private DropLink _link = null!;
    private ReceiveBatch _batch = null!;
    private byte[][] _packets = null!;
    private int _next;

    private static IPAddress Local(int i) => IPAddress.Parse($"10.1.{i / 250}.{1 + i % 250}");

    private static readonly IPAddress Peer = IPAddress.Parse("10.2.0.1");

    private sealed class DropLink(IPAddress local) : BfdLink(local, multihop: false)
    {
        public override bool Send(BfdSession session, ReadOnlySpan<byte> packet, out string? error)
        {
            error = null;
            return true;
        }

        public override void Dispose()
        {
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = new BfdEndpoint(_time, new Random(15), null, null, (_, local, _) => _link ??= new DropLink(local), BfdPorts.SingleHopControl, inline: true, listenOnAnyAddress: false);
        _endpoint.RunOnCallerThread();
        var profile = new BfdProfile { TransmitInterval = TimeSpan.FromMilliseconds(50), ReceiveInterval = TimeSpan.FromMilliseconds(50) };
        var sessions = Enumerable.Range(0, Sessions).Select(i => _endpoint.StartSession(new BfdSessionOptions(Local(i), Peer) { Profile = profile })).ToArray();
        var peer = Peer.GetAddressBytes();
        // Bring each session Up: the peer's Down (Your Discriminator 0, found by address), then its Up.
        for (var i = 0; i < Sessions; i++)
        {
            var down = Encode(BfdState.Down, 0x8000_0000u + (uint)i, 0);
            _endpoint.Receive(_link, down, peer, Local(i).GetAddressBytes(), 255);
            var up = Encode(BfdState.Up, 0x8000_0000u + (uint)i, sessions[i].LocalDiscriminator);
            _endpoint.Receive(_link, up, peer, Local(i).GetAddressBytes(), 255);
        }
        if (sessions.Any(s => s.State != BfdState.Up))
        {
            throw new InvalidOperationException("sessions did not come Up");
        }
        _packets = sessions.Select((s, i) => Encode(BfdState.Up, 0x8000_0000u + (uint)i, s.LocalDiscriminator)).ToArray();
        _batch = new ReceiveBatch(BatchSize);
    }

    private static byte[] Encode(BfdState state, uint my, uint your)
    {
        var packet = new BfdControlPacket
        {
            Version = 1, State = state, DetectMultiplier = 3, MyDiscriminator = my, YourDiscriminator = your,
            DesiredMinTxInterval = 50_000, RequiredMinRxInterval = 50_000,
        };
        var bytes = new byte[BfdControlPacket.MandatoryLength];
        packet.TryEncode(bytes, out _);
        return bytes;
    }

    // sockaddr_in of the peer, and the ancillary data the kernel returns with IP_RECVTTL: TTL 255.
    private static readonly byte[] PeerName = NativeSocketAddress.Encode(Peer, 49152);
    private static readonly byte[] Ttl255 = [20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0];

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void DispatchBatch()
    {
        // BenchmarkDotNet may call this on another thread than the setup: this thread is the loop.
        _endpoint.RunOnCallerThread();
        // What the kernel does in recvmmsg: 64 datagrams for the next 64 sessions, with source and TTL.
        for (var i = 0; i < BatchSize; i++)
        {
            _batch.Fill(i, _packets[_next], PeerName, Ttl255);
            _next = _next + 1 == Sessions ? 0 : _next + 1;
        }
        Span<byte> destination = stackalloc byte[16];
        for (var i = 0; i < BatchSize; i++)
        {
            var (ttl, _) = DatagramReceiver.ReadControl(_batch.Control(i), destination);
            _endpoint.Receive(_link, _batch.Payload(i), _batch.Source(i), ReadOnlySpan<byte>.Empty, ttl);
        }
    }
}
