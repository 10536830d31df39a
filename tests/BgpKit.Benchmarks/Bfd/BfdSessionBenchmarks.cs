using BenchmarkDotNet.Attributes;
using BgpKit.Bfd;
using BgpKit.Bfd.Session;

namespace BgpKit.Benchmarks.Bfd;

/// <summary>
/// The per-packet hot path of an Up session: one received packet through the state machine, and one
/// transmit tick (timer input, packet built and encoded). No sockets.
/// </summary>
[MemoryDiagnoser]
public class BfdSessionBenchmarks
{
    private readonly byte[] _buffer = new byte[BfdControlPacket.MaximumLength];
    private BfdSessionVariables _v;
    private BfdControlPacket _peer;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        _v = BfdSessionVariables.Create(0x1111, 50_000, 50_000, 3, false, BfdAuthenticationType.None, 0);
        _peer = new BfdControlPacket
        {
            Version = 1, State = BfdState.Down, DetectMultiplier = 3, MyDiscriminator = 0x2222,
            DesiredMinTxInterval = 50_000, RequiredMinRxInterval = 50_000,
        };
        BfdSessionMachine.Handle(ref _v, BfdInput.Of(BfdInputKind.Start, 0, 0.5));
        BfdSessionMachine.Handle(ref _v, BfdInput.Received(_peer, 1, 0.5));
        _peer = _peer with { State = BfdState.Up, YourDiscriminator = 0x1111, Final = true };
        BfdSessionMachine.Handle(ref _v, BfdInput.Received(_peer, 2, 0.5));
        _peer = _peer with { Final = false };
        _now = 10;
    }

    [Benchmark]
    public int ReceiveWhileUp() => (int)BfdSessionMachine.Handle(ref _v, BfdInput.Received(_peer, _now += 50_000, 0.5)).Actions;

    [Benchmark]
    public int TransmitTick()
    {
        var output = BfdSessionMachine.Handle(ref _v, BfdInput.Timer(_v.NextTransmitAt, 0.5));
        var packet = BfdSessionMachine.BuildPacket(ref _v, final: false);
        packet.TryEncode(_buffer, out var written);
        _v.DetectionDeadline = long.MaxValue;
        return written + (int)output.Actions;
    }
}
