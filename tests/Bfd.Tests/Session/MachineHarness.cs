using BgpKit.Bfd.Session;

namespace BgpKit.Bfd.Tests.Session;

/// <summary>Drives <see cref="BfdSessionMachine"/> directly: time is whatever the test says (microseconds).</summary>
internal sealed class MachineHarness
{
    public const uint Local = 0x1111;
    public const uint Remote = 0x2222;

    public BfdSessionVariables V;
    public long Now;
    public double Jitter;

    public MachineHarness(uint txUs = 300_000, uint rxUs = 300_000, byte mult = 3, bool passive = false,
        BfdAuthenticationType auth = BfdAuthenticationType.None, bool echo = false, uint echoUs = 50_000)
    {
        V = BfdSessionVariables.Create(Local, txUs, rxUs, mult, passive, auth, initialXmitAuthSeq: 100, echo, echoUs);
    }

    /// <summary>The peer's Required Min Echo RX Interval in the packets <see cref="Peer"/> builds.</summary>
    public uint PeerEchoRxUs { get; set; }

    public BfdOutput EchoBack() => Handle(BfdInput.Of(BfdInputKind.EchoReceived, Now, Jitter));

    public BfdOutput Start() => Handle(BfdInput.Of(BfdInputKind.Start, Now, Jitter));

    public BfdOutput Timer() => Handle(BfdInput.Timer(Now, Jitter));

    public BfdOutput At(long now)
    {
        Now = now;
        return Timer();
    }

    public BfdOutput Receive(BfdControlPacket packet, bool authValid = true) => Handle(BfdInput.Received(packet, Now, Jitter, authValid));

    public BfdOutput Receive(BfdState state, bool poll = false, bool final = false, uint txUs = 300_000, uint rxUs = 300_000, byte mult = 3, bool demand = false) =>
        Receive(Peer(state, poll, final, txUs, rxUs, mult, demand));

    public BfdControlPacket Peer(BfdState state, bool poll = false, bool final = false, uint txUs = 300_000, uint rxUs = 300_000, byte mult = 3, bool demand = false) => new()
    {
        Version = 1,
        State = state,
        Poll = poll,
        Final = final,
        Demand = demand,
        DetectMultiplier = mult,
        MyDiscriminator = Remote,
        YourDiscriminator = state is BfdState.Down or BfdState.AdminDown && V.RemoteDiscr == 0 ? 0 : Local,
        DesiredMinTxInterval = txUs,
        RequiredMinRxInterval = rxUs,
        RequiredMinEchoRxInterval = PeerEchoRxUs,
    };

    public BfdOutput Handle(BfdInput input) => BfdSessionMachine.Handle(ref V, input);

    public BfdControlPacket Packet(bool final = false) => BfdSessionMachine.BuildPacket(ref V, final);

    /// <summary>Brings the session Up through Down -> Init -> Up and completes the slow-start Poll Sequence.</summary>
    public void BringUp(uint peerTxUs = 300_000, uint peerRxUs = 300_000, byte peerMult = 3)
    {
        Start();
        Receive(BfdState.Down, txUs: peerTxUs, rxUs: peerRxUs, mult: peerMult);
        Receive(BfdState.Up, txUs: peerTxUs, rxUs: peerRxUs, mult: peerMult);
        Receive(BfdState.Up, final: true, txUs: peerTxUs, rxUs: peerRxUs, mult: peerMult);
    }
}
