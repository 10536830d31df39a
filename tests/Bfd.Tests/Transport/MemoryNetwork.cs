using System.Net;
using BgpKit.Bfd.Transport;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>
/// An in-memory wire between endpoints for deterministic tests: packets are delivered synchronously
/// (with TTL 255 unless told otherwise) while <see cref="Connected"/> is true, and recorded.
/// </summary>
internal sealed class MemoryNetwork
{
    private readonly Dictionary<(IPAddress, bool), MemoryLink> _links = new();

    public bool Connected { get; set; } = true;

    public int Ttl { get; set; } = 255;

    /// <summary>Why echo cannot run (returned by PrepareEcho); null: every link can send echo packets.</summary>
    public string? EchoUnavailable { get; set; }

    /// <summary>False drops echo packets only (the peer's forwarding plane no longer returns them).</summary>
    public bool EchoReturned { get; set; } = true;

    /// <summary>Echo packets sent, by the sending link's address.</summary>
    public List<(IPAddress From, byte[] Payload)> EchoSent { get; } = new();

    public List<(IPAddress From, IPAddress To, byte[] Bytes)> Sent { get; } = new();

    public BfdLinkFactory Factory => (endpoint, local, multihop) =>
    {
        var link = new MemoryLink(this, endpoint, local, multihop);
        _links[(local, multihop)] = link;
        return link;
    };

    public IEnumerable<BfdControlPacket> SentBy(IPAddress from) => Sent.Where(s => s.From.Equals(from)).Select(s =>
    {
        BfdControlPacket.TryDecode(s.Bytes, out var p);
        return p;
    });

    private sealed class MemoryLink : BfdLink
    {
        private readonly MemoryNetwork _network;
        private readonly BfdEndpoint _endpoint;

        public MemoryLink(MemoryNetwork network, BfdEndpoint endpoint, IPAddress local, bool multihop) : base(local, multihop)
        {
            _network = network;
            _endpoint = endpoint;
        }

        public override bool Send(BfdSession session, ReadOnlySpan<byte> packet, out string? error)
        {
            error = null;
            _network.Sent.Add((LocalAddress, session.PeerAddress, packet.ToArray()));
            if (_network.Connected && _network._links.TryGetValue((session.PeerAddress, Multihop), out var peer))
            {
                peer._endpoint.Receive(peer, packet, LocalAddress.GetAddressBytes(), _network.Ttl);
            }
            return true;
        }

        public override string? PrepareEcho(IPAddress localAddress) => _network.EchoUnavailable;

        public override bool SendEcho(BfdSession session, ReadOnlySpan<byte> payload, out string? error)
        {
            error = null;
            _network.EchoSent.Add((LocalAddress, payload.ToArray()));
            // The peer's forwarding plane sends it straight back to us (RFC 5880 section 6.4).
            if (_network.Connected && _network.EchoReturned && _network._links.ContainsKey((session.PeerAddress, Multihop)))
            {
                _endpoint.ReceiveEcho(this, payload, LocalAddress);
            }
            return true;
        }

        public override void Dispose()
        {
            _network._links.Remove((LocalAddress, Multihop));
        }
    }
}
