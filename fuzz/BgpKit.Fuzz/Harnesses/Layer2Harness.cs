using System.Buffers.Binary;
using System.Net;
using BgpKit.MetalLb.Kubernetes.Layer2;
using BgpKit.MetalLb.Model;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// Layer 2 mode's frame reader and responder (src/MetalLb.Kubernetes/Layer2) on raw Ethernet frames: a frame
/// is a request or is dropped with a reason, never an exception; the responder answers only for an address
/// the owner table gives this interface, and always answers when it does; the frames we build (ARP reply,
/// gratuitous ARP, solicited and unsolicited Neighbor Advertisement) read back to what we built.
/// </summary>
internal sealed class Layer2Harness : Harness
{
    private static readonly byte[] OwnMac = [0x02, 0, 0, 0, 0, 0x01];

    // Built on first use: MetalLb.Model is instrumented, and under AFL++ it may run only inside the fuzz loop.
    private readonly Lazy<Owners> _owners = new(() => new Owners());

    public override string Name => "l2";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => Harnesses.SyntheticSeeds.Layer2Frames().ToList();

    public override void Execute(byte[] input)
    {
        CheckFrame(input);
        // Most mutated solicitations die at the checksum; the same frame with a checksum that verifies
        // lets the fuzzer reach the option walk and the responder.
        if (WithChecksum(input) is { } fixedUp)
        {
            CheckFrame(fixedUp);
        }
        Built(input);
    }

    private void CheckFrame(byte[] frame)
    {
        var owners = _owners.Value;
        var parsed = Layer2Frame.TryRead(frame, OwnMac, out var request, out var drop);
        if (parsed != (drop == Layer2Drop.None))
        {
            throw new FuzzPropertyException($"TryRead returned {parsed} with drop reason {drop}");
        }
        Span<byte> reply = stackalloc byte[Layer2FrameWriter.AdvertisementFrameLength];
        foreach (var iface in owners.Interfaces)
        {
            var length = Layer2Responder.Answer(frame, iface, OwnMac, owners.Owner, reply, out var asked, out var answerDrop);
            if (answerDrop != drop || asked != request)
            {
                throw new FuzzPropertyException("the responder read the frame differently from Layer2Frame.TryRead");
            }
            var owned = parsed && owners.Owner(request.Target) is { } candidate && candidate.Allows(iface.Name);
            var speaks = parsed && (request.Kind == Layer2RequestKind.ArpRequest ? iface.Arp : iface.LinkLocal is not null);
            if (length > 0 && !(owned && speaks))
            {
                throw new FuzzPropertyException($"answered on {iface.Name} for {request.Target}, which it does not own there");
            }
            if (length == 0 && owned && speaks)
            {
                throw new FuzzPropertyException($"did not answer on {iface.Name} for {request.Target}, which it owns there");
            }
            if (length > 0)
            {
                CheckAnswer(reply[..length], request);
            }
        }
    }

    /// <summary>The answer is the reply our reader would expect: to the asker, about the target, from our MAC.</summary>
    private static void CheckAnswer(ReadOnlySpan<byte> reply, in Layer2Request request)
    {
        if (!reply.Slice(6, 6).SequenceEqual(OwnMac))
        {
            throw new FuzzPropertyException("an answer does not come from our MAC");
        }
        // Our own answer, looped back by the capture, is dropped as ours.
        if (Layer2Frame.TryRead(reply, OwnMac, out _, out var own) || own != Layer2Drop.Own)
        {
            throw new FuzzPropertyException($"our answer looped back is not dropped as our own ({own})");
        }
        if (request.Kind == Layer2RequestKind.ArpRequest)
        {
            var arp = ReadArp(reply);
            if (arp.Operation != 2 || !arp.SenderAddress.Equals(request.Target) || !arp.TargetAddress.Equals(request.SenderAddress)
                || !arp.SenderMac.SequenceEqual(OwnMac) || !arp.TargetMac.SequenceEqual(request.SenderMac.GetAddressBytes()))
            {
                throw new FuzzPropertyException("the ARP reply does not read back to what answers the request");
            }
            return;
        }
        var advertisement = ReadAdvertisement(reply);
        var dad = request.SenderAddress.Equals(IPAddress.IPv6None) || request.SenderMac.GetAddressBytes().Length != 6;
        if (!advertisement.Target.Equals(request.Target) || advertisement.Solicited == dad
            || !advertisement.Destination.Equals(dad ? Layer2FrameWriter.AllNodes : request.SenderAddress))
        {
            throw new FuzzPropertyException("the Neighbor Advertisement does not read back to what answers the solicitation");
        }
    }

    /// <summary>Gratuitous ARP and an unsolicited advertisement for addresses taken from the input read back to what we built.</summary>
    private static void Built(byte[] input)
    {
        if (input.Length < 16)
        {
            return;
        }
        var v4 = new IPAddress(input.AsSpan(0, 4));
        var v6 = new IPAddress(input.AsSpan(0, 16));
        var mac = input.AsSpan(10, 6);
        Span<byte> frame = stackalloc byte[Layer2FrameWriter.AdvertisementFrameLength];
        foreach (var isReply in (ReadOnlySpan<bool>)[false, true])
        {
            var length = Layer2FrameWriter.GratuitousArp(frame, mac, v4, isReply);
            var arp = ReadArp(frame[..length]);
            if (arp.Operation != (isReply ? 2 : 1) || !arp.SenderAddress.Equals(v4) || !arp.TargetAddress.Equals(v4) || !arp.SenderMac.SequenceEqual(mac))
            {
                throw new FuzzPropertyException("gratuitous ARP does not read back to what we built");
            }
            // Another host reads the gratuitous request as a request for the address, from the address.
            ReadOnlySpan<byte> other = [0x02, 0, 0, 0, 0, 0x99];
            if (mac.SequenceEqual(other))
            {
                continue;
            }
            var readByOther = Layer2Frame.TryRead(frame[..length], other, out var request, out var drop);
            if (isReply ? readByOther || drop != Layer2Drop.NotRequest
                    : !readByOther || !request.Target.Equals(v4) || !request.SenderAddress.Equals(v4) || !request.SenderMac.GetAddressBytes().AsSpan().SequenceEqual(mac))
            {
                throw new FuzzPropertyException($"gratuitous ARP (reply {isReply}) is read by another host as {drop}");
            }
        }
        var naLength = Layer2FrameWriter.UnsolicitedAdvertisement(frame, mac, v6);
        var advertisement = ReadAdvertisement(frame[..naLength]);
        if (!advertisement.Target.Equals(v6) || advertisement.Solicited || !advertisement.Destination.Equals(Layer2FrameWriter.AllNodes)
            || !advertisement.TargetMac.SequenceEqual(mac) || !frame[..6].SequenceEqual((ReadOnlySpan<byte>)[0x33, 0x33, 0, 0, 0, 1]))
        {
            throw new FuzzPropertyException("the unsolicited Neighbor Advertisement does not read back to what we built");
        }
    }

    private readonly ref struct Arp(ushort operation, ReadOnlySpan<byte> senderMac, IPAddress senderAddress, ReadOnlySpan<byte> targetMac, IPAddress targetAddress)
    {
        public ushort Operation { get; } = operation;
        public ReadOnlySpan<byte> SenderMac { get; } = senderMac;
        public IPAddress SenderAddress { get; } = senderAddress;
        public ReadOnlySpan<byte> TargetMac { get; } = targetMac;
        public IPAddress TargetAddress { get; } = targetAddress;
    }

    /// <summary>An Ethernet/IPv4 ARP frame read independently of <see cref="Layer2Frame"/> (RFC 826 layout).</summary>
    private static Arp ReadArp(ReadOnlySpan<byte> frame)
    {
        if (frame.Length != Layer2FrameWriter.ArpFrameLength || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != Layer2Frame.EtherTypeArp
            || !frame.Slice(14, 6).SequenceEqual((ReadOnlySpan<byte>)[0, 1, 8, 0, 6, 4]))
        {
            throw new FuzzPropertyException("a built ARP frame has the wrong length or header");
        }
        var arp = frame[14..];
        return new Arp(BinaryPrimitives.ReadUInt16BigEndian(arp[6..]), arp.Slice(8, 6), new IPAddress(arp.Slice(14, 4)), arp.Slice(18, 6), new IPAddress(arp.Slice(24, 4)));
    }

    private readonly ref struct Advertisement(IPAddress destination, IPAddress target, bool solicited, ReadOnlySpan<byte> targetMac)
    {
        public IPAddress Destination { get; } = destination;
        public IPAddress Target { get; } = target;
        public bool Solicited { get; } = solicited;
        public ReadOnlySpan<byte> TargetMac { get; } = targetMac;
    }

    /// <summary>A Neighbor Advertisement frame read independently (RFC 4861 section 4.4): hop limit 255, checksum, Override, TLLA option.</summary>
    private static Advertisement ReadAdvertisement(ReadOnlySpan<byte> frame)
    {
        if (frame.Length != Layer2FrameWriter.AdvertisementFrameLength || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != Layer2Frame.EtherTypeIpv6)
        {
            throw new FuzzPropertyException("a built Neighbor Advertisement has the wrong length or EtherType");
        }
        var ip = frame[14..];
        var icmp = ip[40..];
        if (ip[0] >> 4 != 6 || BinaryPrimitives.ReadUInt16BigEndian(ip[4..]) != icmp.Length || ip[6] != Layer2Frame.Icmpv6 || ip[7] != 255
            || icmp[0] != Layer2Frame.NeighborAdvertisementType || icmp[1] != 0 || (icmp[4] & 0x20) == 0
            || Layer2Frame.Checksum(ip.Slice(8, 16), ip.Slice(24, 16), icmp) != 0 || icmp[24] != 2 || icmp[25] != 1
            || !frame.Slice(6, 6).SequenceEqual(icmp.Slice(26, 6)))
        {
            throw new FuzzPropertyException("a built Neighbor Advertisement does not verify (header, checksum, flags or option)");
        }
        return new Advertisement(new IPAddress(ip.Slice(24, 16)), new IPAddress(icmp.Slice(8, 16)), (icmp[4] & 0x40) != 0, icmp.Slice(26, 6));
    }

    /// <summary>A copy of an IPv6 ICMPv6 frame with the checksum a sender would have written, or null when there is none to fix.</summary>
    private static byte[]? WithChecksum(byte[] input)
    {
        const int icmpAt = Layer2Frame.EthernetHeader + Layer2Frame.Ipv6Header;
        if (input.Length < icmpAt + 4 || BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(12)) != Layer2Frame.EtherTypeIpv6)
        {
            return null;
        }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(Layer2Frame.EthernetHeader + 4));
        if (payloadLength < 4 || input.Length < icmpAt + payloadLength)
        {
            return null;
        }
        var copy = (byte[])input.Clone();
        var icmp = copy.AsSpan(icmpAt, payloadLength);
        icmp[2] = 0;
        icmp[3] = 0;
        var checksum = Layer2Frame.Checksum(copy.AsSpan(Layer2Frame.EthernetHeader + 8, 16), copy.AsSpan(Layer2Frame.EthernetHeader + 24, 16), icmp);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], checksum);
        return copy.AsSpan().SequenceEqual(input) ? null : copy;
    }

    /// <summary>
    /// Who owns what: 192.0.2.1 and 2001:db8::1 on any interface, 192.0.2.2 and 2001:db8::2 only on eth1. The
    /// responder runs as eth0 (ARP and NDP), as eth1 and as arp-only eth2 (no link-local, so no NDP).
    /// </summary>
    private sealed class Owners
    {
        private readonly Dictionary<IPAddress, Layer2Candidate> _table = new()
        {
            [IPAddress.Parse("192.0.2.1")] = new Layer2Candidate("node-a", []),
            [IPAddress.Parse("2001:db8::1")] = new Layer2Candidate("node-a", []),
            [IPAddress.Parse("192.0.2.2")] = new Layer2Candidate("node-a", ["eth1"]),
            [IPAddress.Parse("2001:db8::2")] = new Layer2Candidate("node-a", ["eth1"]),
        };

        public IReadOnlyList<Layer2Interface> Interfaces { get; } =
        [
            new("eth0", 2, new System.Net.NetworkInformation.PhysicalAddress(OwnMac), true, IPAddress.Parse("fe80::1")),
            new("eth1", 3, new System.Net.NetworkInformation.PhysicalAddress(OwnMac), true, IPAddress.Parse("fe80::1")),
            new("eth2", 4, new System.Net.NetworkInformation.PhysicalAddress(OwnMac), true, null),
        ];

        public Layer2Candidate? Owner(IPAddress address) => _table.GetValueOrDefault(address);
    }
}
